"""The other screens in a real browser: Auto Sync with Stop, the record's locked AccsID,
relink needed, documents and their form, nominal codes, settings. Connected by minted
tokens (the consent page has its own journey) to keep the suite quick."""

from __future__ import annotations

import re

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Account, DocType, Document, SentVia
from ledgersync.records.services import create_document
from ledgersync.sync import connections, engine, linking
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import AuditEvent, Connection
from ledgersync.sync.tests.conftest import connect_to_sandbox
from ledgersync.web.tests.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def connect(organisation, server) -> Connection:
    return connect_to_sandbox(organisation, server.url, server.slug)


def test_auto_sync_shows_progress_and_stops(page, quickbooks, worker):
    organisation = seed_demo()
    connection = connect(organisation, quickbooks)
    harbour = Account.objects.get(organisation=organisation, number="A1001")
    match = linking.suggestions(connector_for_connection(connection), harbour).exact
    linking.link_existing(
        connection, connector_for_connection(connection), harbour, match.contact.id
    )
    for _ in range(40):
        document = create_document(
            organisation,
            {
                "type": DocType.SALES_INVOICE,
                "account": "A1001",
                "lines": [{"text": "Boiler service", "unit_price": "95.00", "nominal": "4000"}],
            },
        )
        Document.objects.filter(pk=document.pk).update(
            marked_for_sync=True, sent_at=timezone.now(), sent_via=SentVia.EMAIL
        )
    httpx.put(f"{quickbooks.url}/_sandbox/limits", json={"latency_ms": 120}).raise_for_status()

    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")
    page.get_by_role("button", name="Auto Sync").click()
    expect(page.locator("#progress .runstate")).to_have_text("Running")
    expect(page.locator("#run-done")).not_to_have_text("0", timeout=15_000)
    expect(page.locator("#run-time-left")).to_be_visible()
    shot(page, "auto-sync-progress")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#progress .runstate")).to_have_text("Stopped", timeout=20_000)
    done = int(page.locator("#run-done").inner_text())
    assert 0 < done < 42
    left = engine.queue(organisation, DocType.SALES_INVOICE).count()
    assert left == 50 - done
    expect(page.locator("#grid tr.row")).to_have_count(left)
    httpx.put(f"{quickbooks.url}/_sandbox/limits", json={"latency_ms": 0}).raise_for_status()


