"""The sync engine: which documents may go, sending each exactly once, and saying why not.

A run is worked in steps by the background worker (tasks.py is a thin loop around
``step``). A step claims the run's lease, renews it before every batch and every push, works
batches for up to STEP_SECONDS, and writes each outcome to its row as it goes; every write
about the run names the lease token, so a worker that lost its lease (it stalled past LEASE
and another took over) changes nothing. Between steps the run records when the next step is
due; a run nobody picks up by then is revived (tasks.revive_and_schedule).

Exactly once: see batch.py. In short, an Attempt with its idempotency key is committed before
the request goes out and the key travels with it; a send without a definite answer is looked
up by number in the package before anything else is sent for that document.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ledgersync.providers.base import AuthError, Connector, ProviderError
from ledgersync.records.models import DocType, Document, Organisation
from ledgersync.sync import connections
from ledgersync.sync.batch import BatchWork
from ledgersync.sync.checks import Checker, local_failures
from ledgersync.sync.models import LIVE_RUN_STATES, Connection, DocumentState, RunState, SyncRun
from ledgersync.sync.recording import RecordingTransport
from ledgersync.sync.status import Failure, StatusCode

log = logging.getLogger(__name__)

STEP_SECONDS = 30
LEASE = dt.timedelta(minutes=5)
REVIVE_GRACE = dt.timedelta(minutes=2)
IDLE_POLL_SECONDS = 5.0
RUN_FIELDS = ["tried", "synced_count", "failed_count", "api_calls", "left_count"]

__all__ = [
    "RecordingTransport",
    "RunInProgress",
    "RunState",
    "queue",
    "recheck",
    "request_stop",
    "run_until_done",
    "set_failures",
    "start_run",
    "step",
]


class RunInProgress(Exception):
    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"A sync is already running for this connection (run {run.pk}).")
        self.run = run


class LeaseLost(Exception):
    """Another worker holds the run now; this one must stop touching it."""


def queue(organisation: Organisation, doc_type: DocType):
    """Documents of one type marked for sync and not yet synced, oldest number first."""
    return (
        Document.objects.for_org(organisation)
        .filter(doc_type=doc_type, marked_for_sync=True)
        .exclude(sync_state__status_code=StatusCode.SYNCED)
        .order_by("number", "pk")
    )


def start_run(
    organisation: Organisation,
    doc_type: DocType,
    *,
    user=None,
    auto: bool = False,
    trigger: str = "user",
) -> SyncRun:
    """Create a run (Sync: one batch; Auto Sync: batches until the time limit).

    Raises connections.NotConnected without a live connection, and RunInProgress (holding
    the live run) when one is already going for this connection.
    """
    connection = connections.live_connection(organisation)
    if connection is None:
        raise connections.NotConnected(f"{organisation} is not connected")
    for _ in range(2):  # the live run may finish between our insert and our read
        now = timezone.now()
        try:
            with transaction.atomic():
                return SyncRun.objects.create(
                    organisation=organisation,
                    connection=connection,
                    doc_type=doc_type,
                    auto=auto,
                    started_by=user if user and user.is_authenticated else None,
                    trigger=trigger,
                    deadline=now + dt.timedelta(minutes=organisation.auto_sync_minutes)
                    if auto
                    else None,
                    not_before=now,
                    left_count=queue(organisation, doc_type).count(),
                )
        except IntegrityError:
            live = SyncRun.objects.filter(connection=connection, state__in=LIVE_RUN_STATES).first()
            if live is not None:
                raise RunInProgress(live) from None
    raise RunInProgress(
        SyncRun.objects.filter(connection=connection, state__in=LIVE_RUN_STATES).first()
    )


def request_stop(run: SyncRun) -> None:
    """Ask a run to stop. A run no worker holds right now is stopped at once."""
    SyncRun.objects.filter(pk=run.pk).update(stop_requested=True)
    lease = Lease.claim(run.pk)
    if lease is not None:
        lease.finish(RunState.STOPPED, "Stopped.")
        lease.release(None)


class Lease:
    """A worker's hold on a run for one step."""

    def __init__(self, run: SyncRun, token: str) -> None:
        self.run = run
        self.token = token

    @classmethod
    def claim(cls, run_id: int) -> Lease | None:
        now = timezone.now()
        token = str(uuid.uuid4())
        claimed = SyncRun.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),
            pk=run_id,
            state__in=LIVE_RUN_STATES,
        ).update(lease_until=now + LEASE, lease_token=token, state=RunState.RUNNING)
        if not claimed:
            return None
        run = SyncRun.objects.select_related("organisation", "connection").get(pk=run_id)
        if run.started_at is None:
            SyncRun.objects.filter(pk=run_id).update(started_at=now)
            run.started_at = now
        return cls(run, token)

    def _mine(self):
        return SyncRun.objects.filter(
            pk=self.run.pk, lease_token=self.token, state__in=LIVE_RUN_STATES
        )

    def renew(self) -> None:
        if not self._mine().update(lease_until=timezone.now() + LEASE):
            raise LeaseLost(f"run {self.run.pk} is held by another worker")

    def save(self, fields: list[str]) -> None:
        if not self._mine().update(**{f: getattr(self.run, f) for f in fields}):
            raise LeaseLost(f"run {self.run.pk} is held by another worker")

    def finish(self, state: RunState, message: str = "") -> None:
        run = self.run
        run.state, run.finished_at = state, timezone.now()
        run.message = message or run.message
        run.left_count = left(run)
        self.save(["state", "finished_at", "message", *RUN_FIELDS])
        if not run.auto:
            _say_press_sync(run)

    def release(self, next_in: float | None) -> None:
        """Let go after a step; ``next_in`` seconds until the next one is due (None: over)."""
        due = timezone.now() + dt.timedelta(seconds=next_in or 0)
        SyncRun.objects.filter(pk=self.run.pk, lease_token=self.token).update(
            lease_until=None, lease_token="", not_before=due
        )


