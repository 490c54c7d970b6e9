"""Our nominal and tax codes next to the package's accounts and tax codes, per connection.

The one home of "which package account does this line book to, and with which tax code":
check 5 (sync/checks.py) asks it whether a line's nominal is in the package, the push
(sync/batch.py) asks it what to send, and the mapping screens and API show it. Both read
the same ``CodeMap``, so a code that passes the check is the code that is booked.

- A code maps **by its number** when the package has an account with that code (QuickBooks
  ``AcctNum``, Xero ``Code``, Sage ``nominal_code``, see reference/{qbo,xero,sage}.md), and a
  tax code when the package has a tax code ledgersync recognises as the same VAT code (the
  connector's ``TaxCode.code``). This is what worked before any mapping existed, and still
  works with no ``CodeMapping`` rows.
- A row **by hand** overrides it: our nominal to another of the package's accounts; our tax
  code to one of the package's tax codes, separately for sales and for purchases (Xero's tax
  rates each apply to revenue or to expenses, ``CanApplyToRevenue`` / ``CanApplyToExpenses``).
- A **fallback account** per document type (off unless set): a line whose nominal is missing
  books to it instead of failing check 5.

Changes go through ``set_mapping`` (web, API), which validates against the package's list as
last read (sync/reference.py), audits, and re-assesses the queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from ledgersync.providers.base import LedgerAccount, ReferenceData, TaxCode
from ledgersync.records.models import DocType, NominalCode, Organisation
from ledgersync.records.models import TaxCode as OurTaxCode
from ledgersync.sync.models import AuditEvent, CodeMapping, Connection, MapKind


class How(StrEnum):
    """How one of our codes stands in the package, in the screens' words."""

    BY_NUMBER = "by_number"
    BY_HAND = "by_hand"
    FALLBACK = "fallback"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return HOW_LABELS[self]


HOW_LABELS = {
    How.BY_NUMBER: "Mapped by number",
    How.BY_HAND: "Mapped by hand",
    How.FALLBACK: "Fallback account",
    How.MISSING: "Missing",
}

DOC_TYPE_WORDS = {
    DocType.SALES_INVOICE: "sales invoices",
    DocType.SALES_CREDIT_NOTE: "sales credit notes",
    DocType.SUPPLIER_INVOICE: "supplier invoices",
}


def tax_kind(doc_type: str) -> MapKind:
    """The side of the ledger a document's lines are taxed on."""
    return MapKind.PURCHASE_TAX if doc_type == DocType.SUPPLIER_INVOICE else MapKind.SALES_TAX


@dataclass(frozen=True)
class AccountFor:
    """The package account a line with our nominal ``code`` books to (None: missing)."""

    code: str
    how: How
    account: LedgerAccount | None = None
    # The package code a hand mapping (or fallback) names that the package no longer has.
    gone: str = ""


@dataclass(frozen=True)
class TaxFor:
    """The package tax code(s) our tax ``code`` stands for on one side."""

    code: str
    how: How
    taxes: tuple[TaxCode, ...] = ()
    gone: str = ""

    @property
    def names(self) -> str:
        return ", ".join(tax.name for tax in self.taxes)


