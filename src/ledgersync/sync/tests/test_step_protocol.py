"""The engine's run protocol: what a step says, who started a run, and how a run ends.

One provider is enough here: the protocol does not depend on the package.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ledgersync.cli import main
from ledgersync.commands import syncing
from ledgersync.records.models import DocType, Document
from ledgersync.sync import engine, tasks
from ledgersync.sync.engine import StepKind, StepResult
from ledgersync.sync.models import RunState, SyncRun, Trigger
from ledgersync.sync.tests.test_engine import link_exact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True),
]


def mark_only(organisation, *numbers):
    Document.objects.filter(organisation=organisation).exclude(number__in=numbers).update(
        marked_for_sync=False
    )


def test_a_finished_sync_says_finished_and_schedules_no_next_step(demo):
    organisation, _ = demo
    mark_only(organisation)
    run = engine.start_run(organisation, DocType.SALES_INVOICE)

    result = engine.step(run.pk)

    assert (result.kind, result.finished, result.idle, result.next_in) == (
        StepKind.FINISHED,
        True,
        False,
        None,
    )
    run.refresh_from_db()
    assert (run.state, run.message) == (RunState.FINISHED, "Done.")


def test_an_idle_auto_sync_says_idle_with_its_poll_delay_and_stays_live(demo):
    organisation, _ = demo
    mark_only(organisation)
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    before = timezone.now()

    result = engine.step(run.pk)

    assert result == StepResult(StepKind.IDLE, engine.IDLE_POLL_SECONDS)
    assert (result.idle, result.finished, result.next_in) == (True, False, 5.0)
    run.refresh_from_db()
    assert (run.state, run.left_count, run.lease_token) == (RunState.RUNNING, 0, "")
    assert run.not_before >= before + dt.timedelta(seconds=engine.IDLE_POLL_SECONDS)


def test_a_step_on_a_run_another_worker_holds_says_not_held_and_changes_nothing(demo):
    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    holder = engine.Lease.claim(run.pk)

    result = engine.step(run.pk)

    assert (result.kind, result.next_in) == (StepKind.NOT_HELD, None)
    assert SyncRun.objects.get(pk=run.pk).lease_token == holder.token


def test_the_runner_ends_an_idle_auto_sync_finished_in_the_same_step(demo):
    organisation, _ = demo
    mark_only(organisation)
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    slept = []

    run = engine.run_until_done(run, sleep=slept.append)

    assert (run.state, run.message, slept) == (RunState.FINISHED, "Nothing left to sync.", [])


def test_the_runner_follows_the_step_kind_not_a_delay_that_equals_the_idle_poll(demo, monkeypatch):
    """A wait of exactly IDLE_POLL_SECONDS with nothing left is not idleness."""
    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    SyncRun.objects.filter(pk=run.pk).update(left_count=0)
    results = [StepResult(StepKind.AGAIN, engine.IDLE_POLL_SECONDS), engine.OVER]
    calls, slept = [], []

    def fake_step(run_id, **options):
        calls.append(options)
        return results.pop(0)

    monkeypatch.setattr(engine, "step", fake_step)
    engine.run_until_done(run, sleep=slept.append)

    assert (len(calls), slept) == (2, [engine.IDLE_POLL_SECONDS])
    assert SyncRun.objects.get(pk=run.pk).state == RunState.QUEUED  # the fake never claimed it


def test_the_cli_and_the_worker_end_an_idle_auto_sync_in_the_same_state(demo, monkeypatch, capsys):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001")
    monkeypatch.setattr(syncing, "sleep", lambda seconds: None)

    by_worker = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    tasks.run_step.call_local(by_worker.pk)  # syncs what it can, then watches
    by_worker.refresh_from_db()
    assert (by_worker.state, by_worker.left_count) == (RunState.RUNNING, 0)
    SyncRun.objects.filter(pk=by_worker.pk).update(deadline=timezone.now())
    tasks.run_step.call_local(by_worker.pk)
    by_worker.refresh_from_db()

    assert main(["sync", "--org", "demo", "--type", "sales-invoice", "--auto"]) == 1
    by_cli = SyncRun.objects.get(trigger=Trigger.CLI)

    assert by_worker.state == by_cli.state == RunState.FINISHED
    # The other nine were judged before either run and wait for a fix: neither run tries
    # them, and the CLI's ends saying what to fix first.
    assert (by_worker.message, by_cli.message) == (
        "Auto Sync reached its time limit.",
        "Nothing is ready to sync: 9 invoices are waiting for a fix. "
        "First: S1001: Cannot sync until marked as sent.",
    )
    assert f"synced 0  failed 0  {RunState.FINISHED}" in capsys.readouterr().out


def test_run_triggers_are_the_trigger_choices(demo):
    organisation, _ = demo
    field = SyncRun._meta.get_field("trigger")
    assert (field.choices, field.default) == (Trigger.choices, Trigger.USER)
    assert [t.value for t in Trigger] == ["user", "schedule", "api", "cli"]
    mark_only(organisation)  # nothing waits for a fix, so Sync may start

    run = engine.start_run(organisation, DocType.SALES_INVOICE)
    assert SyncRun.objects.get(pk=run.pk).trigger == Trigger.USER


def test_a_trigger_that_is_not_a_trigger_is_refused_before_a_run_exists(demo):
    organisation, _ = demo
    with pytest.raises(ValueError):
        engine.start_run(organisation, DocType.SALES_INVOICE, trigger="cron")
    assert not SyncRun.objects.exists()


def test_the_cli_starts_its_runs_with_the_cli_trigger(demo, monkeypatch):
    organisation, _ = demo
    mark_only(organisation)
    monkeypatch.setattr(syncing, "sleep", lambda seconds: None)

    assert main(["sync", "--org", "demo", "--type", "sales-invoice"]) == 0

    assert list(SyncRun.objects.values_list("trigger", flat=True)) == [Trigger.CLI]
