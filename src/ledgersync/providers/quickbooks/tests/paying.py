"""Recording a payment in the QuickBooks sandbox through QuickBooks' own API, as the
package's user would: a Payment against an invoice, a BillPayment (by cheque) against a bill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx

from ledgersync.providers.base import Credentials, DocType

MINOR = {"minorversion": "75"}


def record_payment(
    http: httpx.Client,
    credentials: Credentials,
    *,
    remote_id: str,
    doc_type: DocType,
    contact_id: str,
    amount: Decimal,
    reference: str,
    day: date,
) -> None:
    root = f"/v3/company/{credentials.company_id}"
    headers = {"Authorization": f"Bearer {credentials.access_token}", "Accept": "application/json"}
    line = {"Amount": float(amount), "LinkedTxn": [{"TxnId": remote_id, "TxnType": "Invoice"}]}
    body: dict = {"TotalAmt": float(amount), "TxnDate": day.isoformat(), "Line": [line]}
    if doc_type is DocType.SUPPLIER_INVOICE:
        found = http.get(
            f"{root}/query",
            params={"query": "select * from Account where AccountType = 'Bank'", **MINOR},
            headers=headers,
        ).raise_for_status()
        bank = found.json()["QueryResponse"]["Account"][0]["Id"]
        line["LinkedTxn"][0]["TxnType"] = "Bill"
        body.update(
            VendorRef={"value": contact_id},
            PayType="Check",
            CheckPayment={"BankAccountRef": {"value": bank}},
            DocNumber=reference,
        )
        path = f"{root}/billpayment"
    else:
        if doc_type is DocType.SALES_CREDIT_NOTE:
            raise ValueError("a credit memo is applied to an invoice, not paid")
        body.update(CustomerRef={"value": contact_id}, PaymentRefNum=reference)
        path = f"{root}/payment"
    http.post(path, params=MINOR, json=body, headers=headers).raise_for_status()
