"""What the customer or supplier holds is what the package books: a supplier's own VAT and
VAT-inclusive prices, through the engine, into each provider's sandbox (issue 14)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgersync.records.models import DocType, Document
from ledgersync.records.services import create_document
from ledgersync.sync.models import DocumentState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.test_engine import link_exact, sync_all

pytestmark = pytest.mark.django_db(transaction=True)


def only_this_marked(document: Document) -> None:
    Document.objects.exclude(pk=document.pk).update(marked_for_sync=False)


def booked(document: Document) -> tuple[str, Decimal | None]:
    state = DocumentState.objects.get(document=document)
    return state.status_code, state.remote_total


def test_a_suppliers_vat_is_what_the_package_books(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "P2001")
    document = create_document(
        organisation,
        {
            "type": "supplier_invoice",
            "number": "BMD-9001",
            "supplier": "P2001",
            "lines": [
                {"text": "Copper pipe", "quantity": "3", "unit_price": "10.33", "nominal": "5000"},
                {"text": "Fittings", "quantity": "7", "unit_price": "1.19", "nominal": "5000"},
            ],
            # The lines' VAT: 6.20 + 1.67 = 7.87; the supplier printed 7.88.
            "supplier_vat": "7.88",
            "mark_for_sync": True,
        },
    )
    only_this_marked(document)

    sync_all(organisation, DocType.SUPPLIER_INVOICE, auto=False)

    assert document.tax_total == Decimal("7.88")
    assert booked(document) == (StatusCode.SYNCED, Decimal("47.20"))  # 30.99 + 8.33 + 7.88


def test_vat_inclusive_prices_book_the_same_gross(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001")
    document = create_document(
        organisation,
        {
            "type": "sales_invoice",
            "number": "R0003",
            "account": "A1001",
            "prices_include_vat": True,
            "lines": [
                {
                    "text": "Boiler service",
                    "quantity": "1",
                    "unit_price": "120.00",
                    "nominal": "4000",
                },
                {"text": "Washers", "quantity": "3", "unit_price": "0.63", "nominal": "4010"},
            ],
            "sent_via": "email",
            "mark_for_sync": True,
        },
    )
    only_this_marked(document)

    sync_all(organisation, auto=False)

    assert document.gross_total == Decimal("121.89")
    assert booked(document) == (StatusCode.SYNCED, Decimal("121.89"))
