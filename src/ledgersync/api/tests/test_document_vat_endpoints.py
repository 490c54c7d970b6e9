"""The API takes a supplier's VAT and VAT-inclusive prices, answers how each document's VAT
was worked out, and refuses a supplier's VAT it cannot carry with the field at fault."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BILL = {
    "type": "supplier_invoice",
    "number": "BMD-88",
    "supplier": "P1",
    "lines": [{"text": "Pipe", "quantity": "1", "unit_price": "95.00", "nominal": "5000"}],
}


def test_a_supplier_invoice_carries_the_suppliers_vat(api):
    body = api.post("/documents", {**BILL, "supplier_vat": "18.99"}).json()
    assert (body["supplier_vat"], body["tax_total"], body["gross_total"]) == (
        "18.99",
        "18.99",
        "113.99",
    )
    assert body["vat_rounding"] == "per_rate"  # a QuickBooks organisation, as QuickBooks does


def test_a_suppliers_vat_it_cannot_carry_names_the_field(api):
    answer = api.post("/documents", {**BILL, "supplier_vat": "20.00"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == "supplier_vat"
    assert error["message"].startswith("The supplier's VAT (20.00) is more than 0.01 away")


def test_patching_the_suppliers_vat_back_to_null_takes_the_lines_vat_again(api):
    created = api.post("/documents", {**BILL, "supplier_vat": "18.99"}).json()
    patched = api.patch(f"/documents/{created['id']}", {"supplier_vat": None}).json()
    assert (patched["supplier_vat"], patched["tax_total"]) == (None, "19.00")


def test_prices_including_vat_keep_the_gross(api):
    body = api.post("/documents", {**BILL, "prices_include_vat": True}).json()
    assert (body["prices_include_vat"], body["net_total"], body["gross_total"]) == (
        True,
        "79.17",
        "95.00",
    )
