"""The product guide's journey in a real browser, once per provider whose connector and
sandbox are both registered: connect through the consent page, fix what the checks find
(Sent, Link This, Create New, a wrong AccsID), Sync, see it in the package, disconnect."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.demo_data import seed_demo
from ledgersync.sync.models import Connection, DocumentState, SyncRun
from ledgersync.web.tests.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each sandbox's read-only page for one sales invoice (its own web app's path).
INVOICE_VIEW = {
    "quickbooks": "/app/invoice?txnId={id}&realmId={company}",
    "sage": "/invoicing/sales_invoices/{id}?business={company}",
    "xero": "/AccountsReceivable/View.aspx?InvoiceID={id}",
}


def row(page, number):
    return page.locator("#grid tr.row", has=page.locator(".snum", has_text=number))


def open_actions(page, number):
    row(page, number).locator("td").nth(1).click()  # the date cell: anywhere but the Nav panel
    popup = page.locator("#actions-popup")
    expect(popup).to_have_attribute("data-document", number)
    return popup


def close_popup(page):
    page.locator("#dialog .popup-foot [data-close-dialog]").click()
    expect(page.locator("#dialog")).not_to_be_visible()


def test_an_engineer_cannot_reach_the_sync_page(page, quickbooks):
    seed_demo()
    log_in(page, "engineer")
    expect(page.get_by_role("navigation", name="Main menu")).not_to_contain_text(
        "Sync Accounts API"
    )
    response = page.goto("/sync/sales-invoice/")
    assert response.status == 403
    expect(page.locator("#forbidden")).to_contain_text("ask your Administrator")
    shot(page, "forbidden")


def test_connect_fix_sync_and_disconnect(page, sandbox):
    organisation = seed_demo()
    organisation.provider = sandbox.slug
    organisation.batch_size = 20
    organisation.save()
    name = PROVIDERS[sandbox.slug].name
    screens = sandbox.slug == "quickbooks"  # the guide's screenshots use QuickBooks

    log_in(page, "admin")
    page.get_by_role("link", name="Sync Accounts API").click()
    expect(page.locator("#connection-status")).to_have_text("Not Connected")
    expect(page.locator(".connection")).to_have_css("border-left-color", "rgb(180, 35, 24)")
    if screens:
        shot(page, "sync-not-connected")

    # The real OAuth redirect: the sandbox's consent page, then back.
    page.get_by_role("button", name=f"Connect to {name}").click()
    page.wait_for_url(re.compile(re.escape(sandbox.url)))
    if screens:
        shot(page, "consent")
    page.locator("#connect").click()
    page.wait_for_url("**/sync/sales-invoice/")
    expect(page.locator("#connection-status")).to_have_text("Connected")
    expect(page.locator("#provider-name")).to_have_text(name)
    connection = Connection.objects.get(organisation=organisation)
    expect(page.locator("#company-name")).to_have_text(connection.company_name)
    expect(page.locator(".connection")).to_have_css("border-left-color", "rgb(28, 124, 58)")

    # Judged on connecting: every row says why before any Sync, and none is ready, so Sync
    # sends nothing, starts no run, and says what to fix first.
    expect(row(page, "S1001")).to_contain_text("Cannot sync until marked as sent.")
    expect(row(page, "S1002")).to_contain_text("does not exist in")
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#nothing-ready")).to_contain_text(
        "Nothing is ready to sync: 10 invoices are waiting for a fix. "
        "First: S1001: Cannot sync until marked as sent."
    )
    expect(page.locator("#progress .runstate")).to_have_count(0)
    assert not SyncRun.objects.exists()
    if screens:
        shot(page, "sync-grid")

    # Link This: Harbour Cafe has exactly the same name in the package.
    popup = open_actions(page, "S1002")
    expect(popup.locator(".failures")).to_contain_text("ACCOUNT_NOT_LINKED")
    if screens:
        shot(page, "actions-link-this", locator=page.locator("#dialog"))
    popup.get_by_role("button", name="Link This").click()
    expect(popup.locator(".notice.success")).to_contain_text("Harbour Cafe is linked")
    expect(popup.locator("#checks-passed")).to_be_visible()
    expect(row(page, "S1002")).to_contain_text("READY")
    close_popup(page)

    # Create New: no similar name in the package, so no confirmation is asked.
    popup = open_actions(page, "S1005")
    expect(popup).to_contain_text("No similar names")
    expect(popup.get_by_role("button", name="Link This")).to_have_count(0)
    popup.get_by_role("button", name="Create New").click()
    expect(popup.locator(".notice.success")).to_contain_text("was created in")
    close_popup(page)

    # Similar names only: no Link This; a wrong AccsID is refused; Create New asks first.
    popup = open_actions(page, "S1004")
    expect(popup.locator(".suggestions")).to_contain_text("Greenway Lettings")
    expect(popup.get_by_role("button", name="Link This")).to_have_count(0)
    if PROVIDERS[sandbox.slug].name == "Sage":
        expect(popup.locator("#accs-unavailable")).to_contain_text("not available with Sage")
    else:
        popup.get_by_label("AccsID").fill("abc")
        popup.get_by_role("button", name="Save AccsID").click()
        expect(popup.locator("#action-error")).to_contain_text(
            f"AccountsID (abc) is not correct, {name} requires"
        )
        if screens:
            shot(page, "actions-wrong-accsid", locator=page.locator("#dialog"))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    popup.get_by_role("button", name="Create New").click()
    expect(popup.locator(".notice.success")).to_contain_text("was created in")
    assert "already has similar names" in asked[0]
    close_popup(page)

    # Not sent: the Print dialogue's Sent toggle fixes it.
    popup = open_actions(page, "S1001")
    popup.get_by_role("link", name="Open the Print dialogue to set Sent").click()
    switch = page.locator("#sent-switch")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(page.locator("#sent-switch")).to_have_attribute("aria-checked", "true")
    if screens:
        shot(page, "print-dialogue")
    page.goto("/sync/sales-invoice/")
    expect(row(page, "S1001")).to_contain_text("READY")

    # Sync again: the fixed documents leave the grid without a page reload.
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Sync", exact=True).click()
    for number in ("S1001", "S1002", "S1004", "S1005"):
        expect(row(page, number)).to_have_count(0)
    expect(row(page, "S1003")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
    if screens:
        shot(page, "sync-after")

    # The invoice is in the package, as the package's own web view shows it.
    state = DocumentState.objects.get(document__organisation=organisation, document__number="S1002")
    view = INVOICE_VIEW[sandbox.slug].format(id=state.remote_id, company=connection.company_id)
    page.goto(f"{sandbox.url}{view}")
    expect(page.locator("body")).to_contain_text("S1002")
    if screens:
        shot(page, "package-view")

    page.goto("/sync/sales-invoice/")
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#connection-status")).to_have_text("Not Connected")
    expect(page.get_by_role("button", name=f"Connect to {name}")).to_be_visible()
