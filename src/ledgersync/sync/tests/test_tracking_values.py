"""What a document books under a mapping (sync/tracking.py): its job or department as
typed, its site only when its account is a site, and nothing for an empty field."""

from __future__ import annotations

import pytest

from ledgersync.providers.base import Tracking, TrackingSlot
from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import DocType, Document
from ledgersync.sync import tracking
from ledgersync.sync.models import TrackingMap

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents():
    seed_demo()
    return {d.number: d for d in Document.objects.select_related("account")}


def test_the_site_is_the_accounts_name_only_when_the_account_is_a_site(documents):
    on_site = documents["S1009"]  # Riverside - 4 Quay Street (A1007), a site
    at_company = documents["S1002"]  # Harbour Cafe, a company
    bill = Document.objects.filter(doc_type=DocType.SUPPLIER_INVOICE).first()

    assert tracking.value_of(on_site, "site") == "Riverside - 4 Quay Street"
    assert tracking.value_of(at_company, "site") == ""
    assert tracking.value_of(bill, "site") == ""


def test_only_mapped_slots_with_a_value_are_booked(documents):
    document = documents["S1002"]
    document.job, document.department = "Servicing", ""
    maps = [
        TrackingMap(slot="class", source="job"),
        TrackingMap(slot="location", source="department"),
        TrackingMap(slot="category", source="job", category="Job"),
    ]

    wanted = tracking.wanted_for(document, maps)

    assert [(w.tracking, w.source) for w in wanted] == [
        (Tracking(TrackingSlot.CLASS, "Servicing"), "job"),
        (Tracking(TrackingSlot.CATEGORY, "Servicing", "Job"), "job"),
    ]
