"""The mapping screens in a real browser (#18), on QuickBooks (the screens are the same for
every provider; test_mapping_screens.py runs them against all three): the package's list
read with Refresh, a nominal mapped by hand, the fallback account and the document page
that says so, Create in ledgersync, and a tax code mapped on purchases."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Document, NominalCode
from ledgersync.sync import reference
from ledgersync.sync.models import CodeMapping, MapKind
from ledgersync.sync.tests.conftest import connect_to_sandbox
from ledgersync.web.tests.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def connected(quickbooks):
    organisation = seed_demo()  # on QuickBooks
    return organisation, connect_to_sandbox(organisation, quickbooks.url, "quickbooks")


def test_the_nominal_screen_maps_by_hand_sets_a_fallback_and_creates_a_code(page, connected):
    organisation, connection = connected
    log_in(page, "accounts")
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Nominal mapping"
    ).click()
    page.wait_for_url("**/nominals/mapping/")
    expect(page.locator("#not-read")).to_contain_text("have not been read yet")

    page.get_by_role("button", name="Refresh from QuickBooks").click()
    page.wait_for_url("**/nominals/mapping/")
    expect(page.locator("#list-age")).to_contain_text("Checked against QuickBooks data from")
    missing = page.locator("#nominal-4090")
    expect(missing.locator(".state")).to_have_text("Missing")
    expect(page.locator("#nominal-4000 .state")).to_have_text("Mapped by number")
    expect(page.locator("#lacking-8200")).to_contain_text("Bank charges")
    shot(page, "mapping-nominals", full_page=True)

    missing.get_by_label("QuickBooks account for 4090").select_option(
        label="4010 Sales - Materials"
    )
    missing.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Nominal code 4090 now books to")
    expect(page.locator("#nominal-4090 .state")).to_have_text("Mapped by hand")
    expect(page.locator("#nominal-4090 .package")).to_have_text("4010 Sales - Materials")
    assert CodeMapping.objects.get(kind=MapKind.NOMINAL, code="4090").remote == "4010"

    # Back to matching by number, then the fallback for sales invoices books it instead.
    page.locator("#nominal-4090").get_by_label("QuickBooks account for 4090").select_option(
        label="By number"
    )
    page.locator("#nominal-4090").get_by_role("button", name="Save").click()
    expect(page.locator("#nominal-4090 .state")).to_have_text("Missing")
    fallback = page.locator("#fallback-sales_invoice")
    fallback.get_by_label("Fallback account for sales invoices").select_option(
        label="4000 Sales - Labour"
    )
    fallback.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("now books to 4000 instead")

    s1006 = Document.objects.get(organisation=organisation, number="S1006")
    page.goto(f"/documents/{s1006.pk}/")
    expect(page.locator("#bookings")).to_have_text(
        "Line 2: nominal code 4090 is not in QuickBooks; it books to 4000 Sales - Labour, "
        "the fallback account for sales invoices."
    )
    shot(page, "mapping-fallback-on-document", locator=page.locator("main"))

    page.goto("/nominals/mapping/")
    page.get_by_role("button", name="Create 8200 Bank charges in ledgersync").click()
    expect(page.locator(".messages")).to_contain_text("Created nominal code 8200 Bank charges.")
    expect(page.locator("#nominal-8200 .state")).to_have_text("Mapped by number")
    expect(page.locator("#lacking-8200")).to_have_count(0)
    assert NominalCode.objects.filter(organisation=organisation, code="8200").exists()


def test_the_tax_screen_maps_a_code_on_purchases(page, connected):
    organisation, connection = connected
    reference.refresh(connection)
    purchases = reference.reference_of(reference.cache_of(connection)).account("5000")
    assert purchases is not None and purchases.tax_code_id is not None
    log_in(page, "accounts")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Tax mapping").click()
    page.wait_for_url("**/nominals/tax-mapping/")
    expect(page.locator("#tax-S .sales")).to_contain_text("Mapped by number")

    row = page.locator("#tax-R")
    row.get_by_label("Purchases").select_option(value=purchases.tax_code_id)
    row.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Saved the mapping of tax code R.")
    expect(page.locator("#tax-R .purchases")).to_contain_text("Mapped by hand")
    assert CodeMapping.objects.get(kind=MapKind.PURCHASE_TAX, code="R").remote == (
        purchases.tax_code_id
    )
    shot(page, "mapping-tax-codes", full_page=True)
