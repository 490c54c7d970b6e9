"""A first visit in a real browser, once per provider: right after connecting through the
sandbox's consent page, without pressing Sync, the grid already gives every row its real
reason, and says how old the package's data behind it is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.demo_data import seed_demo
from ledgersync.sync.models import SyncRun
from ledgersync.web.tests.conftest import log_in, shot
from ledgersync.web.tests.test_browser_sync_journey import row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_right_after_connecting_the_grid_shows_each_rows_real_reason(page, sandbox):
    organisation = seed_demo()
    organisation.provider = sandbox.slug
    organisation.save()
    name = PROVIDERS[sandbox.slug].name

    log_in(page, "admin")
    page.goto("/sync/sales-invoice/")
    # Not connected yet: the local check already speaks; the rest wait for a connection.
    expect(row(page, "S1001")).to_contain_text("Cannot sync until marked as sent.")
    expect(row(page, "S1002")).to_contain_text(f"Not connected to {name}")

    page.get_by_role("button", name=f"Connect to {name}").click()
    page.wait_for_url(re.compile(re.escape(sandbox.url)))
    page.locator("#connect").click()
    page.wait_for_url("**/sync/sales-invoice/")
    expect(page.locator("#connection-status")).to_have_text("Connected")

    expect(row(page, "S1001")).to_contain_text("Cannot sync until marked as sent.")
    for number in ("S1002", "S1004", "S1005"):
        expect(row(page, number)).to_contain_text(f"does not exist in {name}")
    expect(page.locator("#grid")).not_to_contain_text("press Sync")
    expect(page.locator("#grid")).not_to_contain_text("Being checked")
    expect(page.locator("#data-age")).to_contain_text(f"Checked against {name} data from")
    expect(page.get_by_role("button", name=f"Refresh from {name}")).to_be_visible()
    assert not SyncRun.objects.filter(organisation=organisation).exists()
    if sandbox.slug == "quickbooks":  # the guide's screenshots use QuickBooks
        shot(page, "sync-first-visit")
