"""The engine, the batch and the connection emit their events where each thing happens:
against the QuickBooks sandbox over real HTTP, with the worker's tasks run in process."""

from __future__ import annotations

import logging

import pytest
from django.core import mail as outbox

from ledgersync.alerts.models import Event, EventKind
from ledgersync.records.models import Role, User
from ledgersync.sync.models import RunState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import inject_fault
from ledgersync.sync.tests.test_engine import link_exact, statuses, sync_all

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True),
]


@pytest.fixture
def told(demo):
    User.objects.filter(organisation=demo[0], role=Role.ADMINISTRATOR).update(
        email="admin@demo.example"
    )
    return demo


def kinds(organisation):
    return list(Event.objects.for_org(organisation).values_list("kind", "key"))


def test_a_token_revoked_mid_run_emits_relink_needed_and_run_failed_and_emails_them(told, sandbox):
    organisation, connection = told
    link_exact(organisation, connection, "A1001", "A1006")
    inject_fault(sandbox, "revoke_token")

    run = sync_all(organisation)

    assert run.state == RunState.FAILED
    assert kinds(organisation) == [
        (EventKind.RELINK_NEEDED, f"connection:{connection.pk}"),
        (EventKind.RUN_FAILED, f"run:{run.pk}"),
    ]
    relink = Event.objects.get(kind=EventKind.RELINK_NEEDED)
    assert relink.summary.startswith("QuickBooks stopped accepting ledgersync's access to ")
    assert relink.data["provider"] == "quickbooks"
    assert [m.subject for m in outbox.outbox] == [
        "Demo Trades Ltd: QuickBooks needs connecting again",
        "Demo Trades Ltd: A sync run failed",
    ]
    assert outbox.outbox[0].to == ["admin@demo.example"]


def test_a_finished_run_emits_run_finished_with_its_counts_and_emails_nobody(told, sandbox):
    organisation, connection = told
    link_exact(organisation, connection, "A1001", "A1006")

    run = sync_all(organisation, auto=False)

    (event,) = Event.objects.for_org(organisation)
    assert (event.kind, event.key) == (EventKind.RUN_FINISHED, f"run:{run.pk}")
    assert event.data == {
        "run_id": run.pk,
        "type": "sales_invoice",
        "auto": False,
        "trigger": "user",
        "state": "finished",
        "synced_count": run.synced_count,
        "failed_count": 0,
        "left_count": run.left_count,
        "message": "Done.",
    }
    assert run.synced_count >= 1
    assert outbox.outbox == []


def test_a_document_the_package_rejects_emits_documents_rejected_and_emails_it(told, sandbox):
    organisation, connection = told
    link_exact(organisation, connection, "A1001", "A1006")
    # A person makes the sales items inactive in QuickBooks: it refuses lines that use them.
    for item in sandbox.app.store[connection.company_id].all("Item"):
        item["Active"] = False

    sync_all(organisation, auto=False)

    assert statuses(organisation)["S1002"] == StatusCode.REJECTED
    rejected = Event.objects.filter(kind=EventKind.DOCUMENTS_REJECTED).order_by("data__number")
    assert [(e.data["number"], e.data["status_code"]) for e in rejected] == [
        ("S1002", "REJECTED"),
        ("S1010", "REJECTED"),
    ]
    first = rejected[0]
    assert first.key == f"document:{first.data['document_id']}:REJECTED"
    assert first.summary.startswith("Sales Invoice S1002 was not accepted: QuickBooks rejected it")
    assert sorted(m.subject for m in outbox.outbox) == [
        "Demo Trades Ltd: S1002 was rejected by the package",
        "Demo Trades Ltd: S1010 was rejected by the package",
    ]


def test_an_alert_that_cannot_be_recorded_does_not_break_the_run(
    told, sandbox, monkeypatch, caplog
):
    organisation, connection = told
    link_exact(organisation, connection, "A1001", "A1006")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Event.objects, "create", broken)
    with caplog.at_level(logging.ERROR):
        run = sync_all(organisation, auto=False)

    assert run.state == RunState.FINISHED
    assert "could not record or pass on event run.finished" in caplog.text
