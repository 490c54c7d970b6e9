"""Every sandbox seeds the one demo business of sandbox/core/demo.py."""

from __future__ import annotations

from decimal import Decimal

from ledgersync.sandbox import make_app
from ledgersync.sandbox.core import demo
from ledgersync.sandbox.core.demo import HistorySale, Paid


def test_every_sandbox_names_its_companies_as_the_demo_does():
    for slug in ("quickbooks", "xero", "sage"):
        names = [c["name"] for c in make_app(slug).companies()]
        assert names == [demo.DEMO_COMPANY, demo.SECOND_COMPANY], slug


def test_the_history_invoices_are_numbered_s0990_to_s0999():
    assert [sale.number for sale in demo.HISTORY] == [f"S{n:04d}" for n in range(990, 1000)]


def test_quickbooks_and_xero_seed_the_history_invoices_with_their_nets_and_balances():
    qbo = make_app("quickbooks")
    invoices = {i["DocNumber"]: i for i in next(iter(qbo.store.values())).all("Invoice")}
    org = next(iter(make_app("xero").orgs.values()))
    sales = {i["InvoiceNumber"]: i for i in org.invoices.values() if i["Type"] == "ACCREC"}
    for sale in demo.HISTORY:
        qbo_invoice, xero_invoice = invoices[sale.number], sales[sale.number]
        assert qbo_invoice["Line"][0]["Amount"] == sale.net
        assert qbo_invoice["Balance"] == qbo_invoice["TotalAmt"] - sale.paid_amount(
            qbo_invoice["TotalAmt"]
        )
        assert xero_invoice["SubTotal"] == sale.net
        assert xero_invoice["AmountDue"] == xero_invoice["Total"] - sale.paid_amount(
            xero_invoice["Total"]
        )


def test_a_part_paid_history_invoice_is_paid_half_to_the_penny():
    sale = HistorySale("S0995", "Harbour Cafe", Decimal("75.00"), 50, Paid.PART)
    assert sale.paid_amount(Decimal("90.01")) == Decimal("45.00")
    assert HistorySale("S0996", "x", Decimal("1"), 1, None).paid_amount(Decimal("9")) == 0
