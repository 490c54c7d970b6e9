"""The sync engine: which documents may go, sending each exactly once, and saying why not.

A run is worked in steps: by the background worker (tasks.py is a thin loop around ``step``)
or, in this process, by ``run_until_done`` (the CLI, the benchmark and the tests). Each step
returns a StepResult: the run is over, idle, or due again after a delay. A step claims the
run's lease, renews it before every batch and every push, works batches for up to
STEP_SECONDS, and writes each outcome to its row as it goes; every write about the run names
the lease token, so a worker that lost its lease (it stalled past LEASE and another took
over) changes nothing. Between steps the run records when the next step is
due; a run nobody picks up by then is revived (tasks.revive_and_schedule).

Which documents a run takes: queues.py. Every queued document's state is judged before any
run, the moment anything it depends on changes (sync/assess.py), and a run starts by judging
any its queue lacks for the live connection. A run then sends only documents that are not
waiting for a fix (``ready_queue``), oldest number first: a Sync is one batch of them, at
most the organisation's batch size, and when nothing at all is ready it is refused with words
that name the first fix (NothingReady). Each document is checked again, live, just before it
is sent (batch.py): one whose state was stale fails there, keeps its new reason, and waits.

Exactly once: see batch.py. In short, an Attempt with its idempotency key is committed before
the request goes out and the key travels with it; a send without a definite answer is looked
up by number in the package before anything else is sent for that document.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ledgersync.alerts import events as alerts
from ledgersync.outage import database_errors
from ledgersync.providers.base import AuthError, ProviderError
from ledgersync.records.models import DocType, Document, Organisation
from ledgersync.sync import assess, connections, late_copies, reference
from ledgersync.sync.batch import BatchWork
from ledgersync.sync.checks import Checker
from ledgersync.sync.models import (
    LIVE_RUN_STATES,
    Connection,
    ConnectionStatus,
    DocumentState,
    RunState,
    SyncRun,
    Trigger,
)
from ledgersync.sync.queues import (
    CHECK_CODES,
    NothingReady,
    blocked_queue,
    load,
    none_went,
    nothing_ready,
    queue,
    ready_queue,
)
from ledgersync.sync.recording import RecordingTransport
from ledgersync.sync.status import (
    HOLDS_REMOTE_COPY,
    PRESS_SYNC_AGAIN,
    Failure,
    StatusCode,
    failure_for,
)

log = logging.getLogger(__name__)

STEP_SECONDS = 30
LEASE = dt.timedelta(minutes=5)
REVIVE_GRACE = dt.timedelta(minutes=2)
IDLE_POLL_SECONDS = 5.0
# How often a step looks over the whole queue (which costs as much as the queue is long),
# after its first batch: to count what is left (between counts each batch takes off what it
# settled; a run's end always counts), and to look for the next batch from the queue's start
# (between, from where the last batch began: see _Place).
RESCAN_SECONDS = 5.0
RUN_FIELDS = ["synced_count", "failed_count", "api_calls", "left_count"]
RUN_FIELDS += ["rate_limit_waits", "rate_limit_seconds"]
NOTHING_LEFT = "Nothing left to sync."
SOMETHING_WENT_WRONG = "Something went wrong in ledgersync; the run was stopped."
DONE = "Done."

__all__ = [
    "NothingReady",
    "RecordingTransport",
    "RunInProgress",
    "RunState",
    "StepKind",
    "StepResult",
    "Interrupted",
    "Trigger",
    "blocked_queue",
    "nothing_ready",
    "queue",
    "ready_queue",
    "recheck",
    "recheck_all",
    "request_stop",
    "run_until_done",
    "set_failures",
    "stalled_sentence",
    "start_run",
    "step",
]


class StepKind(enum.Enum):
    FINISHED = "finished"  # the run is over: its state says finished, stopped or failed
    IDLE = "idle"  # an Auto Sync with nothing to send: it looks again after the delay
    AGAIN = "again"  # more to do (a batch, a wait the package asked for, a backoff)
    NOT_HELD = "not_held"  # another worker holds the run, or it was over already


@dataclass(frozen=True)
class StepResult:
    """What one step left a run as, and when its next step is due."""

    kind: StepKind
    delay: float = 0.0

    @property
    def finished(self) -> bool:
        return self.kind is StepKind.FINISHED

    @property
    def idle(self) -> bool:
        return self.kind is StepKind.IDLE

    @property
    def next_in(self) -> float | None:
        """Seconds until the run's next step, or None when no step follows from here."""
        return self.delay if self.kind in (StepKind.IDLE, StepKind.AGAIN) else None