def revivable():
    """Live runs nobody is working: a lapsed lease, or a next step overdue by the grace."""
    now = timezone.now()
    return SyncRun.objects.filter(state__in=LIVE_RUN_STATES).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, not_before__lt=now - REVIVE_GRACE)
    )


def step(run_id: int) -> float | None:
    """Work one step of a run. Returns seconds until the next step, or None when the run
    is over (or another worker holds it)."""
    lease = Lease.claim(run_id)
    if lease is None:
        return None
    delay = None
    try:
        delay = _work(lease)
        return delay
    except LeaseLost:
        log.warning("run %s: lease lost mid-step; the worker holding it carries on", run_id)
        return None
    except Exception:
        log.exception("sync run %s failed", run_id)
        lease.finish(RunState.FAILED, "Something went wrong in ledgersync; the run was stopped.")
        raise
    finally:
        lease.release(delay)


def left(run: SyncRun) -> int:
    return queue(run.organisation, run.doc_type).exclude(pk__in=final_ids(run)).count()


def final_ids(run: SyncRun) -> list[int]:
    """Documents this run is done with (synced, failed a check, rejected, or out of rounds).

    A document set aside after failing a check comes back once the user fixes it (the
    popup's re-check clears its status), so Auto Sync picks up fixes made while it runs.
    """
    done = {
        int(pk) for pk, rounds in run.tried.items() if rounds >= BatchWork.MAX_ROUNDS or rounds < 0
    }
    fixed = DocumentState.objects.filter(document_id__in=done, status_code="").values_list(
        "document_id", flat=True
    )
    return sorted(done - set(fixed))


