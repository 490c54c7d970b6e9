"""The sync engine: which documents may go, sending each exactly once, and saying why not.

A run is worked in steps by the background worker (tasks.py is a thin loop around
``step``). A step holds the run's lease, works batches for up to STEP_SECONDS, writes every
outcome to its row as it goes, and returns when the worker should call again.

Exactly once: an Attempt with its idempotency key is committed before the request goes
out, and the key travels with it (QuickBooks ``requestid``, Xero ``Idempotency-Key``, Sage
``idempotency_id``). An attempt left in flight (a worker died) or with no definite answer
is reconciled before anything else is sent for that document: the engine looks the number
up in the package and adopts what it finds, or sends again with the same key.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ledgersync.providers.base import (
    AuthError,
    Connector,
    OutboundDocument,
    OutboundLine,
    ProviderError,
    RateLimited,
    RemoteDocument,
    RetriableError,
    UncertainError,
)
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.records.models import DocType, Document, Organisation
from ledgersync.sync import connections
from ledgersync.sync.checks import Checker, link_key, links_for, local_failures
from ledgersync.sync.models import (
    LIVE_RUN_STATES,
    Attempt,
    AttemptState,
    Connection,
    DocumentState,
    RunState,
    SyncRun,
)
from ledgersync.sync.recording import RecordingTransport
from ledgersync.sync.status import Failure, StatusCode

log = logging.getLogger(__name__)

STEP_SECONDS = 30
LEASE = dt.timedelta(minutes=5)
IDLE_POLL_SECONDS = 5.0
MAX_ROUNDS = 5  # how often one run tries a document that keeps ending without an answer


class RunInProgress(Exception):
    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"A sync is already running for this connection (run {run.pk}).")
        self.run = run


def queue(organisation: Organisation, doc_type: DocType):
    """Documents of one type marked for sync and not yet synced, oldest number first."""
    return (
        Document.objects.for_org(organisation)
        .filter(doc_type=doc_type, marked_for_sync=True)
        .exclude(sync_state__status_code=StatusCode.SYNCED)
        .order_by("number", "pk")
    )


def start_run(organisation: Organisation, doc_type: DocType, *, user=None, auto: bool = False,
              trigger: str = "user") -> SyncRun:
    """Create a run (Sync: one batch; Auto Sync: batches until the time limit).

    Raises connections.NotConnected without a live connection, and RunInProgress (holding
    the live run) when one is already going for this connection.
    """
    connection = connections.live_connection(organisation)
    if connection is None:
        raise connections.NotConnected(f"{organisation} is not connected")
    now = timezone.now()
    deadline = now + dt.timedelta(minutes=organisation.auto_sync_minutes) if auto else None
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                organisation=organisation, connection=connection, doc_type=doc_type, auto=auto,
                started_by=user if user and user.is_authenticated else None, trigger=trigger,
                deadline=deadline, left_count=queue(organisation, doc_type).count(),
            )
    except IntegrityError:
        live = SyncRun.objects.filter(connection=connection, state__in=LIVE_RUN_STATES).first()
        if live is None:  # it finished between our insert and this read
            return start_run(organisation, doc_type, user=user, auto=auto, trigger=trigger)
        raise RunInProgress(live) from None
    return run


def request_stop(run: SyncRun) -> None:
    SyncRun.objects.filter(pk=run.pk).update(stop_requested=True)


def _claim(run_id: int) -> SyncRun | None:
    now = timezone.now()
    claimed = SyncRun.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=run_id, state__in=LIVE_RUN_STATES,
    ).update(lease_until=now + LEASE, state=RunState.RUNNING)
    if not claimed:
        return None
    run = SyncRun.objects.select_related("organisation", "connection").get(pk=run_id)
    if run.started_at is None:
        run.started_at = now
        run.save(update_fields=["started_at"])
    return run


def _finish(run: SyncRun, state: RunState, message: str = "") -> None:
    run.state = state
    run.finished_at = timezone.now()
    run.lease_until = None
    run.message = message or run.message
    run.left_count = _left(run)
    run.save()


def _left(run: SyncRun) -> int:
    return queue(run.organisation, run.doc_type).exclude(pk__in=_final_ids(run)).count()


def _final_ids(run: SyncRun) -> list[int]:
    """Documents this run is done with (synced, failed a check, rejected, or out of rounds).

    A document set aside after failing a check comes back once the user fixes it (the
    popup's re-check clears its status), so Auto Sync picks up fixes made while it runs.
    """
    done = {int(pk) for pk, rounds in run.tried.items() if rounds >= MAX_ROUNDS or rounds < 0}
    fixed = DocumentState.objects.filter(document_id__in=done, status_code="").values_list(
        "document_id", flat=True
    )
    return sorted(done - set(fixed))


def step(run_id: int) -> float | None:
    """Work one step of a run. Returns seconds until the next step, or None when the run
    is over (or another worker holds it)."""
    run = _claim(run_id)
    if run is None:
        return None
    try:
        return _work(run)
    except Exception:
        log.exception("sync run %s failed", run.pk)
        _finish(run, RunState.FAILED, "Something went wrong in ledgersync; the run was stopped.")
        raise
    finally:
        SyncRun.objects.filter(pk=run.pk, state__in=LIVE_RUN_STATES).update(lease_until=None)


def _work(run: SyncRun) -> float | None:
    try:
        recorder = RecordingTransport()
        connector = connections.connector_for_connection(run.connection, transport=recorder)
    except connections.NotConnected:
        _finish(run, RunState.FAILED, "Not connected to the accounting package.")
        return None
    except AuthError as exc:
        _finish(run, RunState.FAILED, exc.message)
        return None
    step_ends = time.monotonic() + STEP_SECONDS
    while True:
        run.refresh_from_db(fields=["stop_requested", "tried"])
        if run.stop_requested:
            _finish(run, RunState.STOPPED, "Stopped.")
            return None
        if run.auto and timezone.now() >= run.deadline:
            _finish(run, RunState.FINISHED, "Auto Sync reached its time limit.")
            return None
        batch = _next_batch(run)
        if not batch:
            if run.auto:
                run.left_count = 0
                run.save(update_fields=["left_count"])
                return IDLE_POLL_SECONDS
            _finish(run, RunState.FINISHED, "Done.")
            return None
        outcome = BatchWork(run, connector, recorder).process(batch)
        run.left_count = _left(run)
        run.save(update_fields=["tried", "synced_count", "failed_count", "api_calls", "left_count"])
        connections.touch(run.connection)
        if outcome.stop_reason:
            _finish(run, RunState.FAILED, outcome.stop_reason)
            return None
        if outcome.wait:
            return outcome.wait
        if not run.auto and not outcome.unresolved:
            _finish(run, RunState.FINISHED, "Done.")
            return None
        if time.monotonic() >= step_ends:
            return 0.0
        if outcome.unresolved:
            return _backoff(max(run.tried.get(str(d), 1) for d in outcome.unresolved))


def _backoff(rounds: int) -> float:
    return min(60.0, 2.0 ** rounds) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)


def _next_batch(run: SyncRun) -> list[Document]:
    final = set(_final_ids(run))
    size = run.organisation.batch_size
    if not run.auto:
        # Sync is one batch: the first documents of the queue when the run began (and any of
        # them still unresolved), never further down.
        started = [int(pk) for pk in run.tried]
        if started:
            pending = [pk for pk in started if pk not in final]
            return _load(queue(run.organisation, run.doc_type).filter(pk__in=pending))
    candidates = queue(run.organisation, run.doc_type).exclude(pk__in=final)
    return _load(candidates[:size])


def _load(documents) -> list[Document]:
    return list(
        documents.select_related("account", "supplier", "care_of", "sync_state")
        .prefetch_related("lines__nominal", "lines__tax_code")
    )


@dataclass
class Outcome:
    unresolved: list[int]
    wait: float | None = None
    stop_reason: str | None = None


class BatchWork:
    """One batch: reconcile, check, record attempts, push, write back every outcome."""

    def __init__(self, run: SyncRun, connector: Connector, recorder: RecordingTransport) -> None:
        self.run = run
        self.connector = connector
        self.recorder = recorder
        self.connection: Connection = run.connection
        self.provider_name = connector.capabilities.display_name
        self.retry_keys: dict[int, Attempt] = {}
        self.wait: float | None = None  # set when the package asked us to slow down

    def process(self, batch: list[Document]) -> Outcome:
        calls_before = self.connector.api_calls
        unresolved: list[int] = []
        try:
            to_push = self._reconcile(batch)
            to_push = self._check(to_push)
            unresolved = self._push(to_push)
            return Outcome(unresolved, wait=self.wait)
        except RateLimited as exc:
            if not self.run.auto:  # Auto Sync waits within its window; Sync gives up in time
                self._count(batch)
            self._mark_many(batch, StatusCode.RATE_LIMITED,
                            f"{self.provider_name} asked us to slow down; trying again shortly.")
            return Outcome([d.pk for d in batch], wait=max(1.0, exc.retry_after))
        except AuthError as exc:
            connections.mark_relink_needed(self.connection, exc.message)
            self._mark_many(batch, StatusCode.RELINK_NEEDED,
                            f"{self.provider_name} no longer accepts ledgersync's access: connect again.")
            return Outcome([], stop_reason=exc.message)
        except RetriableError as exc:
            self._count(batch)
            self._mark_many(batch, StatusCode.RATE_LIMITED,
                            f"{self.provider_name} could not be reached ({exc.message}); trying again.")
            return Outcome([d.pk for d in batch])
        finally:
            self.run.api_calls += self.connector.api_calls - calls_before

    # -- reconciliation ---------------------------------------------------------------------

    def _reconcile(self, batch: list[Document]) -> list[Document]:
        """Adopt documents an earlier, unanswered attempt did create; keep the rest."""
        open_attempts = {
            a.document_id: a for a in Attempt.objects.filter(
                document__in=batch, state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN],
                provider=self.connection.provider, company_id=self.connection.company_id,
            )
        }
        remaining = []
        for document in batch:
            attempt = open_attempts.get(document.pk)
            if attempt is None:
                remaining.append(document)
                continue
            found = self._find(document)
            if found is not None:
                self._adopt(document, attempt, found)
            else:
                self.retry_keys[document.pk] = attempt
                remaining.append(document)
        return remaining

    def _find(self, document: Document) -> RemoteDocument | None:
        contact_id = None
        if document.doc_type == DocType.SUPPLIER_INVOICE:
            link = links_for(self.connection, [document.party]).get(link_key(document.party))
            contact_id = link.remote_id if link else None
        return self.connector.find_document(RemoteDocType(document.doc_type), document.number, contact_id)

    def _adopt(self, document: Document, attempt: Attempt, found: RemoteDocument) -> None:
        mismatch = []
        if found.total != document.gross_total:
            mismatch.append(f"total {found.total} in {self.provider_name}, {document.gross_total} here")
        link = links_for(self.connection, [document.party]).get(link_key(document.party))
        if link and found.contact_id and found.contact_id != link.remote_id:
            mismatch.append(f"{self.provider_name} has it under another contact ({found.contact_id})")
        attempt.state = AttemptState.ADOPTED
        attempt.status_code = StatusCode.SYNCED
        attempt.remote_id = found.remote_id
        attempt.message = "Found in the package after an unanswered push; adopted."
        attempt.finished_at = timezone.now()
        with transaction.atomic():
            attempt.save()
            self._synced(document, found, mismatch="; ".join(mismatch))

    # -- checks -----------------------------------------------------------------------------

    def _check(self, documents: list[Document]) -> list[Document]:
        retrying = [d for d in documents if d.pk in self.retry_keys]
        fresh = [d for d in documents if d.pk not in self.retry_keys]
        results = Checker(self.connector, self.connection).check(fresh) if fresh else {}
        passing = list(retrying)
        for document in fresh:
            failures = results[document.pk]
            if failures:
                self._set_state(document, failures)
                self._final(document)
                self.run.failed_count += 1
            else:
                passing.append(document)
        return passing

    # -- push -------------------------------------------------------------------------------

    def _push(self, documents: list[Document]) -> list[int]:
        if not documents:
            return []
        attempts = {d.pk: self._attempt_for(d) for d in documents}
        outbound = [self._outbound(d, attempts[d.pk].idempotency_key) for d in documents]
        unresolved = []
        size = self.connector.capabilities.max_batch
        for start in range(0, len(outbound), size):
            chunk_docs = documents[start:start + size]
            started = time.monotonic()
            calls_before = self.connector.api_calls
            try:
                results = self.connector.push(outbound[start:start + size])
            except UncertainError as exc:
                for document in chunk_docs:
                    self._uncertain(document, attempts[document.pk], exc)
                    unresolved.append(document.pk)
                continue
            except (RateLimited, AuthError, RetriableError) as exc:
                state = AttemptState.FAILED
                for document in chunk_docs:
                    self._close(attempts[document.pk], state, _status_for(exc), exc.message)
                raise
            sent, received = self.recorder.take()
            calls = self.connector.api_calls - calls_before
            elapsed = int((time.monotonic() - started) * 1000)
            for document, result in zip(chunk_docs, results, strict=True):
                attempt = attempts[document.pk]
                attempt.request_body, attempt.response_body = sent, received
                attempt.api_calls, attempt.duration_ms = calls, elapsed
                if result.ok:
                    with transaction.atomic():  # never a succeeded attempt without a synced state
                        self._close(attempt, AttemptState.SUCCEEDED, StatusCode.SYNCED, "",
                                    result.remote.remote_id)
                        self._synced(document, result.remote)
                else:
                    if not self._failed(document, attempt, result.error):
                        unresolved.append(document.pk)
        return unresolved

    def _attempt_for(self, document: Document) -> Attempt:
        attempt = self.retry_keys.get(document.pk)
        if attempt is not None:  # same key again: the provider replays instead of duplicating
            attempt.state = AttemptState.IN_FLIGHT
            attempt.run = self.run
            attempt.save(update_fields=["state", "run"])
            return attempt
        return Attempt.objects.create(
            organisation=self.run.organisation, run=self.run, document=document,
            provider=self.connection.provider, company_id=self.connection.company_id,
            idempotency_key=str(uuid.uuid4()), started_by=self.run.started_by,
        )

    def _outbound(self, document: Document, key: str) -> OutboundDocument:
        parties = [document.party] + ([document.care_of] if document.care_of_id else [])
        links = links_for(self.connection, parties)
        care_of = links.get(link_key(document.care_of)) if document.care_of_id else None
        if care_of is not None and not self.connector.capabilities.supports_care_of:
            care_of = None
        reference = document.reference
        if document.care_of_id and not self.connector.capabilities.supports_care_of:
            reference = (f"c/o {document.care_of.name} {reference}").strip()[:100]
        return OutboundDocument(
            idempotency_key=key, doc_type=RemoteDocType(document.doc_type), number=document.number,
            contact_id=links[link_key(document.party)].remote_id,
            care_of_contact_id=care_of.remote_id if care_of else None,
            issue_date=document.issue_date, due_date=document.due_date, currency=document.currency,
            reference=reference,
            lines=tuple(
                OutboundLine(
                    text=line.text, quantity=line.quantity, unit_price=line.unit_price,
                    nominal_code=line.nominal.code, tax_code=line.tax_code.code if line.tax_code_id else None,
                )
                for line in document.lines.all()
            ),
        )

    def _failed(self, document: Document, attempt: Attempt, error: ProviderError) -> bool:
        """Write a per-document error; True when the document is done with for this run."""
        if isinstance(error, UncertainError):
            self._uncertain(document, attempt, error)
            return False
        if isinstance(error, RateLimited):
            self.wait = max(self.wait or 0.0, error.retry_after, 1.0)
        code = _status_for(error)
        self._close(attempt, AttemptState.FAILED, code, error.message)
        if code == StatusCode.REJECTED:
            self._set_state(document, [Failure(code, f"{self.provider_name} rejected it: {error.message}")])
            self._final(document)
            self.run.failed_count += 1
            return True
        self._set_state(document, [Failure(code, error.message)])
        if not (self.run.auto and isinstance(error, RateLimited)):
            self._count([document])
        return False

    def _uncertain(self, document: Document, attempt: Attempt, error: ProviderError) -> None:
        self._close(attempt, AttemptState.UNCERTAIN, StatusCode.UNCERTAIN, error.message)
        self._set_state(document, [Failure(
            StatusCode.UNCERTAIN,
            f"No answer from {self.provider_name}; ledgersync will check before sending it again.",
        )])
        self._count([document])

    # -- writing outcomes -------------------------------------------------------------------

    def _close(self, attempt: Attempt, state: AttemptState, code: StatusCode, message: str,
               remote_id: str = "") -> None:
        attempt.state = state
        attempt.status_code = code
        attempt.message = message[:1000]
        attempt.remote_id = remote_id
        attempt.finished_at = timezone.now()
        attempt.save()

    def _synced(self, document: Document, remote: RemoteDocument, mismatch: str = "") -> None:
        DocumentState.objects.update_or_create(document=document, defaults={
            "status_code": StatusCode.SYNCED, "message": "Synced", "failures": [],
            "provider": self.connection.provider, "company_id": self.connection.company_id,
            "remote_id": remote.remote_id, "remote_total": remote.total, "mismatch": mismatch,
            "synced_at": timezone.now(), "synced_by": self.run.started_by, "checked_at": timezone.now(),
        })
        self._final(document)
        self.run.synced_count += 1

    def _set_state(self, document: Document, failures: list[Failure]) -> None:
        set_failures(document, failures)

    def _mark_many(self, documents: list[Document], code: StatusCode, message: str) -> None:
        for document in documents:
            if not _is_synced(document):
                self._set_state(document, [Failure(code, message)])

    def _final(self, document: Document) -> None:
        self.run.tried[str(document.pk)] = -1

    def _count(self, documents: list[Document]) -> None:
        for document in documents:
            rounds = self.run.tried.get(str(document.pk), 0)
            if rounds >= 0:
                self.run.tried[str(document.pk)] = rounds + 1


def _is_synced(document: Document) -> bool:
    return DocumentState.objects.filter(document=document, status_code=StatusCode.SYNCED).exists()


def _status_for(error: ProviderError) -> StatusCode:
    if isinstance(error, RateLimited | RetriableError):
        return StatusCode.RATE_LIMITED
    if isinstance(error, UncertainError):
        return StatusCode.UNCERTAIN
    if isinstance(error, AuthError):
        return StatusCode.RELINK_NEEDED
    return StatusCode.REJECTED


def set_failures(document: Document, failures: list[Failure]) -> None:
    """Record a document's failing checks; the first is its status code."""
    first = failures[0] if failures else None
    DocumentState.objects.update_or_create(document=document, defaults={
        "status_code": first.code if first else "", "message": first.message if first else "",
        "failures": [f.as_json() for f in failures], "checked_at": timezone.now(),
    })


def recheck(document: Document, connector: Connector | None, connection: Connection | None) -> list[Failure]:
    """Run the checks for one document at once (after the user fixed something)."""
    if connector is None or connection is None:
        failures = local_failures(document) or [Failure(StatusCode.NOT_CONNECTED, "Not connected")]
    else:
        failures = Checker(connector, connection).check([document])[document.pk]
    set_failures(document, failures)
    return failures


def run_until_done(run: SyncRun, *, sleep=time.sleep, max_steps: int = 1000,
                   stop_when_idle: bool = True) -> SyncRun:
    """Work a run in this process until it ends (the CLI and tests use this). An Auto Sync
    with nothing left ends at once when ``stop_when_idle``, instead of waiting out its window
    for newly marked documents as the background worker does."""
    for _ in range(max_steps):
        delay = step(run.pk)
        if delay is None:
            break
        run.refresh_from_db()
        if stop_when_idle and run.auto and run.left_count == 0 and delay == IDLE_POLL_SECONDS:
            _finish(run, RunState.FINISHED, "Nothing left to sync.")
            break
        sleep(delay)
    run.refresh_from_db()
    return run
