"""Needs attention in a real browser: reached from the menu, filtered by type with the plain
form, and a row followed to the document's page, where it is fixed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Document
from ledgersync.web.tests.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_filters_by_type_and_a_row_opens_its_document(page, quickbooks):
    seed_demo()  # on QuickBooks
    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")
    page.get_by_role("button", name="Connect to QuickBooks").click()
    page.wait_for_url(re.compile(re.escape(quickbooks.url)))
    page.locator("#connect").click()
    page.wait_for_url("**/sync/sales-invoice/")

    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Needs attention"
    ).click()
    page.wait_for_url("**/sync/problems/")
    expect(page.get_by_role("heading", name="Needs attention", level=1)).to_be_visible()
    expect(page.locator("#group-not_sent")).to_contain_text("Cannot sync until marked as sent.")
    expect(page.locator("#group-account_not_linked")).to_contain_text(
        "does not exist in QuickBooks"
    )
    shot(page, "needs-attention")

    page.get_by_label("Type").select_option(label="Supplier Invoices")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/sync/problems/?type=supplier-invoice*")
    rows = page.locator("tr[id^=problem-]")
    expect(rows).to_have_count(
        Document.objects.filter(doc_type="supplier_invoice", marked_for_sync=True).count()
    )
    expect(page.locator("table.problemgrid")).not_to_contain_text("Sales Invoice")

    first = Document.objects.filter(doc_type="supplier_invoice").order_by("issue_date").first()
    assert first is not None
    expect(rows.first).to_contain_text(first.number)
    rows.first.get_by_role("link", name=first.number).click()
    page.wait_for_url(f"**/documents/{first.pk}/")
    expect(page.locator("#integration")).to_contain_text("does not exist in QuickBooks")
