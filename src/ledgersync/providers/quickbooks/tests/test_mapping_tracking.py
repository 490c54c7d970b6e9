"""Tracking in QuickBooks' wire shape: a class on every line's detail (sales item or
account-based expense), a location as the header's DepartmentRef; none when not mapped."""

from __future__ import annotations

from decimal import Decimal

from ledgersync.providers.base import DocType, OutboundLine, TrackingSlot
from ledgersync.providers.quickbooks import mapping
from ledgersync.providers.quickbooks.tests.test_mapping_documents import ACCOUNTS, document

LINES = (
    OutboundLine("Labour", Decimal("2"), Decimal("75.00"), "4000", "S"),
    OutboundLine("Call-out", Decimal("1"), Decimal("40.00"), "4000", "S"),
)


def test_a_class_goes_on_every_sales_line_and_a_location_on_the_header():
    body = mapping.document_body(
        document(DocType.SALES_INVOICE, *LINES),
        accounts=ACCOUNTS,
        items={"4000": "12"},
        tax_ids=["2", "2"],
        tracking_ids={TrackingSlot.CLASS: "5000000000000012345", TrackingSlot.LOCATION: "2"},
    )

    assert body["DepartmentRef"] == {"value": "2"}
    assert [line["SalesItemLineDetail"]["ClassRef"] for line in body["Line"]] == [
        {"value": "5000000000000012345"}
    ] * 2


def test_a_bills_class_goes_on_its_account_based_expense_lines():
    line = OutboundLine("Copper pipe", Decimal("1"), Decimal("95.00"), "5000", "S")
    body = mapping.document_body(
        document(DocType.SUPPLIER_INVOICE, line),
        accounts=ACCOUNTS,
        items={},
        tax_ids=["2"],
        tracking_ids={TrackingSlot.CLASS: "7"},
    )

    assert body["Line"][0]["AccountBasedExpenseLineDetail"]["ClassRef"] == {"value": "7"}
    assert "DepartmentRef" not in body


def test_without_tracking_nothing_is_added():
    body = mapping.document_body(
        document(DocType.SALES_CREDIT_NOTE, *LINES),
        accounts=ACCOUNTS,
        items={"4000": "12"},
        tax_ids=["2", "2"],
    )

    assert "DepartmentRef" not in body
    assert all("ClassRef" not in line["SalesItemLineDetail"] for line in body["Line"])


def test_classes_read_by_query_answer_to_their_full_name():
    listed = mapping.parse_tracking(
        TrackingSlot.CLASS,
        [
            {"Id": "1", "Name": "Servicing", "FullyQualifiedName": "Servicing", "Active": True},
            {"Id": "2", "Name": "Gas", "FullyQualifiedName": "Servicing:Gas", "Active": True},
            {"Id": "3", "Name": "Old", "FullyQualifiedName": "Old", "Active": False},
        ],
    )

    assert (listed.slot, listed.name) == (TrackingSlot.CLASS, "Class")
    assert listed.option("servicing:gas").id == "2"
    assert listed.option("Gas") is None
    assert listed.option("Old") is None
