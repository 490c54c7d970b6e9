"""The demo organisation "Demo Trades Ltd": seeded idempotently, matching the sandboxes.

The sandboxes seed the same company (see sandbox seed data), so after connecting the demo
shows every path of the product guide: Link This (Harbour Cafe), Suggestions (Greenway
Lettings Ltd ~ Limited), Create New (Northgate Dental Practice), a missing nominal (4090),
a nominal without tax (4030), a number already used in the package (S1003), a blank line,
a care-of agent not in the package, and an invoice not yet sent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ledgersync.records.models import (
    Account,
    DocType,
    NominalCode,
    NumberSequence,
    Organisation,
    Role,
    SentVia,
    Supplier,
    TaxCode,
    User,
)
from ledgersync.records.services import create_document

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo"  # the demo's own logins only; printed by `ledgersync demo`
DEMO_USERS = [
    ("admin", Role.ADMINISTRATOR),
    ("accounts", Role.ACCOUNTS),
    ("engineer", Role.ENGINEER),
]

TAX_CODES = [
    ("S", "Standard 20%", "20"),
    ("R", "Reduced 5%", "5"),
    ("Z", "Zero rated", "0"),
    ("E", "Exempt", "0"),
    ("NT", "No VAT (outside scope)", "0"),
]
NOMINALS = [
    ("4000", "Sales - Labour", "sales", "S"),
    ("4010", "Sales - Materials", "sales", "S"),
    ("4020", "Sales - Call-out fees", "sales", "S"),
    ("4030", "Sales - Sundries", "sales", None),
    ("4090", "Sales - Other", "sales", "S"),
    ("5000", "Purchases - Materials", "purchase", "S"),
    ("5010", "Subcontractors", "purchase", "S"),
    ("7500", "Vehicle running costs", "purchase", "S"),
]
COMPANIES = [
    (
        "A1001",
        "Harbour Cafe",
        "orders@harbourcafe.example",
        "1 Quay Street",
        "Falmouth",
        "TR11 3HH",
    ),
    (
        "A1002",
        "Greenway Lettings Ltd",
        "accounts@greenway.example",
        "22 Market Road",
        "Truro",
        "TR1 2AB",
    ),
    (
        "A1003",
        "Northgate Dental Practice",
        "reception@northgate.example",
        "5 North Gate",
        "Bodmin",
        "PL31 1AA",
    ),
    (
        "A1004",
        "Oakfield Primary School",
        "office@oakfield.example",
        "Oak Lane",
        "Penryn",
        "TR10 8AA",
    ),
    (
        "A1005",
        "Bright Spark Electrical",
        "hello@brightspark.example",
        "Unit 3, Kernick Ind Est",
        "Penryn",
        "TR10 9EP",
    ),
    (
        "A1006",
        "Riverside Property Management",
        "maintenance@riverside.example",
        "40 River Street",
        "Truro",
        "TR1 2SJ",
    ),
    (
        "A1008",
        "Lee Property Agents",
        "lettings@leeagents.example",
        "9 Boscawen Street",
        "Truro",
        "TR1 2QU",
    ),
]
SITES = [("A1007", "Riverside - 4 Quay Street", "A1006", "4 Quay Street", "Truro", "TR1 2HE")]
SUPPLIERS = [
    ("P2001", "Builders Merchants Direct", "sales@bmd.example"),
    ("P2002", "Apex Plant Hire Ltd", "hire@apex.example"),
    ("P2003", "Coastal Timber Supplies", "orders@coastaltimber.example"),
]


def _line(text, nominal, price, qty="1"):
    return {"text": text, "nominal": nominal, "unit_price": price, "quantity": qty}


# (number, type, party, care_of, sent, lines); each drives one status code after Sync.
DOCUMENTS = [
    (
        "S1001",
        DocType.SALES_INVOICE,
        "A1001",
        None,
        False,
        [_line("Replace extractor fan motor", "4000", "180.00")],
    ),  # NOT_SENT
    (
        "S1002",
        DocType.SALES_INVOICE,
        "A1001",
        None,
        True,
        [
            _line("Annual gas safety check", "4000", "95.00"),
            _line("Thermocouple", "4010", "18.50", "2"),
        ],
    ),
    (
        "S1003",
        DocType.SALES_INVOICE,
        "A1004",
        None,
        True,
        [_line("Classroom lighting repair", "4000", "150.00")],
    ),  # DUPLICATE_NUMBER
    (
        "S1004",
        DocType.SALES_INVOICE,
        "A1002",
        None,
        True,
        [_line("Void property inspection", "4000", "120.00")],
    ),  # ACCOUNT_NOT_LINKED (suggestion)
    (
        "S1005",
        DocType.SALES_INVOICE,
        "A1003",
        None,
        True,
        [_line("Air conditioning service", "4000", "260.00")],
    ),  # ACCOUNT_NOT_LINKED (create new)
    (
        "S1006",
        DocType.SALES_INVOICE,
        "A1005",
        None,
        True,
        [_line("Labour", "4000", "200.00"), _line("Skip hire recharge", "4090", "85.00")],
    ),  # NOMINAL_MISSING
    (
        "S1007",
        DocType.SALES_INVOICE,
        "A1005",
        None,
        True,
        [_line("Sundry fixings", "4030", "12.40")],
    ),  # NOMINAL_NO_TAX
    (
        "S1008",
        DocType.SALES_INVOICE,
        "A1005",
        None,
        True,
        [_line("Fault finding", "4000", "75.00"), _line("", "4010", "10.00")],
    ),  # BLANK_LINE
    (
        "S1009",
        DocType.SALES_INVOICE,
        "A1007",
        "A1008",
        True,
        [_line("Leaking tap repaired", "4000", "65.00")],
    ),  # CARE_OF_NOT_LINKED (QuickBooks)
    (
        "S1010",
        DocType.SALES_INVOICE,
        "A1006",
        None,
        True,
        [
            _line("Communal lighting check", "4000", "110.00"),
            _line("LED lamps", "4010", "4.25", "12"),
        ],
    ),
    (
        "C0001",
        DocType.SALES_CREDIT_NOTE,
        "A1001",
        None,
        False,
        [_line("Refund: thermocouple returned", "4010", "18.50")],
    ),
    (
        "C0002",
        DocType.SALES_CREDIT_NOTE,
        "A1002",
        None,
        False,
        [_line("Goodwill credit", "4000", "20.00")],
    ),
    (
        "BMD-6010",
        DocType.SUPPLIER_INVOICE,
        "P2001",
        None,
        False,
        [_line("Copper pipe 15mm x 20", "5000", "96.40"), _line("Delivery", "5000", "12.00")],
    ),
    (
        "BMD-5521",
        DocType.SUPPLIER_INVOICE,
        "P2001",
        None,
        False,
        [_line("Cement 25kg x 10", "5000", "61.90")],
    ),  # DUPLICATE_NUMBER (already in package)
    (
        "APX-311",
        DocType.SUPPLIER_INVOICE,
        "P2002",
        None,
        False,
        [_line("Mini digger hire, 2 days", "5010", "240.00")],
    ),  # supplier not linked (suggestion)
    (
        "CT-0094",
        DocType.SUPPLIER_INVOICE,
        "P2003",
        None,
        False,
        [_line("Treated timber", "5000", "310.00")],
    ),  # supplier not linked (create new)
]


@transaction.atomic
def seed_codes(organisation: Organisation) -> None:
    """The demo chart: UK tax codes, and nominal codes each with its default tax code."""
    taxes = {
        code: TaxCode.objects.create(
            organisation=organisation, code=code, name=name, rate=Decimal(rate)
        )
        for code, name, rate in TAX_CODES
    }
    for code, description, kind, tax in NOMINALS:
        NominalCode.objects.create(
            organisation=organisation,
            code=code,
            description=description,
            kind=kind,
            default_tax_code=taxes[tax] if tax else None,
        )


def seed_demo() -> Organisation:
    """Create the demo organisation, or leave it as it is if it already exists."""
    organisation, created = Organisation.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Demo Trades Ltd", "provider": "quickbooks"}
    )
    for username, role in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                organisation=organisation,
                role=role,
                first_name=username.capitalize(),
            )
    if not created:
        return organisation
    seed_codes(organisation)
    for number, name, email, street, city, postcode in COMPANIES:
        Account.objects.create(
            organisation=organisation,
            number=number,
            name=name,
            email=email,
            address_line1=street,
            city=city,
            postcode=postcode,
        )
    for number, name, company, street, city, postcode in SITES:
        Account.objects.create(
            organisation=organisation,
            number=number,
            name=name,
            kind=Account.Kind.SITE,
            company=Account.objects.get(organisation=organisation, number=company),
            address_line1=street,
            city=city,
            postcode=postcode,
        )
    for number, name, email in SUPPLIERS:
        Supplier.objects.create(organisation=organisation, number=number, name=name, email=email)
    _seed_documents(organisation)
    return organisation


def _seed_documents(organisation: Organisation) -> None:
    today = timezone.localdate()
    for age, (number, doc_type, party, care_of, sent, lines) in enumerate(reversed(DOCUMENTS)):
        issued = today - dt.timedelta(days=age + 1)
        create_document(
            organisation,
            {
                "type": doc_type,
                "number": number,
                "supplier" if doc_type == DocType.SUPPLIER_INVOICE else "account": party,
                "care_of": care_of,
                "issue_date": issued,
                "due_date": issued + dt.timedelta(days=30),
                "lines": lines,
                "sent_via": SentVia.EMAIL if sent else None,
                "mark_for_sync": True,
            },
        )
    # Sales sequences continue after the seeded numbers.
    NumberSequence.objects.update_or_create(
        organisation=organisation,
        doc_type=DocType.SALES_INVOICE,
        defaults={"prefix": "S", "width": 4, "next_value": 1011},
    )
    NumberSequence.objects.update_or_create(
        organisation=organisation,
        doc_type=DocType.SALES_CREDIT_NOTE,
        defaults={"prefix": "C", "width": 4, "next_value": 3},
    )
