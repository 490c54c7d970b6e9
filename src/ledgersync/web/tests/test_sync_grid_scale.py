"""The Sync grid stays quick with 10,000 queued documents: one page, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledgersync.records.models import Account, Document, Line, NominalCode, Role
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.web.sync_support import GRID_PAGE_SIZE

pytestmark = pytest.mark.django_db

QUEUED = 10_000


@pytest.fixture
def big_queue():
    organisation = make_org()
    account = Account.objects.get(organisation=organisation)
    nominal = NominalCode.objects.get(organisation=organisation, code="4000")
    Document.objects.bulk_create(
        Document(
            organisation=organisation,
            doc_type="sales_invoice",
            number=f"S{n:05d}",
            account=account,
            issue_date=dt.date(2026, 1, 1),
            marked_for_sync=True,
        )
        for n in range(QUEUED)
    )
    Line.objects.bulk_create(
        Line(
            document_id=pk,
            position=1,
            text="Service",
            unit_price=Decimal("10"),
            nominal=nominal,
            net=Decimal("10.00"),
            tax=Decimal("2.00"),
        )
        for pk in Document.objects.filter(organisation=organisation).values_list("pk", flat=True)
    )
    return make_user(organisation, Role.ACCOUNTS)


def test_the_grid_shows_one_page_of_ten_thousand_in_a_fixed_number_of_queries(client, big_queue):
    client.force_login(big_queue)
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        response = client.get("/sync/sales-invoice/?page=3")
        elapsed = time.monotonic() - started
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('id="row-') == GRID_PAGE_SIZE
    assert "Showing 101–150 of 10000" in page
    assert ">S00100<" in page and "12.00" in page
    # The page's 50 rows were never judged (made in bulk): judging them adds a fixed few.
    assert len(queries) <= 25
    assert elapsed < 2.0
    assert page.count("Cannot sync until marked as sent.") == GRID_PAGE_SIZE
    with CaptureQueriesContext(connection) as again:
        client.get("/sync/sales-invoice/?page=3")
    assert len(again) <= 15


def test_the_menu_shows_each_types_own_count(client, big_queue):
    client.force_login(big_queue)
    page = client.get("/sync/sales-invoice/").content.decode()
    assert '<span class="count" id="count-sales-invoice">10000</span>' in page
    assert '<span class="count" id="count-sales-credit-note">0</span>' in page
