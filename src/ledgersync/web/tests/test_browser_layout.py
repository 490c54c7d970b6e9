"""Every main screen fits a tablet (768 px) and a laptop (1366 px) without sideways
scrolling; the StatusCode cell reads as a sentence with its code small after it; the left
menu folds behind a "Menu" button on a tablet and opens from it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Document
from ledgersync.sync.models import AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode, check_failure
from ledgersync.web.tests.conftest import log_in, shot
from ledgersync.web.tests.test_browser_screens import connect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIN_PAGES = [
    "/sync/sales-invoice/",
    "/sync/problems/",
    "/documents/",
    "/documents/{document}/",
    "/documents/new/",
    "/accounts/",
    "/suppliers/",
    "/nominals/",
    "/settings/",
]
# Long unbroken words an audit entry really holds: a Xero ContactID, a Sage id.
LONG_DETAILS = [
    "Linked A1003 Northgate Dental Practice to Xero contact 297c2dc5-cc47-4afd-8ec8-74990b8761e9",
    "Linked P3 Coastal Timber Supplies to Sage contact 9f1c2b7a4e6d4c3b8a0f5e2d1c7b9a3e",
]


def _every_queued_document_blocked(organisation, connection) -> None:
    """The longest words each row can hold, so the widths are measured at their worst.
    Recorded for the live connection: a state judged for none would be judged again when
    the page shows it (assess.heal), and the rows would hold their real, shorter reasons."""
    for document in Document.objects.filter(organisation=organisation, marked_for_sync=True):
        party = document.party
        failure = check_failure(
            StatusCode.ACCOUNT_NOT_LINKED,
            party=f"Customer Account '{party.name}' ({party.number})",
            provider="QuickBooks",
        )
        DocumentState.record(document, [failure], connection)


def _overflowing(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [768, 1366])
def test_every_main_screen_fits_without_sideways_scrolling(page, quickbooks, width):
    organisation = seed_demo()
    connection = connect(organisation, quickbooks)
    _every_queued_document_blocked(organisation, connection)
    for detail in LONG_DETAILS * 3:
        AuditEvent.objects.create(organisation=organisation, action="link:typed", detail=detail)
    invoice = Document.objects.get(organisation=organisation, number="S1009")  # has a care-of
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "admin")

    widths = {}
    for path in MAIN_PAGES:
        page.goto(path.format(document=invoice.pk))
        widths[path] = _overflowing(page)
    assert {p: w for p, w in widths.items() if w > width} == {}

    # The audit table stays inside its card (it used to run past it).
    page.goto("/settings/")
    table, card = (
        page.locator("#audit").bounding_box(),
        page.locator("#audit").locator("xpath=..").bounding_box(),
    )
    assert table["x"] + table["width"] <= card["x"] + card["width"]
    if width == 768:
        page.goto("/documents/")
        shot(page, "documents-tablet", full_page=True)
        page.goto("/documents/new/")
        shot(page, "document-form-tablet", full_page=True)


def test_the_status_cell_reads_as_its_sentence_with_the_code_small_after_it(page, quickbooks):
    organisation = seed_demo()
    connection = connect(organisation, quickbooks)
    _every_queued_document_blocked(organisation, connection)
    log_in(page, "accounts")
    page.goto("/sync/sales-invoice/")

    cell = page.locator("#grid tr.row", has_text="(A1001) does not exist").first.locator(
        "td.status"
    )
    message, code = cell.locator(".message"), cell.locator(".code")
    expect(message).to_have_text(
        "Customer Account 'Harbour Cafe' (A1001) does not exist in QuickBooks"
    )
    expect(code).to_have_text("ACCOUNT_NOT_LINKED")
    assert cell.inner_text().startswith("Customer Account 'Harbour Cafe'")
    looks = code.evaluate(
        "(el) => { const s = getComputedStyle(el), m = getComputedStyle(el.previousElementSibling);"
        " return [s.backgroundColor, parseFloat(s.fontSize) < parseFloat(m.fontSize), s.color]; }"
    )
    assert looks[:2] == ["rgba(0, 0, 0, 0)", True]  # no chip, smaller than the sentence
    assert looks[2] != "rgb(180, 35, 24)"  # and not red


def test_the_left_menu_folds_on_a_tablet_and_opens_from_its_button(page, quickbooks):
    seed_demo()
    page.set_viewport_size({"width": 768, "height": 900})
    log_in(page, "accounts")
    page.goto("/documents/")
    menu = page.get_by_role("navigation", name="Main menu")
    button = page.locator("#navmenu > summary")

    expect(menu).to_be_hidden()
    expect(button).to_contain_text("Menu · Documents")
    button.click()
    expect(menu).to_be_visible()
    shot(page, "menu-tablet")
    menu.get_by_role("link", name="Nominal codes").click()
    expect(page.locator("h1")).to_have_text("Nominal codes")
    expect(menu).to_be_hidden()  # a new page starts folded

    page.set_viewport_size({"width": 1200, "height": 900})
    expect(menu).to_be_visible()
    expect(button).to_be_hidden()
