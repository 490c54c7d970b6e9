"""A run is worked by one worker at a time, and a run nobody works is picked up again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ledgersync.records.models import DocType, Document
from ledgersync.sync import engine
from ledgersync.sync.models import DocumentState, RunState, SyncRun
from ledgersync.sync.status import Failure, StatusCode

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_that_lost_its_lease_can_no_longer_write_to_the_run(demo):
    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    stalled = engine.Lease.claim(run.pk)
    SyncRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    successor = engine.Lease.claim(run.pk)
    assert successor is not None

    with pytest.raises(engine.LeaseLost):
        stalled.renew()
    document = Document.objects.get(number="S1002")
    stalled.run.synced_count = 99
    stalled.run.done_with(document.pk)
    with pytest.raises(engine.LeaseLost):
        stalled.save(["synced_count"])
    stalled.release(0)
    run.refresh_from_db()
    assert (run.synced_count, run.lease_token) == (0, successor.token)
    assert run.tried_ids() == []  # what it tried is not written either

    successor.run.count_round(document.pk)
    successor.save(["synced_count"])
    again = engine.Lease.claim(run.pk, successor.token)  # the next step reads it back
    assert (again.run.tried_ids(), again.run.rounds(document.pk)) == ([document.pk], 1)


def test_a_synced_document_stays_synced_whatever_a_late_writer_says(demo):
    document = Document.objects.get(number="S1002")
    # Queued documents have a state from the start (sync/assess.py): the push makes it SYNCED.
    DocumentState.objects.update_or_create(
        document=document, defaults={"status_code": StatusCode.SYNCED, "remote_id": "42"}
    )
    DocumentState.record(document, [Failure(StatusCode.REJECTED, "Duplicate Document Number")])
    state = DocumentState.objects.get(document=document)
    assert (state.status_code, state.remote_id) == (StatusCode.SYNCED, "42")


def test_a_run_left_between_steps_is_revived_after_the_grace(demo):
    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    lease = engine.Lease.claim(run.pk)
    lease.release(5)  # ... and the worker dies before scheduling the next step
    assert run.pk not in set(engine.revivable().values_list("pk", flat=True))
    SyncRun.objects.filter(pk=run.pk).update(
        not_before=timezone.now() - engine.REVIVE_GRACE - dt.timedelta(seconds=1)
    )
    assert run.pk in set(engine.revivable().values_list("pk", flat=True))


def test_stop_ends_a_run_that_no_worker_holds(demo):
    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    engine.request_stop(run)
    run.refresh_from_db()
    assert (run.state, run.message) == (RunState.STOPPED, "Stopped.")


def test_two_connectors_built_near_expiry_share_one_locked_refresh(demo):
    from ledgersync.sync.connections import connector_for_connection
    from ledgersync.sync.models import Connection, ConnectionStatus

    _, connection = demo
    Connection.objects.filter(pk=connection.pk).update(
        access_expires_at=timezone.now() + dt.timedelta(seconds=90)
    )
    worker = connector_for_connection(Connection.objects.get(pk=connection.pk))
    popup = connector_for_connection(Connection.objects.get(pk=connection.pk))
    assert worker.company().name == popup.company().name == "Demo Trades Ltd"
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.CONNECTED