OVER = StepResult(StepKind.FINISHED)
NOT_HELD = StepResult(StepKind.NOT_HELD)


def _again(delay: float) -> StepResult:
    return StepResult(StepKind.AGAIN, delay)


def _idle() -> StepResult:
    return StepResult(StepKind.IDLE, IDLE_POLL_SECONDS)


class RunInProgress(Exception):
    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"A sync is already running for this connection (run {run.pk}).")
        self.run = run


class LeaseLost(Exception):
    """Another worker holds the run now; this one must stop touching it."""


class Interrupted(Exception):
    """The database went away mid-step. The run is not failed: it keeps its lease under
    ``token``, and ``step(run_id, resume=token)`` takes it up again once the database answers
    (tasks.run_step waits for that), reconciling any send left without an outcome as after a
    kill -9. Nobody else takes the run meanwhile; if this worker never comes back, the lease
    lapses and the run is revived."""

    def __init__(self, run_id: int, token: str) -> None:
        super().__init__(f"run {run_id}: the database is unreachable; the step was interrupted")
        self.run_id = run_id
        self.token = token


def start_run(
    organisation: Organisation,
    doc_type: DocType,
    *,
    user=None,
    auto: bool = False,
    trigger: Trigger = Trigger.USER,
) -> SyncRun:
    """Create a run (Sync: one batch; Auto Sync: batches until the time limit).

    Raises ValueError for a trigger that is not a Trigger, connections.NotConnected without
    a live connection, RunInProgress (holding the live run) when one is already going for
    this connection, and for Sync NothingReady when every queued document waits for a fix.
    """
    trigger = Trigger(trigger)
    connection = connections.live_connection(organisation)
    if connection is None:
        raise connections.NotConnected(f"{organisation} is not connected")
    # Which documents are ready rests on their states: none may be missing or another
    # connection's (a document queued by a bulk write, a state from before a switch).
    assess.judge_unjudged(organisation, queue(organisation, doc_type))
    if not auto:  # Auto Sync starts anyway: it watches for fixes and new documents
        refusal = nothing_ready(organisation, doc_type, connection)
        if refusal is not None:
            live = SyncRun.objects.filter(connection=connection, state__in=LIVE_RUN_STATES).first()
            raise RunInProgress(live) if live is not None else refusal
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
                    left_count=ready_queue(organisation, doc_type, connection).count(),
                )
        except IntegrityError:
            live = SyncRun.objects.filter(connection=connection, state__in=LIVE_RUN_STATES).first()
            if live is not None:
                raise RunInProgress(live) from None
    live = SyncRun.objects.filter(connection=connection, state__in=LIVE_RUN_STATES).first()
    if live is None:  # refused twice, yet no live run: the insert broke some other rule
        raise RuntimeError(f"could not start a run for {organisation}")
    raise RunInProgress(live)


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
    def claim(cls, run_id: int, token: str | None = None) -> Lease | None:
        """Hold a live run nobody holds; ``token`` (an Interrupted step's) may also take back
        the hold it left."""
        now = timezone.now()
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        if token:
            free |= Q(lease_token=token)
        token = token or str(uuid.uuid4())
        claimed = SyncRun.objects.filter(
            free,
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
        """Write the run's ``fields`` and what it tried since the last save, together, if
        this worker still holds the run."""
        with transaction.atomic():
            if not self._mine().update(**{f: getattr(self.run, f) for f in fields}):
                raise LeaseLost(f"run {self.run.pk} is held by another worker")
            self.run.write_rounds()

    def finish(self, state: RunState, message: str = "") -> None:
        run = self.run
        run.state, run.finished_at = state, timezone.now()
        run.message = message or run.message
        run.left_count = left(run)
        self.save(["state", "finished_at", "message", *RUN_FIELDS])
        alerts.run_ended(run)
        if not run.auto:
            _say_press_sync(run)

    def release(self, next_in: float | None) -> None:
        """Let go after a step; ``next_in`` seconds until the next one is due (None: over)."""
        due = timezone.now() + dt.timedelta(seconds=next_in or 0)
        SyncRun.objects.filter(pk=self.run.pk, lease_token=self.token).update(
            lease_until=None, lease_token="", not_before=due
        )


# Set when this worker process is asked to stop (cli.cmd_worker, SIGTERM or Ctrl-C): a step
# ends after the batch in flight, writes its outcome and lets go of the run, so another worker
# takes the next step at once.
stopping = threading.Event()

QUEUE_WAIT = "Saved; it starts by itself once the queue is back (the queue is unreachable now)."
STALL_AFTER = dt.timedelta(seconds=30)


def stalled_sentence(run: SyncRun, now: dt.datetime | None = None) -> str:
    """Why a live run is not moving, when no worker is on it ("" when one is, or its next
    step is not yet due): the one sentence the web's progress and the API's run show."""
    if run.state not in LIVE_RUN_STATES:
        return ""
    now = now or timezone.now()
    if run.lease_until is None and run.started_at is None and run.message == QUEUE_WAIT:
        return QUEUE_WAIT
    if run.lease_until is not None:
        if run.lease_until >= now:
            return ""
        since = run.lease_until - LEASE  # its worker's last sign of life
    elif run.not_before is not None and now - run.not_before > STALL_AFTER:
        since = run.not_before
    else:
        return ""
    seconds = int((now - since).total_seconds())
    took = f"{seconds} seconds" if seconds < 120 else f"{seconds // 60} minutes"
    return (
        f"No worker has worked this run for {took}: check that `ledgersync worker` is "
        "running and that /readyz says ready. The run carries on by itself once one is."
    )


def waiting_for_queue():
    """Runs saved while the queue was unreachable, never started: tasks.start_waiting_runs
    starts them the moment a worker sees the queue back."""
    return SyncRun.objects.filter(
        state__in=LIVE_RUN_STATES,
        started_at__isnull=True,
        lease_until__isnull=True,
        message=QUEUE_WAIT,
    )


def revivable():
    """Live runs nobody is working: a lapsed lease, or a next step overdue by the grace."""
    now = timezone.now()
    return SyncRun.objects.filter(state__in=LIVE_RUN_STATES).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, not_before__lt=now - REVIVE_GRACE)
    )


