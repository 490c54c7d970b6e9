"""The Sync page says what happened to the connection and when (an idle timeout, the package
refusing it), in one sentence, until the next connect; it shows no empty progress box; and
an Auto Sync with nothing left says until when it waits."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client
from django.utils import timezone

from ledgersync.records.models import DocType, User
from ledgersync.sync import connections, engine
from ledgersync.sync.models import Connection, ConnectionStatus, DocumentState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401
from ledgersync.sync.tests.test_engine import link_exact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True),
]


@pytest.fixture
def admin(demo):  # noqa: F811
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def sync_page(client) -> str:
    return html.unescape(client.get("/sync/sales-invoice/").content.decode())


def when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local.day} {local:%b}"


def test_an_idle_disconnect_says_when_and_why_until_the_next_connect(demo, admin):  # noqa: F811
    organisation, connection = demo
    organisation.idle_timeout_minutes = 30
    organisation.save()
    Connection.objects.filter(pk=connection.pk).update(
        last_used_at=timezone.now() - dt.timedelta(minutes=31)
    )

    assert connections.keep_alive()["idle_disconnected"] == 1

    ended = Connection.objects.get(pk=connection.pk)
    expected = (
        f"Disconnected at {when(ended.ended_at)} after 30 idle minutes. Connect again to go on."
    )
    assert f'<p class="relink-help" id="connection-lost">{expected}</p>' in sync_page(admin)
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.CONNECTED)
    assert 'id="connection-lost"' not in sync_page(admin)


def test_a_refused_connection_says_since_when_in_one_sentence(demo, admin):  # noqa: F811
    organisation, connection = demo

    connections.mark_relink_needed(connection, "invalid_grant")

    refused_at = Connection.objects.get(pk=connection.pk).ended_at
    page = sync_page(admin)
    assert (
        f"Since {when(refused_at)}, QuickBooks no longer accepts ledgersync's access: "
        "connect again.</p>"
    ) in page
    assert "What to do" not in page
    # The panel says it once; besides it, only the rows it stops (those without a local
    # problem) say RELINK_NEEDED, each in its own cell.
    refused_rows = DocumentState.objects.filter(
        document__doc_type=DocType.SALES_INVOICE, status_code=StatusCode.RELINK_NEEDED
    ).count()
    assert refused_rows == 8  # all but S1001 (not sent) and S1008 (a blank line)
    assert page.count("no longer accepts") == 1 + refused_rows
    assert page.count('<span class="message">QuickBooks no longer accepts') == refused_rows

    connections.mark_relink_needed(connection, "invalid_grant")  # again, later
    assert Connection.objects.get(pk=connection.pk).ended_at == refused_at  # when it began
    connections.disconnect(Connection.objects.get(pk=connection.pk))
    assert (
        f"Disconnected: QuickBooks stopped accepting ledgersync's access at {when(refused_at)}. "
        "Connect again to go on."
    ) in sync_page(admin)


def test_a_persons_own_disconnect_needs_no_explaining(demo, admin):  # noqa: F811
    _, connection = demo

    connections.disconnect(connection)

    page = sync_page(admin)
    assert "Not Connected" in page
    assert 'id="connection-lost"' not in page


def test_no_progress_box_is_shown_before_any_run(demo, admin):  # noqa: F811
    organisation, connection = demo
    hidden = '<section id="progress" class="progress-panel" aria-live="polite" hidden'
    # With nothing ready (the demo as it comes) the box is not empty: it says so.
    page = sync_page(admin)
    assert hidden not in page and 'id="nothing-ready"' in page
    assert 'class="progress-head"' not in page

    link_exact(organisation, connection, "A1001")  # S1002 is ready

    page = sync_page(admin)
    assert hidden in page
    assert 'id="nothing-ready"' not in page and 'class="progress-head"' not in page


def test_an_idle_auto_sync_says_until_when_it_waits_instead_of_a_zero_countdown(
    demo,  # noqa: F811
    admin,
):
    organisation, connection = demo
    invoices = list(engine.queue(organisation, DocType.SALES_INVOICE))
    engine.recheck_all(invoices, connection)
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    assert engine.step(run.pk).idle

    run.refresh_from_db()
    page = admin.get(f"/sync/runs/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    until = f"{timezone.localtime(run.deadline):%H:%M}"
    assert f'<dd id="run-waiting">Waiting for new documents until {until}</dd>' in page
    assert "Time left" not in page
    assert 'id="run-left"' not in page
