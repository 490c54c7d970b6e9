"""The paid state on a document's page, in a real browser: a payment recorded in the
package in part, then the rest, each pulled back (#17)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.sync import assess, payments
from ledgersync.sync.tests.conftest import connect_to_sandbox
from ledgersync.sync.tests.test_payments_come_back import record_payment, synced_invoice
from ledgersync.web.tests.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_document_page_shows_part_paid_then_paid(page, quickbooks):
    organisation = seed_demo()
    connection = connect_to_sandbox(organisation, quickbooks.url, "quickbooks")
    assess.assess(organisation, keep_outcomes=True, ask=False)
    document = synced_invoice(organisation, connection)
    record_payment(quickbooks, connection, document, "50.00", "BACS 101", dt.date(2025, 3, 10))
    payments.pull(connection)

    log_in(page, "admin")
    page.goto(f"/documents/{document.pk}/")
    expect(page.locator("#paid-state")).to_contain_text("Part paid: £130.00 outstanding")
    expect(page.locator("#payments tbody tr")).to_have_text(["10/03/2025BACS 101£50.00"])
    shot(page, "document-part-paid", locator=page.locator("#integration"))

    record_payment(quickbooks, connection, document, "130.00", "BACS 102", dt.date(2025, 3, 17))
    payments.pull(connection)
    page.reload()
    expect(page.locator("#paid-state .paid")).to_have_text("Paid")
    expect(page.locator("#paid-state")).not_to_contain_text("outstanding")
    expect(page.locator("#payments tbody tr")).to_have_count(2)

    page.goto("/documents/?paid=unpaid")
    expect(page.get_by_role("link", name="R0017")).to_have_count(0)
    page.goto("/documents/?paid=paid")
    expect(page.locator("table.doclist")).to_contain_text("R0017")
    expect(page.locator("table.doclist tr", has_text="R0017")).to_contain_text("Paid")