class CodeMap:
    """One connection's mapping over the package's chart as read (``reference``)."""

    def __init__(self, reference: ReferenceData, rows: Iterable[tuple[str, str, str]]) -> None:
        self.reference = reference
        self.rows: dict[tuple[str, str], str] = {
            (kind, code): remote for kind, code, remote in rows
        }

    @classmethod
    def of(cls, connection: Connection, reference: ReferenceData) -> CodeMap:
        rows = CodeMapping.objects.filter(connection=connection).values_list(
            "kind", "code", "remote"
        )
        return cls(reference, rows)

    def mapped(self, kind: MapKind, code: str) -> str | None:
        """The package side a row maps ``code`` to, or None when there is no row."""
        return self.rows.get((str(kind), code))

    def account(self, code: str, doc_type: str | None = None) -> AccountFor:
        """Where a line with nominal ``code`` books: by hand, by number, else (for a
        ``doc_type`` with a fallback set) the fallback account, else missing."""
        remote = self.mapped(MapKind.NOMINAL, code)
        gone = ""
        if remote is not None:
            found = self.reference.account(remote)
            if found is not None:
                return AccountFor(code, How.BY_HAND, found)
            gone = remote
        else:
            found = self.reference.account(code)
            if found is not None:
                return AccountFor(code, How.BY_NUMBER, found)
        fallback = self.fallback(doc_type) if doc_type else None
        if fallback is not None:
            return AccountFor(code, How.FALLBACK, fallback, gone=gone)
        return AccountFor(code, How.MISSING, gone=gone)

    def fallback(self, doc_type: str) -> LedgerAccount | None:
        remote = self.mapped(MapKind.FALLBACK, doc_type)
        return self.reference.account(remote) if remote else None

    def tax(self, code: str, kind: MapKind) -> TaxFor:
        """Our tax ``code`` on one side (SALES_TAX or PURCHASE_TAX)."""
        remote = self.mapped(kind, code)
        if remote is not None:
            found = self.reference.tax_code_by_id(remote)
            if found is not None:
                return TaxFor(code, How.BY_HAND, (found,))
            return TaxFor(code, How.MISSING, gone=remote)
        same = tuple(tax for tax in self.reference.tax_codes if tax.code == code)
        return TaxFor(code, How.BY_NUMBER if same else How.MISSING, same)

    def tax_to_send(self, code: str, doc_type: str) -> str:
        """What a line's tax code goes to the connector as (``OutboundLine.tax_code``): the
        package's tax code id when mapped by hand, else our VAT code, which each connector
        matches to the package's own as it always has (Xero by side, too)."""
        return self.mapped(tax_kind(doc_type), code) or code


def as_read(connection: Connection) -> CodeMap | None:
    """The connection's mapping over the package's list as last read (sync/reference.py's
    cache, no call to the package); None when the list was never read."""
    from ledgersync.sync import reference  # reference reads checks, which read this module

    cache = reference.cache_of(connection)
    chart = reference.reference_of(cache) if cache is not None else None
    return CodeMap.of(connection, chart) if chart is not None else None


# -- the screens' rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class NominalRow:
    nominal: NominalCode
    standing: AccountFor
    mapped: str  # the package code chosen by hand, or ""


@dataclass(frozen=True)
class TaxRow:
    tax_code: OurTaxCode
    sales: TaxFor
    purchases: TaxFor
    mapped_sales: str
    mapped_purchases: str


def nominal_rows(organisation: Organisation, code_map: CodeMap) -> list[NominalRow]:
    return [
        NominalRow(
            nominal,
            code_map.account(nominal.code),
            code_map.mapped(MapKind.NOMINAL, nominal.code) or "",
        )
        for nominal in NominalCode.objects.for_org(organisation)
    ]


def tax_rows(organisation: Organisation, code_map: CodeMap) -> list[TaxRow]:
    return [
        TaxRow(
            tax,
            code_map.tax(tax.code, MapKind.SALES_TAX),
            code_map.tax(tax.code, MapKind.PURCHASE_TAX),
            code_map.mapped(MapKind.SALES_TAX, tax.code) or "",
            code_map.mapped(MapKind.PURCHASE_TAX, tax.code) or "",
        )
        for tax in OurTaxCode.objects.for_org(organisation)
    ]


def accounts_we_lack(organisation: Organisation, code_map: CodeMap) -> list[LedgerAccount]:
    """The package's income and expense accounts no nominal of ours books to, by number or
    by hand: each can be created here in one click (chart.create_nominal)."""
    from ledgersync.sync.chart import kind_of  # chart reads this module

    ours = set(NominalCode.objects.for_org(organisation).values_list("code", flat=True))
    used = {code_map.account(code).account for code in ours}
    used_codes = {account.code for account in used if account is not None}
    return [
        account
        for code, account in sorted(code_map.reference.accounts.items())
        if account.active
        and kind_of(account) is not None
        and code not in ours
        and code not in used_codes
    ]


# -- changing it -----------------------------------------------------------------------------


