"""Creating and updating accounts and suppliers from plain dicts (the API and the importer).

Like services.py: validate everything first, raise a ValidationError keyed by field, save
nothing on failure. ``upsert_*`` match by number and report whether anything changed, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ledgersync.records import wording
from ledgersync.records.models import Account, Organisation, Supplier

PartyT = TypeVar("PartyT", Account, Supplier)

PARTY_FIELDS = (
    "name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postcode",
    "country",
    "vat_number",
)


class Change(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _company(organisation, kind, number, errors) -> Account | None:
    if kind == Account.Kind.SITE:
        if not number:
            errors["company"] = ["A site needs its company's account number"]
            return None
        company = (
            Account.objects.for_org(organisation)
            .filter(number=number, kind=Account.Kind.COMPANY)
            .first()
        )
        if company is None:
            errors["company"] = [f"No company account numbered {number!r}"]
        return company
    if number:
        errors["company"] = ["Only a site belongs to a company; leave company blank for a company"]
    return None


def _apply(party, data: Mapping[str, Any], extra: dict[str, Any]) -> Change:
    created = party.pk is None
    changed = False
    for field in PARTY_FIELDS:
        if field in data and data[field] is not None:
            value = str(data[field]).strip()
            if getattr(party, field) != value:
                setattr(party, field, value)
                changed = True
    for field, value in extra.items():
        if getattr(party, field) != value:
            setattr(party, field, value)
            changed = True
    if not party.name:
        raise ValidationError({"name": [wording.required("name")]})
    if created or changed:
        try:
            with transaction.atomic():
                party.save()
        except IntegrityError:  # a concurrent create took the number first
            raise ValidationError({"number": [f"{party.number} already exists"]}) from None
    return Change.CREATED if created else Change.UPDATED if changed else Change.UNCHANGED


def save_account(
    organisation: Organisation, data: Mapping[str, Any], account: Account | None = None
) -> tuple[Account, Change]:
    """Create an account, or update ``account`` with the keys ``data`` has (a partial update).

    Keys: number (new accounts), kind (company or site), company (a site's company number),
    and the party fields (name, email, phone, address_line1 ... vat_number).
    """
    errors: dict[str, list[str]] = {}
    if account is None:
        account = Account(organisation=organisation, number=str(data.get("number") or "").strip())
        if not account.number:
            errors["number"] = [wording.required("number")]
    kind = str(data.get("kind") or account.kind or Account.Kind.COMPANY)
    if kind not in Account.Kind.values:
        errors["kind"] = [f"Kind must be company or site, not {kind!r}"]
    if "company" in data:
        company_number = str(data.get("company") or "").strip()
    else:
        company_number = account.company.number if account.company is not None else ""
    company = _company(organisation, kind, company_number, errors) if "kind" not in errors else None
    if account.pk and kind == Account.Kind.SITE and account.sites.exists():
        errors["kind"] = [f"{account.number} has sites, so it must stay a company"]
    if company is not None and account.pk and company.pk == account.pk:
        errors["company"] = ["An account cannot be its own company"]
    if errors:
        raise ValidationError(errors)
    change = _apply(account, data, {"kind": kind, "company": company})
    return account, change


def upsert_account(organisation: Organisation, data: Mapping[str, Any]) -> tuple[Account, Change]:
    return save_account(organisation, data, _by_number(Account, organisation, data))


def save_supplier(
    organisation: Organisation, data: Mapping[str, Any], supplier: Supplier | None = None
) -> tuple[Supplier, Change]:
    """Create a supplier, or update ``supplier`` with the keys ``data`` has."""
    if supplier is None:
        supplier = Supplier(organisation=organisation, number=str(data.get("number") or "").strip())
        if not supplier.number:
            raise ValidationError({"number": [wording.required("number")]})
    change = _apply(supplier, data, {})
    return supplier, change


def upsert_supplier(organisation: Organisation, data: Mapping[str, Any]) -> tuple[Supplier, Change]:
    return save_supplier(organisation, data, _by_number(Supplier, organisation, data))


def _by_number(
    model: type[PartyT], organisation: Organisation, data: Mapping[str, Any]
) -> PartyT | None:
    """The organisation's party with the number ``data`` names, if there is one (imports)."""
    number = str(data.get("number") or "").strip()
    return model.objects.for_org(organisation).filter(number=number).first() if number else None