def step(run_id: int, *, end_when_idle: bool = False, resume: str | None = None) -> StepResult:
    """Work one step of a run: the result says whether it is over, idle, or due again.

    ``end_when_idle`` ends an idle Auto Sync at once (FINISHED) instead of leaving it to
    watch for newly marked documents until its time limit, as the background worker does.
    ``resume`` is the token of a step that raised Interrupted.

    Raises Interrupted when the database goes away mid-step (the run is not failed), or the
    database's own error when it is unreachable before the run is held.
    """
    lease = Lease.claim(run_id, resume)
    if lease is None:
        return NOT_HELD
    result = NOT_HELD
    try:
        result = _work(lease)
        if result.idle and end_when_idle:
            lease.finish(RunState.FINISHED, _ending(lease.run, NOTHING_LEFT))
            result = OVER
    except LeaseLost:
        log.warning("run %s: lease lost mid-step; the worker holding it carries on", run_id)
        result = NOT_HELD
    except database_errors() as exc:
        raise Interrupted(run_id, lease.token) from exc
    except Exception:
        log.exception("sync run %s failed", run_id)
        try:
            lease.finish(RunState.FAILED, SOMETHING_WENT_WRONG)
        finally:
            _release(lease, None)
        raise
    _release(lease, result.next_in)
    return result


def _release(lease: Lease, next_in: float | None) -> None:
    try:
        lease.release(next_in)
    except database_errors() as exc:
        raise Interrupted(lease.run.pk, lease.token) from exc


def left(run: SyncRun) -> int:
    """Documents the run may still send: ready ones it is not done with."""
    return _not_final(run).count()


def _not_final(run: SyncRun):
    """The ready queue less the documents this run is done with, oldest number first."""
    ready = ready_queue(run.organisation, DocType(run.doc_type), run.connection)
    return ready.exclude(_final(run))


def _sent(run: SyncRun) -> int:
    """Documents the run took that got past the checks (sent, or being sent)."""
    taken = run.taken().values("document_id")
    failed = DocumentState.objects.filter(document_id__in=taken, status_code__in=CHECK_CODES)
    return taken.count() - failed.count()


def _ending(run: SyncRun, usual: str) -> str:
    """A run's last words: ``usual``, unless it sent nothing; then the sentence that says
    why and names the first fix (everything waits for one, or every document it took
    failed a check as it went out)."""
    if _sent(run):
        return usual
    doc_type = DocType(run.doc_type)
    refusal = nothing_ready(run.organisation, doc_type, run.connection)
    if refusal is not None:
        return refusal.sentence
    taken = run.taken().values("document_id")
    took = Document.objects.select_related("sync_state").filter(pk__in=taken)
    first = took.order_by("number", "pk").first()
    return none_went(doc_type, taken.count(), first) if first is not None else usual