class MappingError(ValueError):
    """A mapping that cannot be made, in a person's words; ``field`` names the input."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def set_mapping(
    connection: Connection,
    reference: ReferenceData,
    kind: MapKind,
    code: str,
    remote: str,
    *,
    user=None,
    provider_name: str,
) -> bool:
    """Map our ``code`` (a nominal code, a tax code, or for FALLBACK a document type) to the
    package's ``remote`` (an account code, or a tax code id); a blank ``remote`` removes the
    row (back to matching by number; for FALLBACK, off). Raises MappingError for a code we
    do not have or a package side not in its list as last read. Audited; True if changed."""
    organisation = connection.organisation
    code, remote = code.strip(), remote.strip()
    _check_ours(organisation, kind, code)
    if remote:
        _check_theirs(reference, kind, remote, provider_name)
    rows = CodeMapping.objects.filter(connection=connection, kind=kind, code=code)
    before = rows.values_list("remote", flat=True).first()
    if (before or "") == remote:
        return False
    with transaction.atomic():
        if remote:
            CodeMapping.objects.update_or_create(
                connection=connection,
                kind=kind,
                code=code,
                defaults={"organisation": organisation, "remote": remote, "mapped_by": _who(user)},
            )
        else:
            rows.delete()
        AuditEvent.objects.create(
            organisation=organisation,
            user=_who(user),
            action=f"mapping:{kind}",
            detail=_audit_words(kind, code, before or "", remote, provider_name, reference),
        )
    _reassess(organisation)
    return True


def _who(user):
    return user if user is not None and user.is_authenticated else None


def _check_ours(organisation: Organisation, kind: MapKind, code: str) -> None:
    if kind == MapKind.NOMINAL:
        if not NominalCode.objects.for_org(organisation).filter(code=code).exists():
            raise MappingError(f"There is no nominal code {code} in ledgersync.", "code")
    elif kind == MapKind.FALLBACK:
        if code not in DocType.values:
            types = ", ".join(DocType.values)
            raise MappingError(f"{code or 'A blank'} is not a document type ({types}).", "code")
    elif not OurTaxCode.objects.for_org(organisation).filter(code=code).exists():
        raise MappingError(f"There is no tax code {code} in ledgersync.", "code")


def _check_theirs(reference: ReferenceData, kind: MapKind, remote: str, name: str) -> None:
    if kind in (MapKind.NOMINAL, MapKind.FALLBACK):
        if reference.account(remote) is None:
            raise MappingError(f"{name} has no account {remote}.", "remote")
    elif reference.tax_code_by_id(remote) is None:
        raise MappingError(f"{name} has no tax code {remote}.", "remote")


def _audit_words(
    kind: MapKind, code: str, before: str, after: str, name: str, reference: ReferenceData
) -> str:
    def theirs(remote: str) -> str:
        if kind in (MapKind.NOMINAL, MapKind.FALLBACK):
            account = reference.account(remote)
            return f"{remote} {account.name}" if account else remote
        tax = reference.tax_code_by_id(remote)
        return tax.name if tax else remote

    if kind == MapKind.FALLBACK:
        what = f"Fallback account for {DOC_TYPE_WORDS[DocType(code)]}"
        if not after:
            return f"{what} in {name} turned off (was {theirs(before)})"
        return f"{what} in {name} set to {theirs(after)}"
    what = f"{kind.label} {code}"
    if not after:
        return f"{what} no longer mapped by hand in {name} (was {theirs(before)})"
    return f"{what} mapped to {name} {theirs(after)}"


def _reassess(organisation: Organisation) -> None:
    from ledgersync.sync import assess  # assess reads checks, which read this module

    assess.mapping_changed(organisation)


def line_notes(document, code_map: CodeMap, provider_name: str) -> list[str]:
    """What the document page says about lines not booked to the nominal of their own
    number: mapped by hand to another account, or to the fallback account."""
    notes = []
    for line in document.lines.all():
        found = code_map.account(line.nominal.code, document.doc_type)
        account = found.account
        if account is None or found.how == How.BY_NUMBER:
            continue
        booked = f"{account.code} {account.name}"
        if found.how == How.FALLBACK:
            notes.append(
                f"Line {line.position}: nominal code {found.code} is not in {provider_name}; "
                f"it books to {booked}, the fallback account for "
                f"{DOC_TYPE_WORDS[DocType(document.doc_type)]}."
            )
        else:
            notes.append(
                f"Line {line.position}: nominal code {found.code} books to {provider_name} "
                f"{booked} (mapped by hand)."
            )
    return notes
