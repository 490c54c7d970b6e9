"""A line's TaxAmount sent by the client: booked as sent, recomputed, or refused beyond a
tolerance (settings.supplied_tax)."""

from __future__ import annotations

from ledgersync.sandbox.core.supplied_tax import SuppliedTax
from ledgersync.sandbox.xero.tests.conftest import invoice
from ledgersync.sandbox.xero.tests.test_invoices import BATCH


def with_tax(xero, number: str, tax_amount: float, **changes) -> dict:
    harbour = xero.contact_id("Harbour Cafe")
    line = {
        "Description": "Part",
        "Quantity": 1,
        "UnitAmount": "0.03",
        "AccountCode": "4000",
        "TaxAmount": tax_amount,
    }
    body = invoice(harbour, number, LineItems=[line], **changes)
    return xero.put("/Invoices", {"Invoices": [body]}, params=BATCH).json()["Invoices"][0]


def test_a_supplied_tax_amount_is_booked_as_sent_by_default(xero):
    element = with_tax(xero, "S5001", 0.02)  # Xero's own: 20% of 0.03 = 0.01
    assert (element["LineItems"][0]["TaxAmount"], element["TotalTax"], element["Total"]) == (
        0.02,
        0.02,
        0.05,
    )


def test_recompute_books_xeros_own_figure(app, xero):
    app.settings.supplied_tax = SuppliedTax.RECOMPUTE
    element = with_tax(xero, "S5002", 0.02)
    assert (element["TotalTax"], element["Total"]) == (0.01, 0.04)


def test_tolerance_refuses_an_amount_too_far_from_xeros_own(app, xero):
    app.settings.supplied_tax = SuppliedTax.TOLERANCE
    app.settings.supplied_tax_tolerance_pence = 1
    assert with_tax(xero, "S5003", 0.02)["TotalTax"] == 0.02
    refused = with_tax(xero, "S5004", 0.05)
    assert refused["HasErrors"] is True
    assert [e["Message"] for e in refused["ValidationErrors"]] == [
        "Tax amount 0.05 is incorrect for OUTPUT2 tax type, should be 0.01"
    ]


def test_an_inclusive_line_keeps_its_gross_with_a_supplied_tax(xero):
    element = with_tax(xero, "S5005", 0.00, LineAmountTypes="Inclusive")
    assert (element["SubTotal"], element["TotalTax"], element["Total"]) == (0.03, 0, 0.03)
