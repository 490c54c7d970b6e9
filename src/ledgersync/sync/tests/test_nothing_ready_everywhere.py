"""When every queued document waits for a fix, Sync says so and names the first fix, in the
same words on the Sync page, in the REST API and on the command line (engine.NothingReady)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.cli import main
from ledgersync.commands import syncing
from ledgersync.records.models import DocType, Document, User
from ledgersync.sync import engine
from ledgersync.sync.models import SyncRun
from ledgersync.sync.tests.test_engine import link_exact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True),
]

SENTENCE = (
    "Nothing is ready to sync: 10 invoices are waiting for a fix. "
    "First: S1001: Cannot sync until marked as sent."
)


@pytest.fixture
def all_blocked(demo):
    """The demo's invoices checked: none is linked and S1001 is not sent."""
    organisation, connection = demo
    invoices = list(engine.queue(organisation, DocType.SALES_INVOICE))
    engine.recheck_all(invoices, connection)
    return organisation


def test_the_sync_button_says_nothing_is_ready_and_opens_the_first_fix(all_blocked):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    first = Document.objects.get(number="S1001")

    response = client.post(
        "/sync/sales-invoice/run/", {"auto": "0"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="notice warn" id="nothing-ready">{SENTENCE}' in page
    assert f'hx-get="/sync/documents/{first.pk}/actions/"' in page
    assert "Open S1001" in page
    assert not SyncRun.objects.exists()
    # The page says it too, before anyone presses Sync again.
    assert SENTENCE in client.get("/sync/sales-invoice/").content.decode()


def test_the_api_answers_409_nothing_ready_in_the_same_words(all_blocked):
    api = ApiClient(create_key(all_blocked, "job system")[1])

    response = api.post("/sync/runs", {"type": "sales_invoice"})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "nothing_ready",
        "message": SENTENCE,
        "field": None,
        "details": [],
    }
    assert not SyncRun.objects.exists()


def test_the_command_line_says_it_and_lists_what_waits(all_blocked, capsys, monkeypatch):
    monkeypatch.setattr(syncing, "sleep", lambda seconds: None)

    code = main(["sync", "--org", "demo", "--type", "sales-invoice"])

    out = capsys.readouterr().out
    assert code == 1
    assert f"Sync of Sales Invoices: {SENTENCE}" in out
    assert "10 document(s) left with status codes:" in out
    assert not SyncRun.objects.exists()


def test_the_command_line_goes_on_to_the_next_type_when_one_has_nothing_ready(
    all_blocked, demo, capsys, monkeypatch
):
    _, connection = demo
    link_exact(all_blocked, connection, "P2001")  # its bill BMD-6010 is ready
    monkeypatch.setattr(syncing, "sleep", lambda seconds: None)

    code = main(["sync", "--org", "demo"])

    out = capsys.readouterr().out
    assert code == 1
    assert f"Sync of Sales Invoices: {SENTENCE}" in out
    assert (
        "Sync of Sales Credit Notes: Nothing is ready to sync: 2 credit notes are waiting for "
        "a fix. First: C0001: Customer Account 'Harbour Cafe' (A1001) does not exist in "
        "QuickBooks."
    ) in out
    assert "Sync of Supplier Invoices (run" in out
    assert list(SyncRun.objects.values_list("doc_type", flat=True)) == [DocType.SUPPLIER_INVOICE]
    assert re.search(r"^S1001 +NOT_SENT ", out, re.M)  # the waiting invoices are listed too
    assert re.search(r"^C0001 +ACCOUNT_NOT_LINKED ", out, re.M)
