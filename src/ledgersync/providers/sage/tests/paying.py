"""Recording a payment in the Sage sandbox through Sage's own API: ``POST /contact_payments``
(a customer receipt or a vendor payment) allocated to the document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx

from ledgersync.providers.base import Credentials, DocType

TRANSACTION_TYPES = {
    DocType.SALES_INVOICE: "CUSTOMER_RECEIPT",
    DocType.SUPPLIER_INVOICE: "VENDOR_PAYMENT",
}


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
    headers = {
        "Authorization": f"Bearer {credentials.access_token}",
        "X-Business": credentials.company_id,
    }
    banks = http.get("/v3.1/bank_accounts", headers=headers).raise_for_status().json()
    payment = {
        "transaction_type_id": TRANSACTION_TYPES[doc_type],
        "contact_id": contact_id,
        "bank_account_id": banks["$items"][0]["id"],
        "date": day.isoformat(),
        "total_amount": str(amount),
        "reference": reference,
        "allocated_artefacts": [{"artefact_id": remote_id, "amount": str(amount)}],
    }
    http.post(
        "/v3.1/contact_payments", json={"contact_payment": payment}, headers=headers
    ).raise_for_status()
