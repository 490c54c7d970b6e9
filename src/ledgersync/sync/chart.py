"""The package's chart of accounts next to ledgersync's nominal codes ("establish nominal codes").

``import_chart`` copies the package's income and expense accounts into ledgersync so every
line's nominal code matches from the start; existing codes are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ledgersync.providers.base import Connector, LedgerAccount, ReferenceData
from ledgersync.records.models import NominalCode, Organisation, TaxCode
from ledgersync.sync.codemap import CodeMap, How
from ledgersync.sync.models import AuditEvent

# Account types as the providers spell them, lower-cased, by what they mean to a line.
SALES_WORDS = ("income", "revenue", "sales")
PURCHASE_WORDS = ("expense", "cost", "purchase", "overhead", "directcosts")


def kind_of(account: LedgerAccount) -> str | None:
    """Sales or purchase for an income / expense account; None for balance-sheet accounts."""
    kind = account.account_type.lower().replace(" ", "").replace("_", "")
    if any(word in kind for word in SALES_WORDS):
        return NominalCode.Kind.SALES
    if any(word in kind for word in PURCHASE_WORDS):
        return NominalCode.Kind.PURCHASE
    return None


@dataclass(frozen=True)
class PackageMatch:
    """How one of our nominal codes stands in the package: the account it books to by the
    connection's mapping (sync/codemap.py), ``by_hand`` naming that account's code when it
    was mapped by hand."""

    exists: bool
    name: str = ""
    tax_name: str = ""
    by_hand: str = ""


def match(code: str, code_map: CodeMap) -> PackageMatch:
    found = code_map.account(code)
    account = found.account
    if account is None:
        return PackageMatch(False)
    reference = code_map.reference
    tax = reference.tax_code_by_id(account.tax_code_id) if account.tax_code_id else None
    by_hand = account.code if found.how == How.BY_HAND else ""
    return PackageMatch(True, account.name, tax.name if tax else "", by_hand)


@dataclass(frozen=True)
class ImportResult:
    created: list[str]
    already: list[str]


def import_chart(organisation: Organisation, connector: Connector, *, user=None) -> ImportResult:
    """Create a nominal code for each income / expense account the package has and we lack."""
    reference = connector.reference_data()
    ours = set(NominalCode.objects.for_org(organisation).values_list("code", flat=True))
    taxes = {t.code: t for t in TaxCode.objects.for_org(organisation)}
    created, already = [], []
    with transaction.atomic():
        for code, account in sorted(reference.accounts.items()):
            kind = kind_of(account)
            if kind is None or not account.active:
                continue
            if code in ours:
                already.append(code)
                continue
            _nominal_from(organisation, account, kind, reference, taxes)
            created.append(code)
        if created:
            AuditEvent.objects.create(
                organisation=organisation,
                user=user if user and user.is_authenticated else None,
                action="nominals:import",
                detail=f"Imported nominal codes {', '.join(created)} from "
                f"{connector.capabilities.display_name}",
            )
    return ImportResult(created, already)


class CannotCreate(ValueError):
    """Why a package account cannot become a nominal code here, in a person's words."""


def create_nominal(
    organisation: Organisation,
    reference: ReferenceData,
    code: str,
    *,
    provider_name: str,
    user=None,
) -> NominalCode:
    """ "Create in ledgersync": the nominal code for the package's account ``code`` (an income
    or expense account, as ``import_chart`` copies), with its name and default tax code.
    Raises CannotCreate when the package has no such account, or we have the code already."""
    account = reference.account(code)
    if account is None or not account.active:
        raise CannotCreate(f"{provider_name} has no account {code}.")
    kind = kind_of(account)
    if kind is None:
        raise CannotCreate(
            f"Account {code} in {provider_name} is not an income or expense account."
        )
    if NominalCode.objects.for_org(organisation).filter(code=code).exists():
        raise CannotCreate(f"Nominal code {code} already exists in ledgersync.")
    taxes = {t.code: t for t in TaxCode.objects.for_org(organisation)}
    with transaction.atomic():
        nominal = _nominal_from(organisation, account, kind, reference, taxes)
        AuditEvent.objects.create(
            organisation=organisation,
            user=user if user and user.is_authenticated else None,
            action="nominals:create",
            detail=f"Created nominal code {code} {nominal.description} from {provider_name}",
        )
    return nominal


def _nominal_from(
    organisation: Organisation,
    account: LedgerAccount,
    kind: str,
    reference: ReferenceData,
    taxes: dict[str, TaxCode],
) -> NominalCode:
    tax = reference.tax_code_by_id(account.tax_code_id) if account.tax_code_id else None
    return NominalCode.objects.create(
        organisation=organisation,
        code=account.code,
        description=account.name[:200],
        kind=kind,
        default_tax_code=taxes.get(tax.code) if tax and tax.code else None,
    )