def waiting_message(run: SyncRun) -> str:
    """What an idle Auto Sync says: it watches for newly marked or fixed documents."""
    if run.deadline is None:
        return "Waiting for new documents."
    return f"Waiting for new documents until {timezone.localtime(run.deadline):%H:%M}"


def _final(run: SyncRun) -> Exists:
    """Whether the run is done with a document (synced, failed a check, rejected, or out of
    rounds), as a condition on Document rows: looked up per row by the run's index, so the
    cost of choosing a batch does not grow with what the run has done.

    A document set aside after failing a check comes back once the user fixes it (the
    popup's re-check clears its status), so Auto Sync picks up fixes made while it runs.
    """
    settled = run.settled(BatchWork.MAX_ROUNDS).filter(document=OuterRef("pk"))
    return Exists(settled.exclude(document__sync_state__status_code=""))


def _work(lease: Lease) -> StepResult:
    run = lease.run
    recorder = RecordingTransport()
    try:
        connector = connections.connector_for_connection(run.connection, transport=recorder)
    except (connections.NotConnected, AuthError) as exc:
        lease.finish(RunState.FAILED, _failure_of(run, exc).message)
        return OVER
    except ProviderError as exc:  # the token endpoint is down or busy: try again later
        log.info("run %s: could not refresh the token (%s); backing off", run.pk, exc.kind)
        return _again(_backoff(2))
    built_with = connections.refresh_token_now(run.connection)
    # One per step: contact look-ups are asked once; what they find is kept for the grid.
    facts = reference.KeptLiveFacts(connector, run.connection)
    checker = Checker(facts, run.connection)
    _recheck(run, connector)
    step_ends = time.monotonic() + STEP_SECONDS
    count_due = 0.0  # each step's first batch counts
    place = _Place()
    while True:
        ended = _before_batch(lease)
        if ended is not None:
            return ended
        batch = _next_batch(run, place)
        if not batch:
            return _nothing_to_send(lease)
        if run.message:  # an idle Auto Sync has found work again
            run.message = ""
            lease.save(["message"])
        settled_before = run.synced_count + run.failed_count
        outcome = BatchWork(run, connector, checker, recorder, renew=lease.renew).process(batch)
        if facts.changed:  # the package has changed since its data was read
            facts.changed = False
            assess.after_push_checks(run.organisation)
        if time.monotonic() >= count_due:  # a count over the whole queue, now and then
            run.left_count, count_due = left(run), time.monotonic() + RESCAN_SECONDS
        else:  # in between, less what this batch settled
            settled = run.synced_count + run.failed_count - settled_before
            run.left_count = max(0, run.left_count - settled)
        lease.save(RUN_FIELDS)
        connections.touch(run.connection, connector)
        result = _after_batch(lease, outcome, built_with)
        if result is not None:
            return result
        if time.monotonic() >= step_ends or stopping.is_set():
            return _again(0.0)
        if outcome.unresolved:
            rounds = max(run.rounds(pk) for pk in outcome.unresolved)
            return _again(_backoff(max(rounds, 1)))


def _recheck(run: SyncRun, connector) -> None:
    """Extra copies left by sends that landed late are removed before more goes out."""
    try:
        late_copies.recheck_due(run.connection, connector)
    except AuthError:
        pass  # the batch meets it too, and says so on its documents


def _before_batch(lease: Lease) -> StepResult | None:
    """Renew the lease; end the run if it was asked to stop or its time is up."""
    run = lease.run
    lease.renew()
    run.stop_requested = SyncRun.objects.values_list("stop_requested", flat=True).get(pk=run.pk)
    if run.stop_requested:
        lease.finish(RunState.STOPPED, "Stopped.")
        return OVER
    if run.auto and run.deadline is not None and timezone.now() >= run.deadline:
        lease.finish(RunState.FINISHED, "Auto Sync reached its time limit.")
        return OVER
    return None


def _nothing_to_send(lease: Lease) -> StepResult:
    """Sync is done; Auto Sync goes idle, watching for documents marked in its window."""
    run = lease.run
    if run.auto:
        run.left_count = 0
        run.message = waiting_message(run)
        lease.save(["left_count", "message"])
        return _idle()
    lease.finish(RunState.FINISHED, _ending(run, DONE))
    return OVER


