"""A line's tax_amount: booked as sent, recomputed, or refused beyond a tolerance
(settings.supplied_tax); and lines priced with tax included."""

from __future__ import annotations

from ledgersync.sandbox.core.supplied_tax import SuppliedTax
from ledgersync.sandbox.sage.tests.conftest import invoice_body
from ledgersync.sandbox.sage.tests.test_documents import error

ONE_PENNY_LINE = {"quantity": 1, "unit_price": 0.03}  # 20% of 0.03 = 0.006 -> 0.01


def totals(body: dict) -> tuple[str, str, str]:
    return body["net_amount"], body["tax_amount"], body["total_amount"]


def test_the_supplied_tax_amount_is_booked_as_sent_by_default(api):
    answer = api.post(
        "/sales_invoices", invoice_body(api, line={**ONE_PENNY_LINE, "tax_amount": 0.02})
    )
    assert answer.status_code == 201
    assert totals(answer.json()) == ("0.03", "0.02", "0.05")


def test_recompute_books_sages_own_figure(app, api):
    app.settings.supplied_tax = SuppliedTax.RECOMPUTE
    answer = api.post(
        "/sales_invoices", invoice_body(api, line={**ONE_PENNY_LINE, "tax_amount": 0.02})
    )
    assert totals(answer.json()) == ("0.03", "0.01", "0.04")


def test_tolerance_refuses_an_amount_too_far_from_sages_own(app, api):
    app.settings.supplied_tax = SuppliedTax.TOLERANCE
    app.settings.supplied_tax_tolerance_pence = 1
    near = api.post(
        "/sales_invoices", invoice_body(api, line={**ONE_PENNY_LINE, "tax_amount": 0.02})
    )
    assert near.status_code == 201
    far = api.post(
        "/sales_invoices",
        invoice_body(api, reference="S2002", line={**ONE_PENNY_LINE, "tax_amount": 0.03}),
    )
    assert far.status_code == 422
    assert error(far) == [
        (
            "RecordInvalid",
            "is more than 1p from the tax the rate gives (0.01)",
            "invoice_lines.tax_amount",
        )
    ]


def test_a_line_priced_with_tax_included_books_the_gross(api):
    line = {"quantity": 3, "unit_price": 40.01, "tax_amount": 20.0, "unit_price_includes_tax": True}
    answer = api.post("/sales_invoices", invoice_body(api, line=line))
    assert answer.status_code == 201
    body = answer.json()
    assert totals(body) == ("100.03", "20.0", "120.03")
    assert body["invoice_lines"][0]["unit_price_includes_tax"] is True
