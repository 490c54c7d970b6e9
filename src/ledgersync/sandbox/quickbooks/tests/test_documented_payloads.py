"""Every example payload in reference/qbo.md is accepted. Where an example points at Ids
from Intuit's sample company (VendorRef 56, AccountRef 7, IncomeAccountRef 79), the test
swaps in the seeded record's Id and says so; everything else is sent verbatim."""

from __future__ import annotations

import json
from decimal import Decimal

from ledgersync.sandbox.quickbooks.tests.conftest import Api


def test_the_customer_example_is_accepted(api):
    body = json.loads(
        """{"DisplayName":"King's Groceries","CompanyName":"King Groceries","GivenName":"James","FamilyName":"King",
 "PrimaryEmailAddr":{"Address":"jdrew@myemail.com"},"PrimaryPhone":{"FreeFormNumber":"(555) 555-5555"},
 "BillAddr":{"Line1":"123 Main Street","City":"Mountain View","CountrySubDivisionCode":"CA","PostalCode":"94042","Country":"USA"}}"""
    )
    response = api.post("customer", body)
    assert response.status_code == 200
    customer = response.json()["Customer"]
    assert (customer["SyncToken"], customer["domain"], customer["sparse"]) == ("0", "QBO", False)
    assert (
        customer["DisplayName"],
        customer["FullyQualifiedName"],
        customer["Job"],
        customer["Active"],
    ) == (
        "King's Groceries",
        "King's Groceries",
        False,
        True,
    )
    assert customer["Id"].isdigit()
    assert set(customer["MetaData"]) == {"CreateTime", "LastUpdatedTime"}


def test_the_vendor_example_is_accepted(api):
    response = api.post("vendor", {"DisplayName": "Smith Family Store"})
    vendor = response.json()["Vendor"]
    assert response.status_code == 200
    assert (
        vendor["PrintOnCheckName"],
        vendor["Active"],
        vendor["Balance"],
        vendor["Vendor1099"],
    ) == (
        "Smith Family Store",
        True,
        0,
        False,
    )
    assert vendor["CurrencyRef"] == {"value": "GBP", "name": "British Pound Sterling"}


def test_the_invoice_example_is_accepted_by_a_us_company(us_api):
    body = json.loads(
        """{"CustomerRef":{"value":"1"},"TxnDate":"2015-07-24","DocNumber":"1070",
 "Line":[{"Amount":150.0,"DetailType":"SalesItemLineDetail","Description":"Labour",
          "SalesItemLineDetail":{"ItemRef":{"value":"1"},"Qty":1,"UnitPrice":150.0,"TaxCodeRef":{"value":"NON"}}},
         {"DetailType":"DescriptionOnly","Description":"Job ref 4711","DescriptionLineDetail":{}}]}"""
    )
    response = us_api.post("invoice", body)
    assert response.status_code == 200, response.text
    invoice = response.json()["Invoice"]
    assert (invoice["DocNumber"], invoice["TxnDate"], invoice["DueDate"]) == (
        "1070",
        "2015-07-24",
        "2015-08-23",
    )
    assert (invoice["TotalAmt"], invoice["Balance"], invoice["TxnTaxDetail"]) == (
        150.0,
        150.0,
        {"TotalTax": 0.0},
    )
    assert invoice["Line"][0]["Id"] == "1"
    assert invoice["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "NON"}
    assert invoice["Line"][1]["DetailType"] == "DescriptionOnly"
    assert invoice["Line"][-1] == {
        "Amount": 150.0,
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }
    assert (
        invoice["PrintStatus"],
        invoice["EmailStatus"],
        invoice["LinkedTxn"],
        invoice["Deposit"],
    ) == (
        "NeedToPrint",
        "NotSet",
        [],
        0,
    )


def test_the_bill_example_is_accepted(us_api):
    vendor = us_api.one("Vendor", "DisplayName", "Plumb Centre Supplies")
    account = us_api.one("Account", "AcctNum", "5000")
    body = {
        "VendorRef": {"value": vendor["Id"]},  # the example's "56"
        "TxnDate": "2014-12-31",
        "DocNumber": "SUP-INV-991",
        "Line": [
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": 200.0,
                "Description": "Materials",
                "AccountBasedExpenseLineDetail": {
                    "AccountRef": {"value": account["Id"]},
                    "TaxCodeRef": {"value": "NON"},
                },
            }
        ],
    }
    response = us_api.post("bill", body)
    assert response.status_code == 200, response.text
    bill = response.json()["Bill"]
    assert (bill["TxnDate"], bill["DueDate"], bill["TotalAmt"], bill["Balance"]) == (
        "2014-12-31",
        "2014-12-31",
        200.0,
        200.0,
    )
    assert bill["APAccountRef"]["name"] == "Creditors"
    assert bill["Line"][0]["AccountBasedExpenseLineDetail"]["BillableStatus"] == "NotBillable"


