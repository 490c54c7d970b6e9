"""Background work (Huey): a thin loop around the engine's single-step functions."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ledgersync.outage import database_errors, queue_errors, throttle
from ledgersync.records.models import DocType, Organisation
from ledgersync.sync import bulk, connections, engine, health, late_copies, payments, reference
from ledgersync.sync.models import SyncRun, Trigger
from ledgersync.sync.periodic import once_per_schedule

log = logging.getLogger(__name__)


# How long a worker waits in-process for the database or the queue to come back before it
# leaves the run to be revived (a lease lapses after engine.LEASE), and how often it looks.
OUTAGE_WAIT_SECONDS = 240.0
OUTAGE_POLL_SECONDS = 2.0


@db_task()
def run_step(run_id: int) -> None:
    """One step, then the next one scheduled when the run is idle or due again.

    An outage does not fail the run. With the database gone the worker waits for it and takes
    up the step it held (engine.Interrupted); with the queue gone it keeps trying to schedule
    the next step. Either way the run goes on within OUTAGE_POLL_SECONDS of the return."""
    result = _step_through_outages(run_id)
    if result is not None and result.next_in is not None:
        _schedule_through_outages(run_id, result.next_in)


def _step_through_outages(run_id: int) -> engine.StepResult | None:
    resume = None
    deadline = time.monotonic() + OUTAGE_WAIT_SECONDS
    while True:
        try:
            return engine.step(run_id, resume=resume)
        except engine.Interrupted as stop:
            resume = stop.token
        except database_errors():
            pass  # before the run was held: it is claimed afresh
        throttle.warn(
            log,
            f"step-database:{run_id}",
            f"run {run_id}: the database is unreachable; waiting for it to come back",
        )
        if not _wait_for(database_answers, deadline):
            log.warning(
                "run %s: the database did not come back within %.0f s; the run is revived "
                "once it does",
                run_id,
                OUTAGE_WAIT_SECONDS,
            )
            return None


def _schedule_through_outages(run_id: int, delay: float) -> None:
    started = time.monotonic()

    def scheduled() -> bool:
        due_in = max(delay - (time.monotonic() - started), 0.0)
        schedule = functools.partial(run_step.schedule, delay=due_in)
        return submit(schedule, (run_id,), what=f"run {run_id}'s next step")

    if not _wait_for(scheduled, started + OUTAGE_WAIT_SECONDS):
        log.warning("run %s: the queue is still unreachable; the run is revived later", run_id)


def _wait_for(answers, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if answers():
            return True
        time.sleep(OUTAGE_POLL_SECONDS)
    return False


def database_answers() -> bool:
    """A fresh connection to the database answers (the broken one is dropped first)."""
    from django.db import connection

    try:
        connection.close()
    except database_errors():
        pass
    return health.check_database()[0]


def submit(task, *args, what: str = "") -> bool:
    """Hand a background job to the queue; with the queue unreachable, say so once a minute
    and answer False (the caller leaves the job for later: its periodic twin, or a worker
    once the queue is back) instead of failing the request or command that asked for it."""
    try:
        task(*args)
    except queue_errors() as exc:
        name = what or getattr(getattr(task, "func", task), "__name__", "a background job")
        throttle.warn(
            log,
            f"submit:{name}",
            f"queue unreachable ({type(exc).__name__}); {name} waits until it is back",
        )
        return False
    return True


@db_task()
def run_bulk(action_id: int) -> None:
    """Do a bulk action from the Needs attention list (sync/bulk.py). Through a database
    outage it waits as a run's step does, then goes on from its first item not done (each
    item is settled in its own transaction, so none is lost or done twice)."""
    deadline = time.monotonic() + OUTAGE_WAIT_SECONDS
    while True:
        try:
            bulk.work(action_id)
            return
        except database_errors():
            pass
        throttle.warn(
            log,
            f"bulk-database:{action_id}",
            f"bulk action {action_id}: the database is unreachable; waiting for it to come back",
        )
        if not _wait_for(database_answers, deadline):
            log.warning("bulk action %s: the database did not come back; revived later", action_id)
            return
        bulk.release(action_id)


def enqueue_bulk(action_id: int) -> None:
    """Hand a bulk action to a worker once the transaction that wrote it has committed; with
    the queue down it waits saved, and the minute's revival hands it over once it is back."""
    transaction.on_commit(lambda: submit(run_bulk, action_id, what=f"bulk action {action_id}"))


def enqueue(run: SyncRun) -> None:
    """Start working a run once the transaction that created it has committed."""
    transaction.on_commit(lambda: _start(run.pk))


