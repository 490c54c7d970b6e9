"""The package's chart of accounts next to ledgersync's nominal codes ("establish nominal codes").

``import_chart`` copies the package's income and expense accounts into ledgersync so every
line's nominal code matches from the start; existing codes are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ledgersync.providers.base import Connector, LedgerAccount, ReferenceData
from ledgersync.records.models import NominalCode, Organisation, TaxCode
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
    """How one of our nominal codes stands in the package."""

    exists: bool
    name: str = ""
    tax_name: str = ""


def match(code: str, reference: ReferenceData) -> PackageMatch:
    account = reference.account(code)
    if account is None:
        return PackageMatch(False)
    tax = reference.tax_code_by_id(account.tax_code_id) if account.tax_code_id else None
    return PackageMatch(True, account.name, tax.name if tax else "")


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
            tax = reference.tax_code_by_id(account.tax_code_id) if account.tax_code_id else None
            NominalCode.objects.create(
                organisation=organisation,
                code=code,
                description=account.name[:200],
                kind=kind,
                default_tax_code=taxes.get(tax.code) if tax and tax.code else None,
            )
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
