"""Tracking in Xero's wire shape: each line's ``Tracking: [{Name, Option}]`` (xero-accounting
.yaml LineItemTracking), and GET /TrackingCategories read into lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledgersync.providers.base import (
    DocType,
    OutboundDocument,
    OutboundLine,
    Tracking,
    TrackingSlot,
    tracking_list,
)
from ledgersync.providers.xero import mapping


def document(*tracking: Tracking) -> OutboundDocument:
    return OutboundDocument(
        idempotency_key="key-1",
        doc_type=DocType.SALES_INVOICE,
        number="S1234",
        contact_id="0f3b7c1e-0000-4000-8000-000000000001",
        care_of_contact_id=None,
        issue_date=date(2025, 3, 1),
        due_date=None,
        currency="GBP",
        reference="",
        lines=(
            OutboundLine("Labour", Decimal("2"), Decimal("75.00"), "4000"),
            OutboundLine("Parts", Decimal("1"), Decimal("10.00"), "4010"),
        ),
        tracking=tracking,
    )


def test_every_line_carries_the_category_and_option_by_name():
    body = mapping.document_body(
        document(Tracking(TrackingSlot.CATEGORY, "Servicing", "Job")), ["OUTPUT2", "OUTPUT2"]
    )

    assert [item["Tracking"] for item in body["LineItems"]] == [
        [{"Name": "Job", "Option": "Servicing"}]
    ] * 2


def test_without_tracking_the_lines_carry_none():
    body = mapping.document_body(document(), ["OUTPUT2", "OUTPUT2"])

    assert all("Tracking" not in item for item in body["LineItems"])


def test_categories_are_read_with_their_options_and_archived_ones_are_not_offered():
    lists = mapping.parse_tracking_categories(
        [
            {
                "TrackingCategoryID": "c1",
                "Name": "Job",
                "Status": "ACTIVE",
                "Options": [
                    {"TrackingOptionID": "o1", "Name": "Servicing", "Status": "ACTIVE"},
                    {"TrackingOptionID": "o2", "Name": "Scrappage", "Status": "ARCHIVED"},
                ],
            },
            {"TrackingCategoryID": "c2", "Name": "Old", "Status": "ARCHIVED", "Options": []},
        ]
    )

    job = tracking_list(lists, TrackingSlot.CATEGORY, "job")
    assert job is not None and job.option(" servicing ").id == "o1"
    assert job.option("Scrappage") is None
    assert tracking_list(lists, TrackingSlot.CATEGORY, "Old") is None
