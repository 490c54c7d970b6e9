"""Statuses belong to the connection they were judged against, in a real browser: after the
package refuses ledgersync and the user connects again, no row is left saying "relink
needed"; after Settings switch to another package, no row names the old one."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.web.tests.conftest import log_in
from ledgersync.web.tests.test_browser_sync_journey import row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def connect(page, sandbox, name: str) -> None:
    page.get_by_role("button", name=f"Connect to {name}").first.click()
    page.wait_for_url(re.compile(re.escape(sandbox.url)))
    page.locator("#connect").click()
    page.wait_for_url("**/sync/sales-invoice/")


def test_reconnecting_and_switching_package_leave_no_stale_status(page, quickbooks):
    seed_demo()
    log_in(page, "admin")
    page.goto("/sync/sales-invoice/")
    connect(page, quickbooks, "QuickBooks")
    expect(row(page, "S1002")).to_contain_text("does not exist in QuickBooks")

    # QuickBooks stops accepting ledgersync's access; the next read finds out.
    httpx.post(
        f"{quickbooks.url}/_sandbox/faults", json={"kind": "revoke_token"}
    ).raise_for_status()
    with page.expect_response(lambda r: r.request.method == "POST" and "refresh" in r.url):
        page.get_by_role("button", name="Refresh from QuickBooks").click()
    for _ in range(30):  # the read may still be going on a busy machine
        page.reload()
        if page.locator("#connection-status").inner_text() == "Relink needed":
            break
        time.sleep(1)
    expect(page.locator("#connection-status")).to_have_text("Relink needed")
    expect(row(page, "S1002")).to_contain_text("no longer accepts")

    connect(page, quickbooks, "QuickBooks")
    expect(page.locator("#connection-status")).to_have_text("Connected")
    expect(page.locator("#grid")).not_to_contain_text("RELINK_NEEDED")
    expect(page.locator("#grid")).not_to_contain_text("no longer accepts")
    expect(row(page, "S1001")).to_contain_text("Cannot sync until marked as sent.")
    expect(row(page, "S1002")).to_contain_text("does not exist in QuickBooks")

    # Another package: disconnect, choose Xero in Settings, and no row names QuickBooks.
    page.get_by_role("button", name="Disconnect").first.click()
    page.goto("/settings/")
    page.locator("select[name=provider]").select_option("xero")
    page.get_by_role("button", name="Save settings").click()
    # Xero rounds VAT per line, QuickBooks per rate: the unsent documents are reworked,
    # after a warning that asks for a second press.
    expect(page.locator("#rounding-warning")).to_be_visible()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    page.goto("/sync/sales-invoice/")
    expect(row(page, "S1002")).to_contain_text("Not connected to Xero")
    expect(page.locator("#grid")).not_to_contain_text("QuickBooks")
    expect(page.locator(".progress-panel")).not_to_contain_text("QuickBooks")
