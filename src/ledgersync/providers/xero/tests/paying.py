"""Recording a payment in the Xero sandbox through Xero's own API: ``PUT /Payments`` against
an invoice (sales or supplier), paid from the seeded bank account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx

from ledgersync.providers.base import Credentials, DocType

BANK_CODE = "1200"


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
    target = (
        {"CreditNote": {"CreditNoteID": remote_id}}
        if doc_type is DocType.SALES_CREDIT_NOTE
        else {"Invoice": {"InvoiceID": remote_id}}
    )
    payment = {
        **target,
        "Account": {"Code": BANK_CODE},
        "Date": day.isoformat(),
        "Amount": float(amount),
        "Reference": reference,
    }
    http.put(
        "/api.xro/2.0/Payments",
        json={"Payments": [payment]},
        headers={
            "Authorization": f"Bearer {credentials.access_token}",
            "xero-tenant-id": credentials.company_id,
            "Accept": "application/json",
        },
    ).raise_for_status()
