"""`ledgersync sync` and `ledgersync status` against each provider's sandbox."""

from __future__ import annotations

import re

import pytest

from ledgersync.cli import main
from ledgersync.commands import syncing
from ledgersync.records.models import Account, Document
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org
from ledgersync.sync import linking
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import DocumentState, SyncRun
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(syncing, "sleep", lambda seconds: None)


def link(organisation, connection, number):
    connector = connector_for_connection(connection)
    account = Account.objects.get(organisation=organisation, number=number)
    match = linking.suggestions(connector, account).exact
    linking.link_existing(connection, connector, account, match.contact.id)


def test_sync_shows_progress_and_exits_1_naming_the_documents_left(demo, capsys):
    organisation, connection = demo
    link(organisation, connection, "A1001")

    code = main(["sync", "--org", "demo", "--type", "sales-invoice"])

    out = capsys.readouterr().out
    assert code == 1
    # Judged before the run: only S1002 is ready, so Sync's batch is S1002 alone.
    header = r"^Sync of Sales Invoices \(run \d+\): 10 marked for sync, 9 waiting for a fix$"
    assert re.search(header, out, re.M)
    assert "] 1/1  synced 1  failed 0  finished" in out
    rows = {
        line.split()[0]: line.split(None, 2)[1:]
        for line in out.splitlines()
        if line.startswith("S1")
    }
    assert rows["S1001"] == ["NOT_SENT", "Cannot sync until marked as sent."]
    assert DocumentState.objects.get(document__number="S1002").status_code == StatusCode.SYNCED


def test_sync_exits_0_when_everything_marked_synced(demo, capsys):
    organisation, connection = demo
    link(organisation, connection, "A1001")
    Document.objects.filter(organisation=organisation).exclude(number="S1002").update(
        marked_for_sync=False
    )

    assert main(["sync", "--org", "demo", "--auto"]) == 0

    out = capsys.readouterr().out
    assert "Auto Sync of Sales Invoices" in out and "left with status codes" not in out
    assert DocumentState.objects.get(document__number="S1002").status_code == StatusCode.SYNCED
    assert not SyncRun.objects.filter(state__in=["queued", "running"]).exists()


def test_sync_without_a_connection_exits_2(db, capsys):
    make_org()

    assert main(["sync", "--org", "acme"]) == 2
    assert capsys.readouterr().err == (
        "ledgersync sync: Acme Heating Ltd: Not connected to QuickBooks: connect on the "
        "Sync Accounts API page first.\n"
    )
    assert not SyncRun.objects.exists()


def test_status_shows_the_connection_and_queue_counts(demo, capsys):
    organisation, connection = demo

    assert main(["status", "--org", "demo"]) == 0

    out = capsys.readouterr().out
    assert f"{connection.get_provider_display()} company Demo Trades Ltd: connected" in out
    # Judged as the connection was made, before any Sync: nothing is linked yet.
    assert "Sales Invoice      ACCOUNT_NOT_LINKED  9" in out
    assert "Sales Invoice      NOT_SENT            1" in out
    assert "Supplier Invoice   ACCOUNT_NOT_LINKED  4" in out
    assert "NOT_CHECKED" not in out


@pytest.mark.django_db
def test_void_refuses_a_document_not_in_the_package_and_names_a_missing_one(capsys):
    organisation = make_org()
    create_document(organisation, invoice_data(number="S0042"))

    refused = main(["void", "--org", organisation.slug, "--type", "sales-invoice", "S0042"])
    assert refused == 1
    assert "Sales Invoice S0042 is not in the package" in capsys.readouterr().err
    missing = main(["void", "--org", organisation.slug, "--type", "sales-invoice", "S9999"])
    assert missing == 2
    assert "No sales invoice numbered 'S9999'" in capsys.readouterr().err