def _work(lease: Lease) -> float | None:
    run = lease.run
    recorder = RecordingTransport()
    try:
        connector = connections.connector_for_connection(run.connection, transport=recorder)
    except (connections.NotConnected, AuthError) as exc:
        lease.finish(
            RunState.FAILED,
            getattr(exc, "message", "") or "Not connected to the accounting package.",
        )
        return None
    except ProviderError as exc:  # the token endpoint is down or busy: try again later
        log.info("run %s: could not refresh the token (%s); backing off", run.pk, exc.kind)
        return _backoff(2)
    built_with = connections.refresh_token_now(run.connection)
    checker = Checker(connector, run.connection)  # one per step: contact look-ups are cached
    step_ends = time.monotonic() + STEP_SECONDS
    while True:
        lease.renew()
        run.stop_requested = SyncRun.objects.values_list("stop_requested", flat=True).get(pk=run.pk)
        if run.stop_requested:
            lease.finish(RunState.STOPPED, "Stopped.")
            return None
        if run.auto and timezone.now() >= run.deadline:
            lease.finish(RunState.FINISHED, "Auto Sync reached its time limit.")
            return None
        batch = _next_batch(run)
        if not batch:
            if run.auto:
                run.left_count = 0
                lease.save(["left_count"])
                return IDLE_POLL_SECONDS
            lease.finish(RunState.FINISHED, "Done.")
            return None
        outcome = BatchWork(run, connector, checker, recorder, renew=lease.renew).process(batch)
        run.left_count = left(run)
        lease.save(RUN_FIELDS)
        connections.touch(run.connection)
        if outcome.auth_error is not None:
            if connections.refresh_token_now(run.connection) != built_with:
                return 1.0  # another process rotated the tokens under us: start afresh
            connections.mark_relink_needed(run.connection, outcome.auth_error.message)
            lease.finish(RunState.FAILED, outcome.auth_error.message)
            return None
        if outcome.wait:
            return outcome.wait
        if not run.auto and not outcome.unresolved:
            lease.finish(RunState.FINISHED, "Done.")
            return None
        if time.monotonic() >= step_ends:
            return 0.0
        if outcome.unresolved:
            return _backoff(max(run.tried.get(str(d), 1) for d in outcome.unresolved))


def _backoff(rounds: int) -> float:
    return min(60.0, 2.0**rounds) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)


def _next_batch(run: SyncRun) -> list[Document]:
    final = set(final_ids(run))
    if not run.auto and run.tried:
        # Sync is one batch: the documents it took first (those still unresolved), never
        # further down the queue.
        pending = [int(pk) for pk in run.tried if int(pk) not in final]
        return _load(queue(run.organisation, run.doc_type).filter(pk__in=pending))
    candidates = queue(run.organisation, run.doc_type).exclude(pk__in=final)
    return _load(candidates[: run.organisation.batch_size])


def _load(documents) -> list[Document]:
    return list(
        documents.select_related("account", "supplier", "care_of", "sync_state").prefetch_related(
            "lines__nominal", "lines__tax_code"
        )
    )


def _say_press_sync(run: SyncRun) -> None:
    """A finished Sync leaves nothing waiting: say so instead of promising a retry."""
    leftover = [int(pk) for pk, rounds in run.tried.items() if rounds >= 0]
    DocumentState.objects.filter(
        document_id__in=leftover, status_code=StatusCode.RATE_LIMITED
    ).update(
        message="Not sent yet: the package was busy or could not be reached. Press Sync to try again."
    )


def set_failures(document: Document, failures: list[Failure]) -> None:
    DocumentState.record(document, failures)


def recheck(
    document: Document, connector: Connector | None, connection: Connection | None
) -> list[Failure]:
    """Run the checks for one document at once (after the user fixed something)."""
    if connector is None or connection is None:
        failures = local_failures(document) or [Failure(StatusCode.NOT_CONNECTED, "Not connected")]
    else:
        failures = Checker(connector, connection).check([document])[document.pk]
    set_failures(document, failures)
    return failures


def run_until_done(
    run: SyncRun, *, sleep=time.sleep, max_steps: int = 1000, stop_when_idle: bool = True
) -> SyncRun:
    """Work a run in this process until it ends (the CLI and tests use this). An Auto Sync
    with nothing left ends at once when ``stop_when_idle``, instead of waiting out its window
    for newly marked documents as the background worker does."""
    for _ in range(max_steps):
        delay = step(run.pk)
        if delay is None:
            break
        run.refresh_from_db()
        if stop_when_idle and run.auto and run.left_count == 0 and delay == IDLE_POLL_SECONDS:
            lease = Lease.claim(run.pk)
            if lease is not None:
                lease.finish(RunState.FINISHED, "Nothing left to sync.")
                lease.release(None)
            break
        sleep(delay)
    run.refresh_from_db()
    return run
