"""Wherever a status shows (the Sync grid, the actions popup, the document's Integration
panel) the sentence a person acts on comes first and the machine code after it, still in
the page for tests and API users; and the figures read as an accountant writes them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Document, TaxCode, User
from ledgersync.sync.models import DocumentState
from ledgersync.sync.status import StatusCode, check_failure

pytestmark = pytest.mark.django_db

SENTENCE = "Cannot sync until marked as sent."


@pytest.fixture
def s1001(client):
    seed_demo()
    document = Document.objects.get(number="S1001")
    DocumentState.record(document, [check_failure(StatusCode.NOT_SENT)])
    client.force_login(User.objects.get(username="accounts"))
    return document


def _sentence_before_code(html: str) -> bool:
    sentence, code = html.find(SENTENCE), html.find(">NOT_SENT<")
    return 0 <= sentence < code


def _part(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_the_sync_grid_cell_says_the_sentence_then_the_code(client, s1001):
    html = client.get("/sync/sales-invoice/").content.decode()
    cell = _part(html, f'id="row-{s1001.pk}"', "</tr>")
    assert _sentence_before_code(cell)
    assert re.search(r'<span class="code">NOT_SENT</span>', cell)


def test_the_popup_lists_each_check_as_its_sentence_then_its_code(client, s1001):
    html = client.get(f"/sync/documents/{s1001.pk}/actions/").content.decode()
    assert _sentence_before_code(_part(html, 'class="failures"', "</ul>"))


def test_the_integration_panel_says_the_sentence_then_the_code(client, s1001):
    html = client.get(f"/documents/{s1001.pk}/").content.decode()
    assert _sentence_before_code(_part(html, 'id="integration"', "</section>"))


def test_the_document_page_and_print_write_money_and_prices_as_an_accountant(client, s1001):
    line = s1001.lines.first()
    line.unit_price = Decimal("180.0000")
    line.save()  # stored as 180.0000, the column's scale

    page = client.get(f"/documents/{s1001.pk}/").content.decode()
    printed = client.get(f"/documents/{s1001.pk}/print/").content.decode()

    for html in (page, printed):
        assert "£216.00" in html
        assert ">180.00<" in html
        assert "180.0000" not in html


def test_the_tax_drop_down_and_the_nominal_codes_say_20_percent(client, s1001):
    assert TaxCode.objects.filter(code="S").get().rate == 20
    form = client.get("/documents/new/").content.decode()
    nominals = client.get("/nominals/").content.decode()
    for html in (form, nominals):
        assert "S (20%)" in html
        assert "E+" not in html
