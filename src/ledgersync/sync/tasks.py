"""Background work (Huey): a thin loop around the engine's single-step functions."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ledgersync.records.models import DocType, Organisation
from ledgersync.sync import connections, engine, late_copies, reference
from ledgersync.sync.models import SyncRun, Trigger
from ledgersync.sync.periodic import once_per_schedule

log = logging.getLogger(__name__)


@db_task()
def run_step(run_id: int) -> None:
    """One step, then the next one scheduled when the run is idle or due again."""
    result = engine.step(run_id)
    if result.next_in is not None:
        run_step.schedule((run_id,), delay=result.next_in)


def enqueue(run: SyncRun) -> None:
    """Start working a run once the transaction that created it has committed."""
    transaction.on_commit(lambda: _start(run.pk))


def _start(run_id: int) -> None:
    """Queue the first step; with the queue down the run stays saved and the revive job starts
    it once the queue is back (a lease-free run overdue by the grace is revivable)."""
    from ledgersync.outage import outage_errors, throttle

    try:
        run_step(run_id)
    except outage_errors() as exc:
        throttle.warn(
            log,
            "enqueue",
            f"queue unreachable ({type(exc).__name__}); run {run_id} "
            "is saved and starts when the queue is back",
        )


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
    """Pick up runs whose worker died (lease lapsed) and start scheduled Auto Syncs."""
    now = timezone.now()
    for run in engine.revivable():
        log.warning("run %s has no worker; resuming (in-flight sends get reconciled)", run.pk)
        run_step(run.pk)
    for organisation in Organisation.objects.filter(schedule_minutes__isnull=False):
        start_scheduled(organisation, now)


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
