"""The document form takes a supplier's VAT and VAT-inclusive prices, and says in words when
a supplier's VAT cannot be carried."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgersync.records.models import Document, Role
from ledgersync.records.tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db


def post(client, **fields):
    data = {
        "type": "supplier_invoice",
        "number": "BMD-77",
        "issue_date": "2026-11-20",
        "currency": "GBP",
        "line_count": "1",
        "lines-0-text": "Copper pipe",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "95.00",
        "lines-0-nominal": "5000",
        **fields,
    }
    return client.post("/documents/new/", data)


@pytest.fixture
def organisation(client):
    organisation = make_org()
    client.force_login(make_user(organisation, Role.ACCOUNTS))
    return organisation


def test_a_supplier_invoice_keeps_the_suppliers_vat(client, organisation):
    supplier = organisation.supplier_set.get()
    answer = post(client, supplier=supplier.pk, supplier_vat="19.01")
    assert answer.status_code == 302, answer.content.decode()
    document = Document.objects.get(number="BMD-77")
    assert (document.supplier_vat, document.tax_total, document.gross_total) == (
        Decimal("19.01"),
        Decimal("19.01"),
        Decimal("114.01"),
    )
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "VAT 19.01 as on the supplier&#x27;s invoice" in page


def test_a_suppliers_vat_too_far_from_the_lines_is_refused_on_the_form(client, organisation):
    supplier = organisation.supplier_set.get()
    answer = post(client, supplier=supplier.pk, supplier_vat="25.00")
    assert answer.status_code == 200
    assert "The supplier&#x27;s VAT (25.00) is more than 0.01 away" in answer.content.decode()
    assert not Document.objects.exists()


def test_prices_entered_including_vat_keep_their_gross(client, organisation):
    supplier = organisation.supplier_set.get()
    answer = post(client, supplier=supplier.pk, prices_include_vat="on")
    assert answer.status_code == 302
    document = Document.objects.get(number="BMD-77")
    # 95.00 gross at 20%: 15.83 VAT, 79.17 net.
    assert (document.net_total, document.tax_total, document.gross_total) == (
        Decimal("79.17"),
        Decimal("15.83"),
        Decimal("95.00"),
    )
