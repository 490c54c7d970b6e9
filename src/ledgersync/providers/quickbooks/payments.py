"""Payments coming back from QuickBooks, by change data capture (reference/qbo.md section 9).

One ``GET /cdc?entities=Invoice,CreditMemo,Bill,Payment,BillPayment&changedSince=`` answers
every transaction changed since the cursor: a payment changes the invoice it pays (its
``Balance`` and ``LinkedTxn``), so the changed documents are the ones to report, each with
the payments its ``LinkedTxn`` names. Those not in the same answer (an older payment on a
document that just got a new one) are read with one query per payment entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledgersync.providers.base import PaidState, RemotePayment
from ledgersync.providers.quickbooks.mapping import DOC_FOR_ENTITY, voided

DOCUMENT_ENTITIES = ("Invoice", "CreditMemo", "Bill")
PAYMENT_ENTITIES = ("Payment", "BillPayment")
CDC_ENTITIES = (*DOCUMENT_ENTITIES, *PAYMENT_ENTITIES)
# How a paid document's LinkedTxn names the payment that paid it.
PAYMENT_LINK_TYPES = {
    "Payment": "Payment",
    "BillPaymentCheck": "BillPayment",
    "BillPaymentCreditCard": "BillPayment",
}


def cdc_rows(body: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``CDCResponse[0].QueryResponse[*]`` by entity; deleted objects included."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for answer in body.get("CDCResponse") or []:
        for part in answer.get("QueryResponse") or []:
            for entity in CDC_ENTITIES:
                rows.setdefault(entity, []).extend(part.get(entity) or [])
    return rows


def newest_change(rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> datetime | None:
    """The latest ``MetaData.LastUpdatedTime`` among the rows: QuickBooks' own clock."""
    stamps = [
        datetime.fromisoformat(row["MetaData"]["LastUpdatedTime"])
        for found in rows.values()
        for row in found
        if (row.get("MetaData") or {}).get("LastUpdatedTime")
    ]
    return max(stamps, default=None)


def live_documents(rows: Mapping[str, list[dict[str, Any]]]) -> list[tuple[str, dict]]:
    """(entity, row) for each changed document that still exists and is not voided."""
    return [
        (entity, row)
        for entity in DOCUMENT_ENTITIES
        for row in rows.get(entity, [])
        if row.get("status") != "Deleted" and not voided(row)
    ]


def payment_ids(row: Mapping[str, Any]) -> dict[str, set[str]]:
    """The payments a document's LinkedTxn names, by payment entity."""
    wanted: dict[str, set[str]] = {entity: set() for entity in PAYMENT_ENTITIES}
    for link in row.get("LinkedTxn") or []:
        entity = PAYMENT_LINK_TYPES.get(str(link.get("TxnType")))
        if entity is not None:
            wanted[entity].add(str(link["TxnId"]))
    return wanted


def paid_state(entity: str, row: Mapping[str, Any], payments: Mapping[str, dict]) -> PaidState:
    """The document's paid state, from its own row and the payments (by Id) applied to it."""
    doc_id = str(row["Id"])
    applied = []
    for payment in payments.values():
        amount = sum(
            (
                Decimal(str(line.get("Amount") or 0))
                for line in payment.get("Line") or []
                if any(
                    str(k.get("TxnId")) == doc_id and k.get("TxnType") == entity
                    for k in line.get("LinkedTxn") or []
                )
            ),
            Decimal("0"),
        )
        if amount:
            applied.append(
                RemotePayment(
                    remote_id=str(payment["Id"]),
                    paid_on=date.fromisoformat(str(payment["TxnDate"])[:10]),
                    amount=amount,
                    # A customer payment's reference is its PaymentRefNum; a bill payment's
                    # cheque number is its DocNumber.
                    reference=str(payment.get("PaymentRefNum") or payment.get("DocNumber") or ""),
                )
            )
    applied.sort(key=lambda p: (p.paid_on, p.remote_id))
    return PaidState(
        remote_id=doc_id,
        doc_type=DOC_FOR_ENTITY[entity],
        total=Decimal(str(row.get("TotalAmt") or 0)),
        outstanding=Decimal(str(row.get("Balance") or 0)),
        payments=tuple(applied),
    )
