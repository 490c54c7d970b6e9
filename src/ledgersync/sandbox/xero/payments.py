"""Payments against invoices and credit notes: they lower AmountDue (RemainingCredit) and
mark the document PAID, with FullyPaidOnDate, when nothing is left."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from ledgersync.sandbox.xero import documents, webhooks
from ledgersync.sandbox.xero.errors import ElementInvalid, PostDataInvalid
from ledgersync.sandbox.xero.store import Organisation, render
from ledgersync.sandbox.xero.wire import BadValue, money, parse_date, parse_decimal

PAYMENT_TYPES = {
    "ACCREC": "ACCRECPAYMENT",
    "ACCPAY": "ACCPAYPAYMENT",
    "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT",
}


def create(org: Organisation, data: dict) -> dict:
    kind, document = _document(org, data)
    account = _account(org, data.get("Account"))
    try:
        amount = money(parse_decimal(data.get("Amount"), "Amount"))
        day = parse_date(data["Date"]) if data.get("Date") else org.today()
    except BadValue as bad:
        raise PostDataInvalid(str(bad)) from None
    if document["Status"] != "AUTHORISED":
        raise ElementInvalid("Payments can only be made against Authorised documents.")
    outstanding = (
        document["AmountDue"] if kind is documents.INVOICES else document["RemainingCredit"]
    )
    if amount <= 0:
        raise ElementInvalid("Payment amount must be greater than zero.")
    if amount > outstanding:
        raise ElementInvalid("Payment amount exceeds the amount outstanding on this document")
    payment_id = str(uuid.uuid4())
    payment = {
        "PaymentID": payment_id,
        "Date": day,
        "Amount": amount,
        "BankAmount": amount,
        "Reference": str(data.get("Reference") or ""),
        "CurrencyRate": Decimal("1.000000"),
        "PaymentType": PAYMENT_TYPES[document["Type"]],
        "Status": "AUTHORISED",
        "IsReconciled": False,
        "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": account["AccountID"], "Code": account["Code"]},
        "_document": (kind.attribute, document[kind.id_field]),
    }
    _apply(org, kind, document, payment, amount)
    payment["UpdatedDateUTC"] = org.now()
    org.payments[payment_id] = payment
    webhooks.document_updated(org, kind, document)
    return payment


def _document(org: Organisation, data: dict) -> tuple[documents.DocKind, dict]:
    for kind, key, number_key in (
        (documents.INVOICES, "Invoice", "InvoiceNumber"),
        (documents.CREDIT_NOTES, "CreditNote", "CreditNoteNumber"),
    ):
        given = data.get(key)
        given = given if isinstance(given, dict) else {}
        wanted = given.get(kind.id_field) or given.get(number_key) or data.get(number_key)
        if wanted:
            found = documents.find(org, kind, str(wanted))
            if found is None:
                raise ElementInvalid(f"{kind.singular} could not be found")
            return kind, found
    raise ElementInvalid("You must specify either an Invoice or a CreditNote for the payment.")


def _account(org: Organisation, given: Any) -> dict:
    given = given if isinstance(given, dict) else {}
    account = org.accounts.get(str(given.get("AccountID", "")).lower())
    if account is None and given.get("Code"):
        account = org.account_by_code(str(given["Code"]))
    if account is None:
        raise ElementInvalid("Account code must be specified")
    if account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        raise ElementInvalid("Payments can only be made to accounts with payments enabled.")
    return account


def _apply(
    org: Organisation, kind: documents.DocKind, document: dict, payment: dict, amount: Decimal
) -> None:
    summary = {k: payment[k] for k in ("PaymentID", "Date", "Amount", "Reference", "CurrencyRate")}
    document["Payments"] = [
        *document.get("Payments", []),
        {**summary, "HasAccount": True, "HasValidationErrors": False},
    ]
    field = "AmountDue" if kind is documents.INVOICES else "RemainingCredit"
    document[field] = document[field] - amount
    if kind is documents.INVOICES:
        document["AmountPaid"] = document["AmountPaid"] + amount
    if document[field] == 0:
        document["Status"] = "PAID"
        document["FullyPaidOnDate"] = payment["Date"]
    document["UpdatedDateUTC"] = org.now()


def present(org: Organisation, payment: dict) -> dict:
    attribute, document_id = payment["_document"]
    document = getattr(org, attribute)[document_id]
    kind = documents.INVOICES if attribute == "invoices" else documents.CREDIT_NOTES
    key = "Invoice" if kind is documents.INVOICES else "CreditNote"
    shown = {
        k: document[k]
        for k in ("Type", kind.id_field, kind.number_field, "Contact", "CurrencyCode")
        if k in document
    }
    return render({**payment, key: shown})


def delete(org: Organisation, payment: dict, data: dict) -> dict:
    """``POST /Payments/{id}`` with ``{"Status": "DELETED"}``: payments are never edited."""
    if data.get("Status") != "DELETED":
        raise ElementInvalid("Payments can only be deleted, not changed.")
    if payment["Status"] == "DELETED":
        return payment
    attribute, document_id = payment["_document"]
    document = getattr(org, attribute)[document_id]
    kind = documents.INVOICES if attribute == "invoices" else documents.CREDIT_NOTES
    _apply(org, kind, document, payment, -payment["Amount"])
    document["Payments"] = [
        p for p in document["Payments"] if p.get("PaymentID") not in (payment["PaymentID"], None)
    ]
    if document["Status"] == "PAID":
        document["Status"] = "AUTHORISED"
    document.pop("FullyPaidOnDate", None)
    payment["Status"] = "DELETED"
    payment["UpdatedDateUTC"] = org.now()
    webhooks.document_updated(org, kind, document)
    return payment