def _after_batch(lease: Lease, outcome, built_with) -> StepResult | None:
    """What a batch's outcome means for the step: None carries on with the next batch."""
    run = lease.run
    if outcome.auth_error is not None:
        if connections.refresh_token_now(run.connection) != built_with:
            return _again(1.0)  # another process rotated the tokens under us: start afresh
        connections.mark_relink_needed(run.connection, outcome.auth_error.message)
        lease.finish(RunState.FAILED, _failure_of(run, outcome.auth_error).message)
        return OVER
    if outcome.wait:
        return _again(outcome.wait)
    if not run.auto and not outcome.unresolved:
        lease.finish(RunState.FINISHED, _ending(run, DONE))
        return OVER
    return None


def _failure_of(run: SyncRun, error: Exception) -> Failure:
    return failure_for(error, connections.provider_name(run.organisation, run.connection))


def _backoff(rounds: int) -> float:
    return min(60.0, 2.0**rounds) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)


@dataclass
class _Place:
    """Where a step's batches have got to in the queue (the first document of the last
    batch, in queue order), so the next is looked for from there: every document before it
    is one the run is done with, and walking past them for each batch would cost as much as
    the run has done. One may come back behind it (fixed, newly marked); the look from the
    queue's start, every RESCAN_SECONDS and whenever nothing is found from here, takes it."""

    floor: tuple[str, int] | None = None
    rescan_due: float = 0.0

    def moved_to(self, batch: list[Document]) -> list[Document]:
        self.floor = (batch[0].number, batch[0].pk) if batch else None
        return batch


def _next_batch(run: SyncRun, place: _Place) -> list[Document]:
    doc_type = DocType(run.doc_type)
    taken = run.taken()
    if not run.auto and taken.exists():
        # Sync is one batch: the documents it took, those still unresolved, until each is
        # settled. One that failed its live check is not replaced by another: the states
        # judged before the run chose the batch, and the next press takes the next ready.
        # The package holds a TOTAL_MISMATCH document already: it waits for a person.
        held = queue(run.organisation, doc_type).exclude(
            sync_state__status_code__in=HOLDS_REMOTE_COPY
        )
        return load(held.filter(pk__in=taken.values("document_id")).exclude(_final(run)))
    size = run.organisation.batch_size
    candidates = _not_final(run)
    if place.floor is not None and time.monotonic() < place.rescan_due:
        number, pk = place.floor
        ahead = candidates.filter(Q(number__gt=number) | Q(number=number, pk__gte=pk))
        batch = load(ahead[:size])
        if batch:
            return place.moved_to(batch)
    place.rescan_due = time.monotonic() + RESCAN_SECONDS
    return place.moved_to(load(candidates[:size]))


def _say_press_sync(run: SyncRun) -> None:
    """A finished Sync leaves nothing waiting: say so instead of promising a retry."""
    leftover = run.still_open().values("document_id")
    DocumentState.objects.filter(
        document_id__in=leftover, status_code=StatusCode.RATE_LIMITED
    ).update(message=PRESS_SYNC_AGAIN)


def set_failures(
    document: Document, failures: list[Failure], connection: Connection | None = None
) -> None:
    DocumentState.record(document, failures, connection)


def recheck(document: Document, connection: Connection | None = None) -> list[Failure]:
    """Judge one document again at once (after the user fixed something); see recheck_all."""
    return recheck_all([document], connection).get(document.pk, [])


def recheck_all(
    documents: list[Document], connection: Connection | None = None
) -> dict[int, list[Failure]]:
    """Judge documents again at once, from the package's data cached for the live connection
    (sync/assess.py), and record each one's result. Given the connection, what the cache
    lacks for them (a contact just linked, a number just given) is read first, in one read
    for all of them, never one per document."""
    if not documents:
        return {}
    if connection is not None and connection.status == ConnectionStatus.CONNECTED:
        reference.fill_gaps(connection)
    return assess.assess(documents[0].organisation, [d.pk for d in documents])


def run_until_done(
    run: SyncRun,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_step: Callable[[SyncRun], None] | None = None,
    max_steps: int | None = 1000,
) -> SyncRun:
    """Work a run in this process until it ends: the one loop the CLI, the benchmark and
    the tests share (the background worker schedules each step instead). An idle Auto Sync
    ends FINISHED at once rather than waiting out its window. ``on_step`` sees the run after
    every step; ``max_steps`` None means no limit."""
    steps = itertools.count() if max_steps is None else range(max_steps)
    for _ in steps:
        result = step(run.pk, end_when_idle=True)
        run.refresh_from_db()
        if on_step is not None:
            on_step(run)
        if result.next_in is None:
            break
        sleep(result.next_in)
    run.refresh_from_db()
    return run
