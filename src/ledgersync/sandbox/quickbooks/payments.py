"""Payment (a customer's money, applied to invoices and credit memos) and BillPayment (ours,
applied to bills): each ``Line`` applies an ``Amount`` to the transactions in its
``LinkedTxn``; the paid transactions' ``Balance`` and ``LinkedTxn`` follow
(documents.refresh_balances), so a change data capture read sees them change together.
"""

from __future__ import annotations

from decimal import Decimal

from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.documents import (
    BILL_PAYMENT_TXN_TYPES,
    ZERO,
    applied,
    header,
    party,
)
from ledgersync.sandbox.quickbooks.validate import money, ref_id, referenced

PAYABLE = {"Payment": ("Invoice", "CreditMemo"), "BillPayment": ("Bill",)}


def save_payment(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    customer = party(ctx, data, "CustomerRef", "Customer")
    total = _total(data)
    lines, net = _lines(ctx, data, existing, "Payment", ("CustomerRef", customer["Id"]))
    if net > total:
        raise errors.business(
            "The amount applied to transactions exceeds the payment amount (TotalAmt).", "Line"
        )
    body = header(ctx, data, "Payment", customer, "CustomerRef")
    body.update(Line=lines, TotalAmt=total, UnappliedAmt=total - net, ProcessPayment=False)
    return body


def save_billpayment(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    """``POST /billpayment``: VendorRef, TotalAmt, PayType (Check or CreditCard) with the
    account paid from in CheckPayment.BankAccountRef / CreditCardPayment.CCAccountRef."""
    vendor = party(ctx, data, "VendorRef", "Vendor")
    total = _total(data)
    pay_type = data.get("PayType")
    if pay_type not in BILL_PAYMENT_TXN_TYPES:
        raise (
            errors.required("PayType")
            if pay_type is None
            else errors.invalid_enum("PayType", str(pay_type))
        )
    detail_field, account_field = (
        ("CheckPayment", "BankAccountRef")
        if pay_type == "Check"
        else ("CreditCardPayment", "CCAccountRef")
    )
    account_id = ref_id(data.get(detail_field) or {}, account_field)
    if account_id is None:
        raise errors.required(f"{detail_field}.{account_field}")
    account = referenced(ctx.company, "Account", account_id, "Accounts")
    lines, net = _lines(ctx, data, existing, "BillPayment", ("VendorRef", vendor["Id"]))
    if net > total:
        raise errors.business(
            "The amount applied to transactions exceeds the payment amount (TotalAmt).", "Line"
        )
    body = header(ctx, data, "BillPayment", vendor, "VendorRef")
    body.update(
        Line=lines,
        TotalAmt=total,
        PayType=pay_type,
        **{detail_field: {account_field: {"value": account["Id"], "name": account["Name"]}}},
    )
    return body


def _total(data: dict) -> Decimal:
    if data.get("TotalAmt") is None:
        raise errors.required("TotalAmt")
    return money(data["TotalAmt"], "TotalAmt")


def _lines(
    ctx: WriteContext, data: dict, existing: dict | None, entity: str, owner: tuple[str, str]
) -> tuple[list[dict], Decimal]:
    """The payment's lines, each checked against the open balance of what it pays, and the
    net it applies (a credit memo line takes money back off the payment)."""
    own = existing["Id"] if existing else None
    party_field, party_id = owner
    lines, net = [], ZERO
    for raw in data.get("Line") or []:
        amount = money(raw.get("Amount", 0), "Line.Amount")
        links = raw.get("LinkedTxn") or []
        for link in links:
            txn_type, txn_id = link.get("TxnType"), str(link.get("TxnId"))
            target = ctx.company.get(txn_type, txn_id) if txn_type in PAYABLE[entity] else None
            if target is None or target[party_field]["value"] != party_id:
                raise errors.QBOFault(
                    "Txn ID Cannot Be Linked",
                    "620",
                    f"The Txn ID {txn_id} you're trying to use can't be linked.",
                )
            open_amount = target["TotalAmt"] - applied(
                ctx.company, txn_id, txn_type, skip_payment=own
            )
            if amount > open_amount:
                raise errors.business(
                    "The payment amount is more than the open balance of the transaction.",
                    "Line.Amount",
                )
            net += -amount if txn_type == "CreditMemo" else amount
        lines.append(
            {
                "Amount": amount,
                "LinkedTxn": [{"TxnId": str(k["TxnId"]), "TxnType": k["TxnType"]} for k in links],
            }
        )
    return lines, net
