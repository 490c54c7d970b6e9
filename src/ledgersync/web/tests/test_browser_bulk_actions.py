"""A bulk action in a real browser, over 500 documents: the office chooses a status code's
group on Needs attention, reads the preview, confirms, and watches a worker (a real Huey
consumer) do it, the page's progress moving without a reload."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Account, Document, Line, NominalCode
from ledgersync.sync import assess, reference
from ledgersync.sync.models import BulkAction, BulkState
from ledgersync.sync.tests.conftest import connect_to_sandbox
from ledgersync.web.tests.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNSENT = 500


def _unsent_invoices(organisation) -> None:
    account = Account.objects.get(organisation=organisation, number="A1002")
    nominal = NominalCode.objects.get(organisation=organisation, code="4000")
    Document.objects.bulk_create(
        Document(
            organisation=organisation,
            doc_type="sales_invoice",
            number=f"S{7000 + n}",
            account=account,
            issue_date=dt.date(2026, 11, 1) + dt.timedelta(days=n % 28),
            marked_for_sync=True,
        )
        for n in range(UNSENT)
    )
    Line.objects.bulk_create(
        Line(
            document_id=pk,
            position=1,
            text="Boiler service",
            unit_price=Decimal("80.00"),
            nominal=nominal,
            net=Decimal("80.00"),
            tax=Decimal("16.00"),
        )
        for pk in Document.objects.filter(
            number__gte="S7000", organisation=organisation
        ).values_list("pk", flat=True)
    )


def test_mark_sent_over_500_documents_with_progress(page, quickbooks, worker):
    organisation = seed_demo()
    connection = connect_to_sandbox(organisation, quickbooks.url, "quickbooks")
    _unsent_invoices(organisation)
    reference.refresh(connection)
    assess.assess(organisation)
    log_in(page, "accounts")
    page.goto("/sync/problems/?type=sales-invoice")
    group = page.locator("#group-not_sent")
    expect(group).to_contain_text(f"{UNSENT + 1} documents")  # the demo's S1001 as well

    page.get_by_label("With").select_option(label="Mark sent")
    page.get_by_label("for", exact=True).select_option(value="group:NOT_SENT")
    shot(page, "bulk-bar", locator=page.locator(".bulkbar"))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/sync/problems/bulk/preview/")
    expect(page.locator("#bulk-summary")).to_contain_text(f"{UNSENT + 1} documents chosen.")
    expect(page.locator("#bulk-summary")).to_contain_text(f"{UNSENT + 1} documents will change.")
    expect(page.locator("#bulk-plan tbody tr")).to_have_count(UNSENT + 1)
    shot(page, "bulk-preview")
    assert not BulkAction.objects.exists(), "the preview changed nothing"

    page.get_by_role("button", name=f"Confirm: Mark sent ({UNSENT + 1})").click()
    page.wait_for_url("**/sync/bulk/*/")
    sentence = page.locator("#bulk-sentence")
    # The worker takes a few seconds over 501 documents: the page first shows it under way...
    expect(sentence).to_contain_text("Working:", timeout=15_000)
    shot(page, "bulk-progress")
    # ...and then, polled without a reload, done.
    expect(sentence).to_contain_text(f"{UNSENT + 1} done, 0 left as they were", timeout=90_000)
    expect(page.locator("progress")).to_have_attribute("value", str(UNSENT + 1))
    action = BulkAction.objects.get()
    assert action.state == BulkState.DONE and action.changed == UNSENT + 1
    unsent = Document.objects.filter(organisation=organisation, doc_type="sales_invoice")
    assert not unsent.filter(sent_at__isnull=True).exists()
    page.get_by_role("link", name="Back to Needs attention").click()
    expect(page.locator("#group-not_sent")).to_have_count(0)
