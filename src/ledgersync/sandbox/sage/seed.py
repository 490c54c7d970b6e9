"""The seeded businesses, matching notes/demo-data.md: "Demo Trades Ltd" (the lead
business) and "Second Fix Plumbing Ltd" (a few customers, the same chart).

Contacts and documents go through the same writers as the API, so the seed obeys the
sandbox's own rules. Document dates are relative to today.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from ledgersync.sandbox.core import demo
from ledgersync.sandbox.sage import contacts, documents, ledger
from ledgersync.sandbox.sage.settings import SageSettings
from ledgersync.sandbox.sage.store import Business, business_id

DEMO_NAME, SECOND_NAME = demo.DEMO_COMPANY, demo.SECOND_COMPANY
DEMO_ID, SECOND_ID = business_id(DEMO_NAME), business_id(SECOND_NAME)

# (nominal code, name, ledger_account_type, default tax rate, control name)
CHART = [
    (1100, "Debtors Control", "CURRENT_ASSETS", None, "customer_receipts"),
    (1200, "Bank current account", "BANK", None, None),
    (2100, "Creditors Control", "CURRENT_LIABILITY", None, "vendor_payments"),
    (2200, "VAT", "CURRENT_LIABILITY", None, "sales_tax"),
    (3000, "Capital", "EQUITY", None, None),
    (4000, "Sales - Labour", "SALES", "GB_STANDARD", None),
    (4010, "Sales - Materials", "SALES", "GB_STANDARD", None),
    (4020, "Sales - Call-out fees", "SALES", "GB_STANDARD", None),
    (4030, "Sales - Sundries", "SALES", None, None),  # no rate: drives NOMINAL_NO_TAX
    (5000, "Purchases - Materials", "DIRECT_EXPENSES", "GB_STANDARD", None),
    (5010, "Subcontractors", "DIRECT_EXPENSES", "GB_STANDARD", None),
    (7500, "Vehicle running costs", "OVERHEADS", "GB_STANDARD", None),
    (8200, "Bank charges", "OVERHEADS", "GB_EXEMPT", None),
]

# Sage's second business has customers of its own and the demo's first supplier.
SECOND_CUSTOMERS = ["Harbour Cafe", "Quayside Flats Management", "Elm Road Dental"]
# Sage creates these in every UK business (seen in real list responses).
SYSTEM_CONTACTS = [("HMRC Payments", "HMRC Pay"), ("HMRC Reclaimed", "HMRC Rec")]


def seed_businesses(now: Callable[[], datetime], settings: SageSettings) -> dict[str, Business]:
    first = _business(DEMO_ID, DEMO_NAME, now, demo.DEMO_CUSTOMERS, demo.DEMO_SUPPLIERS)
    _demo_documents(first, settings)
    second = _business(SECOND_ID, SECOND_NAME, now, SECOND_CUSTOMERS, demo.DEMO_SUPPLIERS[:1])
    return {first.id: first, second.id: second}


def _business(
    bid: str,
    name: str,
    now: Callable[[], datetime],
    customers: Sequence[str],
    vendors: Sequence[str],
) -> Business:
    business = Business(
        bid, name, now, address={"city": "Poole", "postal_code": "BH15 1AA", "country": "GB"}
    )
    for rate in ledger.UK_TAX_RATES:
        ledger.tax_rate(business, *rate)
    for code, account_name, type_id, rate_id, control in CHART:
        ledger.ledger_account(business, code, account_name, type_id, rate_id, control)
    bank = next(a for a in business.all("ledger_accounts") if a["nominal_code"] == 1200)
    business.add(
        "bank_accounts",
        business.stamped(
            "bank_accounts",
            business.new_id("bank_accounts"),
            "Bank current account (1200)",
            {
                "ledger_account": business.base("ledger_accounts", bank),
                "bank_account_type": {"id": "CHECKING"},
            },
        ),
    )
    for contact_name, reference in SYSTEM_CONTACTS:
        contact = contacts.add_contact(business, contact_name, "VENDOR", reference=reference)
        contact["system"], contact["deletable"] = True, False
    for contact_name in customers:
        contacts.add_contact(
            business, contact_name, "CUSTOMER", reference=_ref(business, contact_name)
        )
    for contact_name in vendors:
        contacts.add_contact(
            business, contact_name, "VENDOR", reference=_ref(business, contact_name)
        )
    return business


def _ref(business: Business, name: str) -> str:
    return contacts.reference_for(business, name)


def contact_named(business: Business, name: str) -> dict:
    return next(c for c in business.all("contacts") if c["name"] == name)


def account_coded(business: Business, code: int) -> dict:
    return next(a for a in business.all("ledger_accounts") if a["nominal_code"] == code)


def _line(
    business: Business, code: int, text: str, net: Decimal, rate: str = "GB_STANDARD"
) -> dict:
    tax = (net * Decimal("0.2")).quantize(Decimal("0.01")) if rate == "GB_STANDARD" else None
    line = {
        "description": text,
        "ledger_account_id": account_coded(business, code)["id"],
        "quantity": 1,
        "unit_price": net,
        "tax_rate_id": rate,
    }
    if tax is not None:
        line["tax_amount"] = tax
    return line


def _day(business: Business, days_ago: int) -> str:
    return (business.now().date() - timedelta(days=days_ago)).isoformat()


def _sale(
    business: Business,
    settings: SageSettings,
    customer: str,
    reference: str,
    age: int,
    net: Decimal,
    text: str,
) -> dict:
    body = {
        "contact_id": contact_named(business, customer)["id"],
        "date": _day(business, age),
        "due_date": _day(business, age - 30),
        "reference": reference,
        "invoice_lines": [_line(business, 4000, text, net)],
    }
    return documents.create(business, settings, documents.SALES_INVOICE, {"sales_invoice": body})


def _settle(business: Business, invoice: dict, days_ago: int) -> None:
    payment = {
        "transaction_type_id": "CUSTOMER_RECEIPT",
        "contact_id": invoice["contact"]["id"],
        "bank_account_id": business.all("bank_accounts")[0]["id"],
        "date": _day(business, days_ago),
        "total_amount": invoice["total_amount"],
        "allocated_artefacts": [{"artefact_id": invoice["id"], "amount": invoice["total_amount"]}],
    }
    documents.pay(business, {"contact_payment": payment})


def _demo_documents(business: Business, settings: SageSettings) -> None:
    history = [
        ("Tidewater Marine", "S0990", 80, Decimal("420.00")),
        ("Kingsmead Surgery", "S0995", 60, Decimal("95.00")),
        ("Castle Hotel Group", "S0999", 40, Decimal("1250.00")),
    ]
    sales = [
        _sale(business, settings, customer, reference, age, net, "Maintenance visit")
        for customer, reference, age, net in history
    ]
    for invoice in sales[:2]:  # two paid, one still owing
        _settle(business, invoice, 20)
    oakfield = ("Oakfield Primary School", "S1003", 10, Decimal("150.00"))
    _sale(business, settings, *oakfield, "Labour: boiler service")
    bill = {
        "contact_id": contact_named(business, "Builders Merchants Direct")["id"],
        "date": _day(business, 15),
        "due_date": _day(business, -15),
        "reference": "",
        "vendor_reference": "BMD-5521",
        "invoice_lines": [_line(business, 5000, "Copper pipe and fittings", Decimal("312.40"))],
    }
    documents.create(business, settings, documents.PURCHASE_INVOICE, {"purchase_invoice": bill})
