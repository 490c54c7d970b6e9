"""Totals, tax, balances, updates, payments, void and delete, computed as QuickBooks does."""

from __future__ import annotations

from ledgersync.sandbox.quickbooks.tests.conftest import Api, fault_of


def sales_line(api: Api, amount, code: str = "2", **detail) -> dict:
    item = api.one("Item", "Name", "4000 Sales - Labour")
    return {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "Description": "Labour",
        "SalesItemLineDetail": {
            "ItemRef": {"value": item["Id"]},
            "TaxCodeRef": {"value": code},
            **detail,
        },
    }


def create_invoice(api: Api, number: str, lines: list[dict]) -> dict:
    response = api.post(
        "invoice", {"CustomerRef": {"value": "1"}, "DocNumber": number, "Line": lines}
    )
    assert response.status_code == 200, response.text
    return response.json()["Invoice"]


def test_tax_is_computed_per_rate_on_the_summed_lines(api):
    invoice = create_invoice(
        api, "S3001", [sales_line(api, 0.05), sales_line(api, 0.05), sales_line(api, 10.00, "3")]
    )
    # 20% of 0.10 = 0.02 (a per-line sum would give 0.01 + 0.01); 5% of 10.00 = 0.50
    assert [
        (t["TaxLineDetail"]["TaxPercent"], t["TaxLineDetail"]["NetAmountTaxable"], t["Amount"])
        for t in invoice["TxnTaxDetail"]["TaxLine"]
    ] == [
        (20, 0.1, 0.02),
        (5, 10.0, 0.5),
    ]
    assert (invoice["TxnTaxDetail"]["TotalTax"], invoice["TotalAmt"], invoice["Balance"]) == (
        0.52,
        10.62,
        10.62,
    )


def test_tax_rounds_half_up(api):
    invoice = create_invoice(
        api, "S3002", [sales_line(api, 0.125 * 100 / 100 + 0.005)]
    )  # 0.13 -> 20% = 0.026
    assert invoice["TxnTaxDetail"]["TotalTax"] == 0.03


def test_qty_times_unit_price_matching_amount_is_accepted(api):
    invoice = create_invoice(api, "S3003", [sales_line(api, 33.33, Qty=3, UnitPrice=11.11)])
    assert invoice["Line"][0]["SalesItemLineDetail"]["Qty"] == 3


def test_a_sparse_update_changes_only_what_is_sent_and_bumps_the_sync_token(api):
    invoice = create_invoice(api, "S3004", [sales_line(api, 100)])
    response = api.post(
        "invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "Checked"}
    )
    updated = response.json()["Invoice"]
    assert (
        updated["SyncToken"],
        updated["PrivateNote"],
        updated["TotalAmt"],
        updated["DocNumber"],
    ) == ("1", "Checked", 120.0, "S3004")


def test_a_payment_lowers_the_invoice_balance_and_links_both_ways(api):
    invoice = create_invoice(api, "S3005", [sales_line(api, 100)])
    payment = api.post(
        "payment",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 50,
            "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    ).json()["Payment"]
    after = api.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert (after["Balance"], after["SyncToken"], after["LinkedTxn"]) == (
        70.0,
        "1",
        [{"TxnId": payment["Id"], "TxnType": "Payment"}],
    )


def test_paying_more_than_the_open_balance_is_refused(api):
    invoice = create_invoice(api, "S3006", [sales_line(api, 10)])
    response = api.post(
        "payment",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 500,
            "Line": [
                {"Amount": 500, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
            ],
        },
    )
    assert fault_of(response)["Error"][0]["code"] == "6000"
    assert api.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 12.0


def test_history_invoices_show_paid_part_paid_and_unpaid(api):
    balances = {
        i["DocNumber"]: (i["TotalAmt"], i["Balance"])
        for i in api.rows("select * from Invoice where DocNumber like 'S099%'", "Invoice")
    }
    assert balances["S0990"] == (144.0, 0)
    assert balances["S0995"] == (90.0, 45.0)
    assert balances["S0999"] == (119.99, 119.99)


def test_void_zeroes_the_amounts_and_keeps_the_record(api):
    invoice = create_invoice(api, "S3007", [sales_line(api, 10)])
    voided = api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="void").json()[
        "Invoice"
    ]
    assert (voided["TotalAmt"], voided["Balance"], voided["PrivateNote"], voided["SyncToken"]) == (
        0,
        0,
        "Voided",
        "1",
    )


def test_a_credit_memo_has_remaining_credit(api):
    response = api.post(
        "creditmemo",
        {"CustomerRef": {"value": "1"}, "DocNumber": "C3001", "Line": [sales_line(api, 20)]},
    )
    memo = response.json()["CreditMemo"]
    assert (memo["TotalAmt"], memo["Balance"], memo["RemainingCredit"]) == (24.0, 24.0, 24.0)


def test_bill_numbers_repeat_across_vendors_but_not_for_one_vendor(api):
    account = api.one("Account", "AcctNum", "5000")
    line = {
        "Amount": 10,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {
            "AccountRef": {"value": account["Id"]},
            "TaxCodeRef": {"value": "2"},
        },
    }
    same = api.one("Vendor", "DisplayName", "Builders Merchants Direct")
    other = api.one("Vendor", "DisplayName", "Apex Plant Hire")
    assert (
        fault_of(
            api.post(
                "bill",
                {"VendorRef": {"value": same["Id"]}, "DocNumber": "BMD-5521", "Line": [line]},
            )
        )["Error"][0]["code"]
        == "6140"
    )
    assert (
        api.post(
            "bill", {"VendorRef": {"value": other["Id"]}, "DocNumber": "BMD-5521", "Line": [line]}
        ).status_code
        == 200
    )


def test_a_us_company_charges_tax_only_through_the_header_tax_code(us_api):
    item = us_api.one("Item", "Name", "Services")
    line = {
        "Amount": 100,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "TaxCodeRef": {"value": "TAX"}},
    }
    body = {
        "CustomerRef": {"value": "1"},
        "Line": [line],
        "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "2"}},
    }
    invoice = us_api.post("invoice", body).json()["Invoice"]
    assert (invoice["TxnTaxDetail"]["TotalTax"], invoice["TotalAmt"]) == (8.0, 108.0)
    line["SalesItemLineDetail"]["TaxCodeRef"] = {"value": "2"}
    assert fault_of(us_api.post("invoice", body))["Error"][0]["code"] == "6100"


def test_names_are_checked(api):
    assert fault_of(api.post("customer", {"DisplayName": "A:B"}))["Error"][0]["code"] == "2040"
    assert fault_of(api.post("customer", {"Notes": "no name"}))["Error"][0]["code"] == "6080"
    built = api.post("customer", {"GivenName": "Ada", "FamilyName": "Lovelace"}).json()["Customer"]
    assert built["DisplayName"] == "Ada Lovelace"


def test_a_sub_customer_has_a_parent_and_a_qualified_name(api):
    job = api.one("Customer", "DisplayName", "Riverside - 4 Quay Street")
    parent = api.one("Customer", "DisplayName", "Riverside Property Management")
    assert (job["Job"], job["ParentRef"], job["Level"]) == (True, {"value": parent["Id"]}, 1)
    assert job["FullyQualifiedName"] == "Riverside Property Management:Riverside - 4 Quay Street"
    missing = api.post("customer", {"DisplayName": "Orphan Job", "Job": True})
    assert fault_of(missing)["Error"][0]["element"] == "ParentRef"
