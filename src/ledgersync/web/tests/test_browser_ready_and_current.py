"""In a real browser: the first press of Sync sends the ready documents even though the first
listed ones wait for a fix, and Link This in one popup changes the sibling rows of the same
account in place. Connected by minted tokens to keep it quick; QuickBooks is enough."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Account, DocType
from ledgersync.records.services import create_document
from ledgersync.sync import engine, linking
from ledgersync.sync.connections import connector_for_connection
from ledgersync.web.tests.conftest import log_in
from ledgersync.web.tests.test_browser_screens import connect
from ledgersync.web.tests.test_browser_sync_journey import close_popup, open_actions, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_this(connection, *numbers):
    connector = connector_for_connection(connection)
    for number in numbers:
        party = Account.objects.get(organisation=connection.organisation, number=number)
        linking.link(connection, connector, party, linking.LinkAction.LINK_THIS)


def test_the_first_press_of_sync_sends_the_ready_rows_past_the_blocked_ones(page, quickbooks):
    organisation = seed_demo()  # batch size 5: S1001 is not sent, S1003-S1009 wait for a fix
    connection = connect(organisation, quickbooks)
    link_this(connection, "A1001", "A1006")  # so S1002 and S1010 are ready

    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Sync", exact=True).click()

    expect(page.locator("#progress .runstate")).to_have_text("Finished")
    for number in ("S1002", "S1010"):
        expect(row(page, number)).to_have_count(0)
    for number in ("S1001", "S1003", "S1009"):
        expect(row(page, number)).to_have_count(1)
    expect(row(page, "S1001")).to_contain_text("Cannot sync until marked as sent.")
    expect(page.locator("#run-done")).to_have_text("2")
    assert page.evaluate("window.__sameDocument") is True


def test_link_this_in_one_popup_updates_a_sibling_row_without_a_reload(page, quickbooks):
    organisation = seed_demo()
    connection = connect(organisation, quickbooks)
    create_document(
        organisation,
        {
            "type": "sales_invoice",
            "number": "S1011",
            "account": "A1001",
            "sent_via": "email",
            "mark_for_sync": True,
            "lines": [{"text": "Boiler service", "unit_price": "80.00", "nominal": "4000"}],
        },
    )
    invoices = list(engine.queue(organisation, DocType.SALES_INVOICE))
    engine.recheck_all(invoices, connection)

    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")
    page.evaluate("window.__sameDocument = true")
    expect(row(page, "S1011")).to_contain_text("does not exist in QuickBooks")
    popup = open_actions(page, "S1002")
    popup.get_by_role("button", name="Link This").click()
    expect(popup.locator(".notice.success")).to_contain_text("Harbour Cafe is linked")
    close_popup(page)

    expect(row(page, "S1011")).not_to_contain_text("does not exist")
    expect(row(page, "S1011")).to_contain_text("READY")
    popup = open_actions(page, "S1011")
    expect(popup.get_by_role("button", name="Link This")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