def test_the_record_accs_id_needs_a_double_click_and_clearing_it_unlinks(page, quickbooks):
    organisation = seed_demo()
    connection = connect(organisation, quickbooks)
    greenway = Account.objects.get(organisation=organisation, number="A1002")
    linking.save_raw_accs_id(connection, greenway, "58")

    log_in(page, "admin")
    page.goto(f"/accounts/{greenway.pk}/")
    expect(page.locator("#accsid-fact")).to_contain_text("58")
    page.get_by_role("button", name="Edit address").click()
    field = page.locator("#id_accs_id")
    expect(field).to_have_attribute("readonly", "")
    page.locator("label[for=id_accs_id]").click()
    expect(field).to_have_attribute("readonly", "")
    page.locator("label[for=id_accs_id]").dblclick()
    expect(field).not_to_have_attribute("readonly", "")
    expect(field).to_be_focused()
    field.fill("abc")
    shot(page, "record-accsid", locator=page.locator("#address-dialog"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#accsid-fact")).to_contain_text("abc")
    page.goto("/sync/sales-invoice/")
    s1004 = page.locator(
        f"#row-{Document.objects.get(organisation=organisation, number='S1004').pk}"
    )
    expect(s1004).to_contain_text("AccountsID (abc) is not correct, QuickBooks requires a number")

    page.goto(f"/accounts/{greenway.pk}/")
    page.get_by_role("button", name="Edit address").click()
    page.locator("label[for=id_accs_id]").dblclick()
    page.locator("#id_accs_id").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#accsid-fact")).to_contain_text("not linked to QuickBooks")
    assert linking.current_link(connection, greenway) is None
    actions = list(
        AuditEvent.objects.filter(organisation=organisation).values_list("action", flat=True)
    )
    assert actions[:2] == ["unlink", "link:typed"]


def test_relink_needed_says_what_to_do(page, quickbooks):
    organisation = seed_demo()
    connection = connect(organisation, quickbooks)
    connections.mark_relink_needed(connection, "invalid_grant")
    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")
    expect(page.locator("#connection-status")).to_have_text("Relink needed")
    # One sentence: since when, and what to do.
    expect(page.locator(".relink-help")).to_have_text(
        re.compile(
            r"^Since \d\d:\d\d on \d+ \w{3}, QuickBooks no longer accepts ledgersync's access: "
            r"connect again\.$"
        )
    )
    shot(page, "sync-relink-needed", locator=page.locator("#connection"))


def test_documents_list_page_form_and_totals(page, quickbooks):
    organisation = seed_demo()
    log_in(page, "accounts")
    page.get_by_role("link", name="Documents").click()
    page.get_by_label("Type").select_option("sales_invoice")
    page.get_by_label("Sent").select_option("no")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    expect(page.locator("table.grid tbody")).to_contain_text("S1001")
    shot(page, "documents-list")

    page.get_by_role("link", name="S1001").click()
    expect(page.locator("#gross-total")).to_have_text("£216.00")
    expect(page.locator("#go-to-sync")).to_be_visible()
    shot(page, "document-page", full_page=True)

    page.get_by_role("link", name="Documents").click()
    page.get_by_role("link", name="New document").click()
    page.get_by_label("Account", exact=True).select_option(label="Harbour Cafe (A1001)")
    page.get_by_label("Line 1 text").fill("Boiler service")
    page.get_by_label("Line 1 quantity").fill("2")
    page.get_by_label("Line 1 unit price").fill("10.50")
    expect(page.locator("#total-gross")).to_have_text("25.20")
    page.get_by_role("button", name="Add line").click()
    page.get_by_label("Line 2 text").fill("Call-out")
    page.get_by_label("Line 2 unit price").fill("5")
    expect(page.locator("#total-net")).to_have_text("26.00")
    expect(page.locator("#total-gross")).to_have_text("31.20")
    shot(page, "document-form", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Sales Invoice S1011")
    expect(page.locator("#gross-total")).to_have_text("£31.20")
    page.get_by_role("button", name="Mark for sync").click()
    expect(page.locator("#go-to-sync")).to_be_visible()
    assert Document.objects.get(organisation=organisation, number="S1011").marked_for_sync is True


def test_nominal_codes_import_and_settings(page, quickbooks):
    organisation = seed_demo()
    connect(organisation, quickbooks)
    log_in(page, "admin")
    page.get_by_role("link", name="Nominal codes").click()
    expect(page.locator("#nominal-4000 .package")).to_contain_text("Yes")
    expect(page.locator("#nominal-4090 .package")).to_contain_text("Not in QuickBooks")
    expect(page.locator("#nominal-4030 .package")).to_contain_text("no tax rate")
    page.get_by_role("button", name="Import chart of accounts from QuickBooks").click()
    expect(page.locator(".messages")).to_contain_text("8200")
    expect(page.locator("#nominal-8200 .package")).to_contain_text("Yes")
    shot(page, "nominal-codes", full_page=True)

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Accounting package")).to_be_disabled()
    page.get_by_label("Batch size").fill("10")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    expect(page.locator("#audit")).to_contain_text("Changed batch_size to 10")
    shot(page, "settings", full_page=True)
    organisation.refresh_from_db()
    assert organisation.batch_size == 10


def test_the_sync_page_fits_a_tablet(page, quickbooks):
    organisation = seed_demo()
    connect(organisation, quickbooks)
    page.set_viewport_size({"width": 768, "height": 1000})
    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768
    shot(page, "sync-tablet")