def test_the_account_example_is_accepted_once_its_name_is_free(api):
    seeded = api.one("Account", "AcctNum", "4000")
    api.post(
        "account",
        {
            "Id": seeded["Id"],
            "SyncToken": seeded["SyncToken"],
            "sparse": True,
            "Name": "Labour (old)",
            "AcctNum": "4999",
        },
    )
    response = api.post(
        "account",
        {
            "Name": "Sales - Labour",
            "AcctNum": "4000",
            "AccountType": "Income",
            "AccountSubType": "ServiceFeeIncome",
        },
    )
    assert response.status_code == 200, response.text
    account = response.json()["Account"]
    assert (account["Classification"], account["FullyQualifiedName"], account["SubAccount"]) == (
        "Revenue",
        "Sales - Labour",
        False,
    )
    assert (
        api.rows("SELECT * FROM Account WHERE AcctNum = '4000'", "Account")[0]["Id"]
        == account["Id"]
    )


def test_the_item_example_is_accepted(api):
    income = api.one("Account", "AcctNum", "4020")
    body = {
        "Name": "Sales - Labour (4000)",
        "Type": "Service",
        "IncomeAccountRef": {"value": income["Id"]},
    }  # was "79"
    response = api.post("item", body)
    assert response.status_code == 200
    assert response.json()["Item"]["IncomeAccountRef"] == {
        "value": income["Id"],
        "name": "Sales - Call-out fees",
    }


def test_the_delete_example_answers_with_status_deleted(api):
    bill = api.one("Bill", "DocNumber", "BMD-5521")
    response = api.post("bill", {"Id": bill["Id"], "SyncToken": "0"}, operation="delete")
    assert response.status_code == 200
    assert response.json()["Bill"] == {"status": "Deleted", "domain": "QBO", "Id": bill["Id"]}
    assert api.rows("select * from Bill", "Bill") == []


def test_the_query_examples_run(api):
    api.post("customer", {"DisplayName": "Acme's Ltd"})
    assert [
        c["DisplayName"]
        for c in api.rows("SELECT * FROM Customer WHERE DisplayName = 'Acme\\'s Ltd'", "Customer")
    ] == ["Acme's Ltd"]
    assert api.rows("SELECT * FROM Invoice WHERE DocNumber = 'INV-1001'", "Invoice") == []
    assert (
        len(
            api.rows(
                "SELECT * FROM Customer WHERE Metadata.LastUpdatedTime > '2015-03-01'", "Customer"
            )
        )
        == 10
    )
    assert len(api.rows("SELECT * FROM Customer WHERE Active IN (true,false)", "Customer")) == 10


def test_the_tax_code_list_is_readable(api):
    codes = api.rows("select * from TaxCode", "TaxCode")
    assert [c["Name"] for c in codes] == ["20.0% S", "5.0% R", "0.0% Z", "Exempt", "No VAT"]
    assert codes[0]["SalesTaxRateList"]["TaxRateDetail"][0]["TaxRateRef"]["name"] == "20.0% S"


def test_the_us_tax_codes_are_tax_and_non(us_api):
    codes = us_api.rows("select * from TaxCode", "TaxCode")
    assert [(c["Id"], c["TaxGroup"]) for c in codes] == [
        ("2", True),
        ("NON", False),
        ("TAX", False),
    ]


def test_company_info_and_preferences_are_readable(api: Api):
    info = api.get(f"companyinfo/{api.realm}").json()["CompanyInfo"]
    assert (info["CompanyName"], info["Country"], info["CompanyAddr"]["Country"]) == (
        "Demo Trades Ltd",
        "GB",
        "GBR",
    )
    prefs = api.get("preferences").json()["Preferences"]
    assert prefs["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    assert prefs["CurrencyPrefs"]["HomeCurrency"] == {"value": "GBP"}


def test_any_minorversion_is_accepted(api):
    for version in ("1", "65", "75", "999"):
        assert (
            api.http.get(api.url("companyinfo/1"), params={"minorversion": version}).status_code
            == 200
        )


def test_amounts_come_back_as_json_numbers(api):
    invoice = api.one("Invoice", "DocNumber", "S1003")
    assert isinstance(invoice["TotalAmt"], float)
    raw = api.query("select * from Invoice where DocNumber = 'S1003'").text
    assert json.loads(raw, parse_float=Decimal)["QueryResponse"]["Invoice"][0][
        "TotalAmt"
    ] == Decimal("180.0")
