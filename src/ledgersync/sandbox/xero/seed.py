"""The seeded organisations, matching notes/demo-data.md: "Demo Trades Ltd" (UK VAT, the
default) and "Second Fix Plumbing Ltd" (a few customers, the same chart).

Contacts and documents go through the same writers as the API, so the seed obeys the
sandbox's own rules. Ids are uuid5 of names (a reset gives the same ids); document dates
are relative to today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from ledgersync.sandbox.core import demo
from ledgersync.sandbox.xero import contacts, documents, payments
from ledgersync.sandbox.xero.store import Organisation, seed_id

DEMO, SECOND = demo.DEMO_COMPANY, demo.SECOND_COMPANY
SHORT_CODES = {DEMO: "!dT7mq", SECOND: "!sF2pL"}

# TaxType, Name, ReportTaxType, rate %, applies to revenue, applies to expenses
UK_TAX_RATES = [
    ("OUTPUT2", "20% (VAT on Income)", "OUTPUT", "20", True, False),
    ("INPUT2", "20% (VAT on Expenses)", "INPUT", "20", False, True),
    ("RROUTPUT", "5% (VAT on Income)", "OUTPUT", "5", True, False),
    ("RRINPUT", "5% (VAT on Expenses)", "INPUT", "5", False, True),
    ("ZERORATEDOUTPUT", "Zero Rated Income", "ZERORATEDOUTPUT", "0", True, False),
    ("ZERORATEDINPUT", "Zero Rated Expenses", "ZERORATEDINPUT", "0", False, True),
    ("EXEMPTOUTPUT", "Exempt Income", "EXEMPTOUTPUT", "0", True, False),
    ("EXEMPTINPUT", "Exempt Expenses", "EXEMPTINPUT", "0", False, True),
    ("NONE", "No VAT", "NONE", "0", True, True),
    ("ECZROUTPUT", "Zero Rated EC Goods Income", "ECOUTPUT", "0", True, False),
    ("ECACQUISITIONS", "20% (VAT on EC Acquisitions)", "ECACQUISITIONS", "20", False, True),
]

# Code, Name, Type, Class, default TaxType (None: no tax rate set), SystemAccount
CHART = [
    ("1100", "Debtors", "CURRENT", "ASSET", "NONE", "DEBTORS"),
    ("1200", "Bank current account", "BANK", "ASSET", "NONE", None),
    ("2100", "Creditors", "CURRLIAB", "LIABILITY", "NONE", "CREDITORS"),
    ("2200", "VAT", "CURRLIAB", "LIABILITY", "NONE", "GST"),
    ("3000", "Capital", "EQUITY", "EQUITY", "NONE", None),
    ("4000", "Sales - Labour", "REVENUE", "REVENUE", "OUTPUT2", None),
    ("4010", "Sales - Materials", "REVENUE", "REVENUE", "OUTPUT2", None),
    ("4020", "Sales - Call-out fees", "REVENUE", "REVENUE", "OUTPUT2", None),
    ("4030", "Sales - Sundries", "REVENUE", "REVENUE", None, None),
    ("5000", "Purchases - Materials", "DIRECTCOSTS", "EXPENSE", "INPUT2", None),
    ("5010", "Subcontractors", "DIRECTCOSTS", "EXPENSE", "INPUT2", None),
    ("7500", "Vehicle running costs", "OVERHEADS", "EXPENSE", "INPUT2", None),
    ("8200", "Bank charges", "OVERHEADS", "EXPENSE", "EXEMPTINPUT", None),
]
BANK = "1200"

# The e-mail addresses Xero holds for the demo contacts; the others have none.
EMAILS = {
    "Harbour Cafe": "hello@harbourcafe.example",
    "Greenway Lettings Limited": "accounts@greenway.example",
    "Oakfield Primary School": "office@oakfield.example",
    "Riverside Property Management": "ap@riverside.example",
    "Castle Hotel Group": "payables@castlehotels.example",
    "Builders Merchants Direct": "invoices@bmd.example",
}
CONTACTS = {
    DEMO: (*demo.DEMO_CUSTOMERS, *demo.DEMO_SUPPLIERS),
    SECOND: (*demo.SECOND_CUSTOMERS, *demo.SECOND_SUPPLIERS),
}
ARCHIVED = {DEMO: ["Old Mill Bakery"], SECOND: []}


def seed_organisations(now: Callable[[], datetime]) -> dict[str, Organisation]:
    """Both organisations, the default first, by tenant id."""
    orgs = {}
    for name in (DEMO, SECOND):
        org = Organisation(
            tenant_id=seed_id("tenant", name),
            name=name,
            short_code=SHORT_CODES[name],
            created=now() - timedelta(days=400),
            now=now,
        )
        _settings(org)
        _tracking(org)
        _contacts(org)
        if name == DEMO:
            _demo_documents(org)
        orgs[org.tenant_id] = org
    return orgs


def _settings(org: Organisation) -> None:
    for tax_type, name, report, rate, revenue, expenses in UK_TAX_RATES:
        percent = Decimal(rate)
        org.tax_rates[tax_type] = {
            "Name": name,
            "TaxType": tax_type,
            "ReportTaxType": report,
            "CanApplyToAssets": True,
            "CanApplyToEquity": True,
            "CanApplyToExpenses": expenses,
            "CanApplyToLiabilities": True,
            "CanApplyToRevenue": revenue,
            "DisplayTaxRate": percent,
            "EffectiveRate": percent,
            "Status": "ACTIVE",
            "TaxComponents": [
                {"Name": "VAT", "Rate": percent, "IsCompound": False, "IsNonRecoverable": False}
            ],
        }
    for code, name, kind, klass, default_tax, system in CHART:
        account_id = seed_id(org.name, "account", code)
        account = {
            "AccountID": account_id,
            "Code": code,
            "Name": name,
            "Status": "ACTIVE",
            "Type": kind,
            "Class": klass,
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": klass == "EXPENSE",
            "HasAttachments": False,
            "AddToWatchlist": False,
            "UpdatedDateUTC": org.created,
        }
        if default_tax is not None:
            account["TaxType"] = default_tax
        if system is not None:
            account["SystemAccount"] = system
        if kind == "BANK":
            account.update(
                {
                    "BankAccountNumber": "40123412345678",
                    "BankAccountType": "BANK",
                    "CurrencyCode": "GBP",
                }
            )
        org.accounts[account_id] = account


def _tracking(org: Organisation) -> None:
    """Two categories (Xero allows two active): "Job" for the kinds of job (one archived
    option) and "Region" for where the work is."""
    for name, options, archived in (
        ("Job", demo.DEMO_JOBS, (demo.RETIRED_JOB,)),
        ("Region", demo.DEMO_PLACES, ()),
    ):
        category_id = seed_id(org.name, "tracking", name)
        org.tracking_categories[category_id] = {
            "TrackingCategoryID": category_id,
            "Name": name,
            "Status": "ACTIVE",
            "Options": [
                {
                    "TrackingOptionID": seed_id(org.name, "tracking", name, option),
                    "Name": option,
                    "Status": "ARCHIVED" if option in archived else "ACTIVE",
                }
                for option in (*options, *archived)
            ],
        }


def _contacts(org: Organisation) -> None:
    for name in CONTACTS[org.name]:
        contacts.save(
            org,
            {"Name": name, "EmailAddress": EMAILS.get(name, "")},
            contacts.blank(seed_id(org.name, "contact", name)),
        )
    for name in ARCHIVED[org.name]:
        blank = contacts.blank(seed_id(org.name, "contact", name))
        contacts.save(org, {"Name": name, "ContactStatus": "ARCHIVED"}, blank)


def _contact_id(org: Organisation, name: str) -> str:
    return seed_id(org.name, "contact", name)


def _document(org: Organisation, kind: documents.DocKind, key: str, data: dict) -> dict:
    record = documents.save(org, kind, data, unitdp=2)
    records = kind.records(org)
    del records[record[kind.id_field]]
    record[kind.id_field] = seed_id(org.name, kind.singular, key)
    records[record[kind.id_field]] = record
    return record


def _sale(org: Organisation, number: str, customer: str, net: str | Decimal, days_ago: int) -> dict:
    day = org.today() - timedelta(days=days_ago)
    line = {
        "Description": "Works as quoted",
        "Quantity": 1,
        "UnitAmount": Decimal(net),
        "AccountCode": "4000",
    }
    data = {
        "Type": "ACCREC",
        "InvoiceNumber": number,
        "Contact": {"ContactID": _contact_id(org, customer)},
        "Date": day.isoformat(),
        "DueDate": (day + timedelta(days=30)).isoformat(),
        "Status": "AUTHORISED",
        "LineItems": [line],
    }
    return _document(org, documents.INVOICES, number, data)


def _demo_documents(org: Organisation) -> None:
    for sale in demo.HISTORY:
        invoice = _sale(org, sale.number, sale.customer, sale.net, sale.days_ago)
        if sale.paid:
            amount = sale.paid_amount(invoice["Total"])
            day = org.today() - timedelta(days=sale.days_ago - 10)
            payments.create(
                org,
                {
                    "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                    "Account": {"Code": BANK},
                    "Date": day.isoformat(),
                    "Amount": amount,
                },
            )
    _sale(org, "S1003", "Oakfield Primary School", "150.00", 14)
    day = org.today() - timedelta(days=9)
    bill = {
        "Type": "ACCPAY",
        "InvoiceNumber": "BMD-5521",
        "Contact": {"ContactID": _contact_id(org, "Builders Merchants Direct")},
        "Date": day.isoformat(),
        "DueDate": (day + timedelta(days=30)).isoformat(),
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Timber and fixings",
                "Quantity": 1,
                "UnitAmount": Decimal("420.00"),
                "AccountCode": "5000",
            }
        ],
    }
    _document(org, documents.INVOICES, "BMD-5521", bill)
