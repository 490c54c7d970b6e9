"""Payments coming back from Xero (reference/xero.md section 8).

``GET /Invoices`` and ``GET /CreditNotes`` with ``If-Modified-Since`` list the documents
changed since the cursor (a payment changes the invoice it pays: ``AmountDue``, ``Status``
PAID, ``Payments[]``), each with every payment and credit applied to it, so two paged reads
answer a pull; the ``accounting.invoices`` scope covers both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ledgersync.providers.base import DocType, PaidState, RemotePayment

# Authorised documents can be paid; PAID ones are; drafts and voided ones owe nothing.
# /Invoices filters on Statuses; /CreditNotes has no such parameter, so it filters on where.
LIVE = ("AUTHORISED", "PAID")
FILTERS = {
    "Invoices": {"Statuses": ",".join(LIVE)},
    "CreditNotes": {"where": " OR ".join(f'Status=="{s}"' for s in LIVE)},
}
DOC_FOR_TYPE = {
    "ACCREC": DocType.SALES_INVOICE,
    "ACCPAY": DocType.SUPPLIER_INVOICE,
    "ACCRECCREDIT": DocType.SALES_CREDIT_NOTE,
}
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_moment(value: Any) -> datetime | None:
    """Xero's ``/Date(1552262400000+0000)/`` (or an ISO string) as a UTC datetime."""
    text = str(value or "").strip()
    found = _MS_DATE.match(text)
    if found:
        return datetime.fromtimestamp(int(found.group(1)) / 1000, UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def modified_since(since: datetime) -> str:
    """An ``If-Modified-Since`` value: ISO 8601 in UTC with its offset, to the second, the
    spec's date-time form (Xero's filter is inclusive)."""
    return since.astimezone(UTC).isoformat(timespec="seconds")


def newest_change(rows: Iterable[Mapping[str, Any]]) -> datetime | None:
    stamps = [parse_moment(row.get("UpdatedDateUTC")) for row in rows]
    return max((s for s in stamps if s is not None), default=None)


def _day(value: Any) -> date:
    moment = parse_moment(value)
    return moment.date() if moment else date.min


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def paid_state(row: Mapping[str, Any], collection: str) -> PaidState | None:
    """The document's paid state, or None for a type we never push."""
    doc_type = DOC_FOR_TYPE.get(str(row.get("Type")))
    if doc_type is None:
        return None
    applied = [
        RemotePayment(
            remote_id=str(p.get("PaymentID")),
            paid_on=_day(p.get("Date")),
            amount=_decimal(p.get("Amount")),
            reference=str(p.get("Reference") or ""),
        )
        for p in row.get("Payments") or []
    ]
    if collection == "Invoices":
        # Credit notes allocated to the invoice, named by the credit note's number.
        applied += [
            RemotePayment(
                remote_id=str(c.get("CreditNoteID")),
                paid_on=_day(c.get("Date")),
                amount=_decimal(c.get("AppliedAmount")),
                reference=str(c.get("CreditNoteNumber") or ""),
            )
            for c in row.get("CreditNotes") or []
        ]
        outstanding, remote_id = _decimal(row.get("AmountDue")), str(row["InvoiceID"])
    else:
        # The credit note's allocations to invoices, named by the invoice's number.
        applied += [
            RemotePayment(
                remote_id=str(a.get("AllocationID") or (a.get("Invoice") or {}).get("InvoiceID")),
                paid_on=_day(a.get("Date")),
                amount=_decimal(a.get("Amount")),
                reference=str((a.get("Invoice") or {}).get("InvoiceNumber") or ""),
            )
            for a in row.get("Allocations") or []
        ]
        outstanding, remote_id = _decimal(row.get("RemainingCredit")), str(row["CreditNoteID"])
    applied.sort(key=lambda p: (p.paid_on, p.remote_id))
    return PaidState(
        remote_id=remote_id,
        doc_type=doc_type,
        total=_decimal(row.get("Total")),
        outstanding=outstanding,
        payments=tuple(applied),
    )
