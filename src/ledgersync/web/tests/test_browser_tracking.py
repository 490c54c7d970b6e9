"""Settings > Tracking in a real browser: after connecting to QuickBooks through its consent
page, Accounts opens the tracking settings from the Sync page, books the class from the job
and the location from the department, and sees the package's classes and locations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.sync.models import AuditEvent
from ledgersync.web.tests.conftest import log_in, shot
from ledgersync.web.tests.test_browser_statuses_follow_the_connection import connect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accounts_books_the_class_from_the_job_and_sees_the_packages_lists(page, quickbooks):
    seed_demo()
    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")
    connect(page, quickbooks, "QuickBooks")

    page.get_by_role("link", name="Tracking settings").click()
    page.wait_for_url("**/settings/tracking/")
    settings = page.locator("#tracking-settings")
    expect(settings.get_by_label("Book from")).to_have_count(2)
    settings.locator("#slot-class").get_by_label("Book from").select_option(label="Job")
    settings.locator("#slot-location").get_by_label("Book from").select_option(label="Department")
    settings.get_by_role("button", name="Save tracking").click()

    expect(page.get_by_role("status")).to_contain_text("Tracking settings saved.")
    expect(page.locator("#class-source")).to_have_value("job")
    expect(page.locator("#location-source")).to_have_value("department")
    lists = page.locator("#tracking-lists")
    expect(lists).to_contain_text("Servicing")
    expect(lists).to_contain_text("Bristol")
    expect(lists).not_to_contain_text("Boiler Scrappage")  # inactive in QuickBooks
    assert AuditEvent.objects.get(action="tracking_changed").detail == (
        "QuickBooks tracking: Class from job, Location from department"
    )
    shot(page, "settings-tracking", full_page=True)
