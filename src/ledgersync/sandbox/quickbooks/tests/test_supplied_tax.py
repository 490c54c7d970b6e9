"""A TxnTaxDetail.TaxLine the client sends for a rate: booked as sent, recomputed, or refused
beyond a tolerance (settings.supplied_tax); and tax-inclusive transactions."""

from __future__ import annotations

import pytest

from ledgersync.sandbox.core.supplied_tax import SuppliedTax
from ledgersync.sandbox.quickbooks.tests.conftest import Api, fault_of
from ledgersync.sandbox.quickbooks.tests.test_documents import sales_line

STANDARD_SALES_RATE = "1"  # the first seeded TaxRate: "20.0% S" on sales


def tax_line(amount: float, rate_id: str = STANDARD_SALES_RATE) -> dict:
    return {
        "Amount": amount,
        "DetailType": "TaxLineDetail",
        "TaxLineDetail": {"TaxRateRef": {"value": rate_id}, "PercentBased": True},
    }


def post_invoice(api: Api, number: str, lines: list[dict], **header):
    body = {"CustomerRef": {"value": "1"}, "DocNumber": number, "Line": lines, **header}
    return api.post("invoice", body)


def three_pennies_of_tax(api: Api, number: str, supplied: float, **header):
    # 0.05 + 0.05 at 20%: QuickBooks' own tax is 20% of 0.10 = 0.02 (per rate); a per-line
    # sum would say 0.01 + 0.01 = 0.02 too, so the supplied figure is the only difference.
    lines = [sales_line(api, 0.05), sales_line(api, 0.05)]
    return post_invoice(
        api, number, lines, TxnTaxDetail={"TaxLine": [tax_line(supplied)]}, **header
    )


def test_the_seeded_standard_rate_is_the_one_the_tests_name(api):
    rate = api.get(f"taxrate/{STANDARD_SALES_RATE}").json()["TaxRate"]
    assert (rate["Name"], rate["RateValue"]) == ("20.0% S", 20)


def test_a_supplied_tax_line_is_booked_as_sent_by_default(api):
    invoice = three_pennies_of_tax(api, "S4001", 0.03).json()["Invoice"]
    assert [line["Amount"] for line in invoice["TxnTaxDetail"]["TaxLine"]] == [0.03]
    assert (invoice["TxnTaxDetail"]["TotalTax"], invoice["TotalAmt"]) == (0.03, 0.13)


def test_a_total_tax_without_tax_lines_is_overwritten(api):
    lines = [sales_line(api, 0.05), sales_line(api, 0.05)]
    invoice = post_invoice(api, "S4002", lines, TxnTaxDetail={"TotalTax": 5}).json()["Invoice"]
    assert invoice["TxnTaxDetail"]["TotalTax"] == 0.02


def test_recompute_ignores_the_supplied_amount(app, api):
    app.settings.supplied_tax = SuppliedTax.RECOMPUTE
    invoice = three_pennies_of_tax(api, "S4003", 0.03).json()["Invoice"]
    assert (invoice["TxnTaxDetail"]["TotalTax"], invoice["TotalAmt"]) == (0.02, 0.12)


def test_tolerance_books_a_near_amount_and_refuses_a_far_one(app, api):
    app.settings.supplied_tax = SuppliedTax.TOLERANCE
    app.settings.supplied_tax_tolerance_pence = 1
    near = three_pennies_of_tax(api, "S4004", 0.03)
    assert near.json()["Invoice"]["TxnTaxDetail"]["TotalTax"] == 0.03
    far = three_pennies_of_tax(api, "S4005", 0.04)
    assert far.status_code == 400
    error = fault_of(far)["Error"][0]
    assert (error["code"], error["Detail"]) == (
        "6000",
        "Business Validation Error: The VAT amount 0.04 for 20.0% S is more than 1p from "
        "the calculated 0.02.",
    )


@pytest.mark.parametrize(
    ("inclusive_amounts", "tax", "total"),
    [
        # 120.00 + 10.01 gross at 20%: tax is 1/6 of the summed 130.01 = 21.668 -> 21.67
        ((120.00, 10.01), 21.67, 130.01),
        ((0.01, 0.01, 0.01), 0.01, 0.03),
    ],
)
def test_tax_inclusive_books_the_gross_sent(api, inclusive_amounts, tax, total):
    lines = [
        sales_line(api, round(gross / 1.2, 2), TaxInclusiveAmt=gross) for gross in inclusive_amounts
    ]
    answer = post_invoice(api, "S4006", lines, GlobalTaxCalculation="TaxInclusive")
    invoice = answer.json()["Invoice"]
    detail = invoice["TxnTaxDetail"]
    assert (detail["TotalTax"], invoice["TotalAmt"]) == (tax, total)
    assert detail["TaxLine"][0]["TaxLineDetail"]["NetAmountTaxable"] == round(total - tax, 2)


def test_tax_inclusive_takes_a_supplied_tax_line_out_of_the_gross(api):
    lines = [sales_line(api, 100.00, TaxInclusiveAmt=120.00)]
    answer = post_invoice(
        api,
        "S4007",
        lines,
        GlobalTaxCalculation="TaxInclusive",
        TxnTaxDetail={"TaxLine": [tax_line(19.99)]},
    )
    invoice = answer.json()["Invoice"]
    assert (invoice["TxnTaxDetail"]["TotalTax"], invoice["TotalAmt"]) == (19.99, 120.0)
    assert invoice["TxnTaxDetail"]["TaxLine"][0]["TaxLineDetail"]["NetAmountTaxable"] == 100.01


def test_a_bill_takes_its_supplied_tax_line_too(api):
    vendor = api.one("Vendor", "DisplayName", "Builders Merchants Direct")
    account = api.one("Account", "AcctNum", "5000")
    purchase_rate = api.one("TaxRate", "Name", "20.0% S (Purchases)")
    bill = api.post(
        "bill",
        {
            "VendorRef": {"value": vendor["Id"]},
            "DocNumber": "BMD-9",
            "Line": [
                {
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "Amount": 10.03,
                    "AccountBasedExpenseLineDetail": {
                        "AccountRef": {"value": account["Id"]},
                        "TaxCodeRef": {"value": "2"},
                    },
                }
            ],
            "TxnTaxDetail": {"TaxLine": [tax_line(2.00, purchase_rate["Id"])]},
        },
    ).json()["Bill"]
    assert (bill["TxnTaxDetail"]["TotalTax"], bill["TotalAmt"]) == (2.0, 12.03)
