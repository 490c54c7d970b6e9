"""The seeded companies, matching notes/demo-data.md: "Demo Trades Ltd" (UK VAT, the
default) and "Second Fix Plumbing Ltd" (UK by default; the US tax model on request).

Everything except tax codes is created through the same writers the API uses, so the
seed obeys the sandbox's own rules. Transaction dates are relative to today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from ledgersync.sandbox.core import demo
from ledgersync.sandbox.quickbooks import operations
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.settings import QuickBooksSettings
from ledgersync.sandbox.quickbooks.store import Company, envelope

DEMO_REALM, SECOND_REALM = "9341452168453012", "9341452168453013"

# (Id, code name, rate %) for UK VAT; each has a sales and a purchase TaxRate.
UK_CODES = [
    ("2", "20.0% S", Decimal("20")),
    ("3", "5.0% R", Decimal("5")),
    ("4", "0.0% Z", Decimal("0")),
    ("5", "Exempt", Decimal("0")),
    ("6", "No VAT", Decimal("0")),
]
STANDARD = "2"
EXEMPT = "5"

# (AcctNum, Name, AccountType, AccountSubType, default TaxCode Id or None)
CHART = [
    ("1100", "Debtors", "Accounts Receivable", "AccountsReceivable", None),
    ("1200", "Bank current account", "Bank", "Checking", None),
    ("1210", "Undeposited funds", "Other Current Asset", "UndepositedFunds", None),
    ("2100", "Creditors", "Accounts Payable", "AccountsPayable", None),
    ("2200", "VAT", "Other Current Liability", "GlobalTaxPayable", None),
    ("3000", "Capital", "Equity", "OwnersEquity", None),
    ("4000", "Sales - Labour", "Income", "ServiceFeeIncome", STANDARD),
    ("4010", "Sales - Materials", "Income", "SalesOfProductIncome", STANDARD),
    ("4020", "Sales - Call-out fees", "Income", "ServiceFeeIncome", STANDARD),
    ("4030", "Sales - Sundries", "Income", "OtherPrimaryIncome", None),
    ("5000", "Purchases - Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs", STANDARD),
    ("5010", "Subcontractors", "Expense", "OtherMiscellaneousServiceCost", STANDARD),
    ("7500", "Vehicle running costs", "Expense", "Auto", STANDARD),
    ("8200", "Bank charges", "Expense", "BankCharges", EXEMPT),
]


def seed_companies(
    now: Callable[[], datetime],
    *,
    second_company_country: str = "GB",
    settings: QuickBooksSettings | None = None,
) -> dict[str, Company]:
    if second_company_country not in ("GB", "US"):
        raise ValueError("second_company_country must be GB or US")
    settings = settings or QuickBooksSettings()
    first = Company(DEMO_REALM, demo.DEMO_COMPANY, "GB", "Europe/London", now)
    tz = "Europe/London" if second_company_country == "GB" else "America/Los_Angeles"
    second = Company(SECOND_REALM, demo.SECOND_COMPANY, second_company_country, tz, now)
    for company, customers, vendors in (
        (first, demo.DEMO_CUSTOMERS, demo.DEMO_SUPPLIERS),
        (second, demo.SECOND_CUSTOMERS, demo.SECOND_SUPPLIERS),
    ):
        ctx = WriteContext(company, settings)
        _company_records(company)
        _tax_codes(company)
        _chart(ctx)
        _tracking(ctx)
        for name in customers:
            operations.save(ctx, "Customer", {"DisplayName": name, "CompanyName": name})
        for name in vendors:
            operations.save(ctx, "Vendor", {"DisplayName": name, "CompanyName": name})
    _demo_documents(WriteContext(first, settings))
    return {first.realm_id: first, second.realm_id: second}


def _stamp(company: Company) -> dict:
    now = company.stamp()
    return {"CreateTime": now, "LastUpdatedTime": now}


def _company_records(company: Company) -> None:
    country3 = "GBR" if company.country == "GB" else "USA"
    address = {
        "Id": "1",
        "Line1": "1 Harbour Road",
        "City": "Bristol",
        "PostalCode": "BS1 4RN",
        "Country": country3,
    }
    info = {
        "CompanyName": company.name,
        "LegalName": company.name,
        "CompanyAddr": address,
        "CustomerCommunicationAddr": address,
        "LegalAddr": address,
        "Country": company.country,
        "Email": {"Address": "accounts@example.com"},
        "FiscalYearStartMonth": "April",
        "SupportedLanguages": "en",
        "CompanyStartDate": "2015-04-01",
    }
    company.put("CompanyInfo", envelope("1", "0", info, _stamp(company)))
    # The sections every company's Preferences has (Intuit's Preferences entity reference;
    # python-quickbooks objects/preferences.py models the same ones).
    prefs = {
        "AccountingInfoPrefs": {
            "UseAccountNumbers": True,
            # Seeded with classes (one per line) and locations (Department), issue #18.
            "TrackDepartments": True,
            "DepartmentTerminology": "Location",
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": True,
            "FirstMonthOfFiscalYear": "April",
            "TaxYearMonth": "April",
            "CustomerTerminology": "Customers",
        },
        "ProductAndServicesPrefs": {
            "ForSales": True,
            "ForPurchase": True,
            "QuantityWithPriceAndRate": True,
            "QuantityOnHand": False,
        },
        "SalesFormsPrefs": {
            "CustomTxnNumbers": True,
            "AllowDeposit": True,
            "AllowDiscount": True,
            "AllowEstimates": True,
            "AllowServiceDate": False,
            "AllowShipping": False,
            "AutoApplyCredit": True,
            "AutoApplyPayments": True,
        },
        "VendorAndPurchasesPrefs": {
            "BillableExpenseTracking": False,
            "TrackingByCustomer": False,
        },
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": False},
        "CurrencyPrefs": {
            "MultiCurrencyEnabled": False,
            "HomeCurrency": {"value": company.currency["value"]},
        },
        "OtherPrefs": {
            "NameValue": [
                {"Name": "SalesFormsPrefs.DefaultCustomerMessage", "Value": ""},
                {"Name": "VendorAndPurchasesPrefs.UseBillableExpenseTracking", "Value": "false"},
                {"Name": "DTXCopyMemo", "Value": "false"},
            ]
        },
    }
    company.put("Preferences", envelope("1", "0", prefs, _stamp(company)))


def _rate(company: Company, name: str, percent: Decimal) -> dict:
    body = {
        "Name": name,
        "Description": name,
        "Active": True,
        "RateValue": percent,
        "AgencyRef": {"value": "1"},
        "SpecialTaxType": "NONE",
        "DisplayType": "ReadOnly",
    }
    return company.put("TaxRate", envelope(company.next_id("TaxRate"), "0", body, _stamp(company)))


def _rate_list(rate: dict | None) -> dict:
    if rate is None:
        return {"TaxRateDetail": []}
    return {
        "TaxRateDetail": [
            {
                "TaxRateRef": {"value": rate["Id"], "name": rate["Name"]},
                "TaxTypeApplicable": "TaxOnAmount",
                "TaxOrder": 0,
            }
        ]
    }


def _tax_codes(company: Company) -> None:
    if company.is_us:
        for code, taxable in (("TAX", True), ("NON", False)):
            company.put(
                "TaxCode",
                {
                    "Id": code,
                    "Name": code,
                    "Description": code,
                    "Taxable": taxable,
                    "TaxGroup": False,
                },
            )
        rate = _rate(company, "California", Decimal("8"))
        body = {
            "Name": "California",
            "Description": "California",
            "Active": True,
            "Hidden": False,
            "Taxable": True,
            "TaxGroup": True,
            "SalesTaxRateList": _rate_list(rate),
            "PurchaseTaxRateList": _rate_list(None),
        }
        company.put("TaxCode", envelope("2", "0", body, _stamp(company)))
        company.sequences["taxcodes"] = 2
        return
    for code_id, name, percent in UK_CODES:
        sales, purchase = (
            _rate(company, name, percent),
            _rate(company, f"{name} (Purchases)", percent),
        )
        body = {
            "Name": name,
            "Description": name,
            "Active": True,
            "Hidden": False,
            "Taxable": name != "No VAT",
            "TaxGroup": False,
            "SalesTaxRateList": _rate_list(sales),
            "PurchaseTaxRateList": _rate_list(purchase),
        }
        company.put("TaxCode", envelope(code_id, "0", body, _stamp(company)))
    company.sequences["taxcodes"] = int(UK_CODES[-1][0])


def _chart(ctx: WriteContext) -> None:
    for number, name, account_type, subtype, tax_code in CHART:
        data: dict[str, object] = {
            "Name": name,
            "AcctNum": number,
            "AccountType": account_type,
            "AccountSubType": subtype,
        }
        if tax_code and not ctx.company.is_us:
            data["TaxCodeRef"] = {"value": tax_code}
        operations.save(ctx, "Account", data)
    income = {a["AcctNum"]: a["Id"] for a in ctx.company.all("Account")}
    for name, number in (
        ("Services", "4000"),
        ("4000 Sales - Labour", "4000"),
        ("4010 Sales - Materials", "4010"),
    ):
        operations.save(
            ctx,
            "Item",
            {"Name": name, "Type": "Service", "IncomeAccountRef": {"value": income[number]}},
        )


def _tracking(ctx: WriteContext) -> None:
    """Classes for the kinds of job and locations (Department) for where the work is."""
    for name in demo.DEMO_JOBS:
        operations.save(ctx, "Class", {"Name": name})
    operations.save(ctx, "Class", {"Name": demo.RETIRED_JOB, "Active": False})
    for name in demo.DEMO_PLACES:
        operations.save(ctx, "Department", {"Name": name})


def _by_name(company: Company, entity: str, name: str) -> str:
    field = "Name" if entity in ("Account", "Item") else "DisplayName"
    return next(r["Id"] for r in company.all(entity) if r[field] == name)


def _sales_line(company: Company, net: str | Decimal, description: str) -> dict:
    return {
        "Amount": Decimal(net),
        "DetailType": "SalesItemLineDetail",
        "Description": description,
        "SalesItemLineDetail": {
            "ItemRef": {"value": _by_name(company, "Item", "4000 Sales - Labour")},
            "Qty": 1,
            "UnitPrice": Decimal(net),
            "TaxCodeRef": {"value": STANDARD},
        },
    }


def _demo_documents(ctx: WriteContext) -> None:
    company = ctx.company
    riverside = _by_name(company, "Customer", "Riverside Property Management")
    operations.save(
        ctx,
        "Customer",
        {
            "DisplayName": "Riverside - 4 Quay Street",
            "Job": True,
            "ParentRef": {"value": riverside},
            "BillWithParent": True,
        },
    )
    today = company.local_now().date()
    for sale in demo.HISTORY:
        invoice = operations.save(
            ctx,
            "Invoice",
            {
                "DocNumber": sale.number,
                "TxnDate": (today - timedelta(days=sale.days_ago)).isoformat(),
                "CustomerRef": {"value": _by_name(company, "Customer", sale.customer)},
                "Line": [_sales_line(company, sale.net, "Labour")],
            },
        )
        if sale.paid:
            amount = sale.paid_amount(invoice["TotalAmt"])
            operations.save(
                ctx,
                "Payment",
                {
                    "CustomerRef": invoice["CustomerRef"],
                    "TotalAmt": amount,
                    "TxnDate": (today - timedelta(days=sale.days_ago - 7)).isoformat(),
                    "Line": [
                        {
                            "Amount": amount,
                            "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}],
                        }
                    ],
                },
            )
    operations.save(
        ctx,
        "Invoice",
        {
            "DocNumber": "S1003",
            "TxnDate": (today - timedelta(days=3)).isoformat(),
            "CustomerRef": {"value": _by_name(company, "Customer", "Oakfield Primary School")},
            "Line": [_sales_line(company, "150.00", "Labour: replace classroom lighting")],
        },
    )
    operations.save(
        ctx,
        "Bill",
        {
            "DocNumber": "BMD-5521",
            "TxnDate": (today - timedelta(days=10)).isoformat(),
            "VendorRef": {"value": _by_name(company, "Vendor", "Builders Merchants Direct")},
            "Line": [
                {
                    "Amount": Decimal("250.00"),
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "Description": "Copper pipe and fittings",
                    "AccountBasedExpenseLineDetail": {
                        "AccountRef": {
                            "value": _by_name(company, "Account", "Purchases - Materials")
                        },
                        "TaxCodeRef": {"value": STANDARD},
                    },
                }
            ],
        },
    )