def _start(run_id: int) -> None:
    """Queue the first step; with the queue down the run stays saved, says so
    (engine.QUEUE_WAIT), and starts as soon as a worker sees the queue back."""
    if not submit(run_step, run_id, what=f"run {run_id} (saved)"):
        SyncRun.objects.filter(pk=run_id, started_at__isnull=True).update(message=engine.QUEUE_WAIT)


def start_waiting_runs() -> int:
    """Start the runs saved while the queue was down; each worker calls it after every
    heartbeat that gets through (every 15 s, every 2 s while the queue is down). Several
    workers may start the same run at once; it is worked by one at a time (its lease)."""
    started = 0
    for run_id in engine.waiting_for_queue().values_list("pk", flat=True):
        if not submit(run_step, run_id, what=f"run {run_id} (saved)"):
            return started
        # Queued now: no longer "starts once the queue is back" (engine.stalled_sentence
        # speaks up if no worker then takes it).
        SyncRun.objects.filter(pk=run_id, message=engine.QUEUE_WAIT).update(message="")
        started += 1
    if started:
        log.info("runs saved while the queue was down, now started: %s", started)
    return started


@db_periodic_task(crontab(minute="*/10"))
@once_per_schedule
def keep_connections_alive() -> None:
    counts = connections.keep_alive()
    log.info("keep-alive: %s", counts)


@db_task()
def refresh_reference(connection_id: int, everything: bool = True) -> None:
    """Read the package's data for a connection's checks, then re-assess its queue."""
    connection = reference.by_id(connection_id)
    if connection is not None:
        reference.refresh(connection, everything=everything)


@db_task()
def fill_reference_gaps(connection_id: int) -> None:
    """Read just the contacts and numbers a connection's cache lacks."""
    connection = reference.by_id(connection_id)
    if connection is not None:
        reference.fill_gaps(connection)


@db_periodic_task(crontab(minute="*/5"))
@once_per_schedule
def keep_reference_fresh() -> None:
    """Read each live connection's package data again every half hour (and what it lacks)."""
    counts = reference.keep_fresh()
    if any(counts.values()):
        log.info("reference data: %s", counts)


@db_periodic_task(crontab(minute="*"))
@once_per_schedule
def pull_payments_when_due() -> None:
    """Pull payments back for each connection every LEDGERSYNC_PAYMENTS_EVERY_MINUTES."""
    counts = payments.pull_due()
    if any(counts.values()):
        log.info("payments: %s", counts)


@db_task()
def pull_payments(connection_id: int) -> None:
    """Pull one connection's payments now (sync/payments.request_pull)."""
    connection = reference.by_id(connection_id)
    if connection is not None:
        payments.pull(connection)


@db_periodic_task(crontab(minute="*/5"))
@once_per_schedule
def recheck_late_copies() -> None:
    """Remove extra copies that unanswered sends left once they could land no more."""
    looked = late_copies.recheck_all()
    if looked:
        log.info("recheck: %s sends looked at again", looked)


@db_periodic_task(crontab(minute="*"))
@once_per_schedule
def revive_and_schedule() -> None:
    """Pick up runs, bulk actions and package reads whose worker died, and start scheduled
    Auto Syncs."""
    now = timezone.now()
    for run in engine.revivable():
        log.warning("run %s has no worker; resuming (in-flight sends get reconciled)", run.pk)
        run_step(run.pk)
    revive_bulk_actions()
    reference.revive_dead_reads(now)
    for organisation in Organisation.objects.filter(schedule_minutes__isnull=False):
        start_scheduled(organisation, now)


def revive_bulk_actions() -> int:
    """Hand to a worker each bulk action whose worker died, or that was asked for while the
    queue was down; it goes on from its first item not done."""
    revived = bulk.revivable()
    for action_id in revived:
        log.warning(
            "bulk action %s has no worker; resuming from its first item not done", action_id
        )
        run_bulk(action_id)
    return len(revived)


def start_scheduled(organisation: Organisation, now: dt.datetime) -> SyncRun | None:
    """Start the organisation's next scheduled Auto Sync when one is due.

    One run per connection at a time, so the document types take turns: each due tick
    starts the type after the one the last scheduled run took.
    """
    if organisation.schedule_minutes is None:  # no schedule set: never due
        return None
    last = (
        SyncRun.objects.filter(organisation=organisation, trigger=Trigger.SCHEDULE)
        .order_by("-created_at")
        .first()
    )
    if last and now - last.created_at < dt.timedelta(minutes=organisation.schedule_minutes):
        return None
    types = list(DocType)
    after = types.index(DocType(last.doc_type)) + 1 if last else 0
    doc_type = types[after % len(types)]
    try:
        run = engine.start_run(organisation, doc_type, auto=True, trigger=Trigger.SCHEDULE)
    except (connections.NotConnected, engine.RunInProgress):
        return None
    enqueue(run)
    return run
