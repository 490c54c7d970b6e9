"""One batch of a sync run: reconcile, check, record attempts, push, write back outcomes.

Exactly once, step by step:
1. A document with an earlier send that never got a definite answer (an Attempt left
   IN_FLIGHT by a dead worker, or UNCERTAIN) is looked up in the package by the number and
   contact that send carried. Found: adopted as synced. Not found: that attempt is closed as
   SUPERSEDED and the document is sent again with the *same* idempotency key. An original
   can still land after the lookup (a write held past the client's timeout): when every
   document of its request is still unanswered, the request is sent again whole (same
   documents, order and keys) so the provider replays whichever copy lands second; else the
   document goes alone. A resend that succeeds while the original may still land is
   marked ``recheck_after``, and ``late_copies.py`` searches the package for extra copies then.
2. The other documents go through the seven checks; failures are written to the document.
3. An Attempt row (key, number, contact, fingerprint) is committed before each request goes
   out, in the transaction that read the document afresh under its row lock and built the
   outbound document from that read: an edit lands before (and is what is sent) or is
   refused after (records/services.py sees the open Attempt). A document edited since it
   was checked is not sent on unchecked words: it waits for the next batch's checks.
4. Each result is written back: synced, rejected (the provider's words), uncertain (to be
   reconciled as in 1), or waiting (429 / unreachable: tried again later in the run). A
   document synced or adopted whose fingerprint no longer matches the one sent says so in
   its mismatch rather than being silently SYNCED.
5. After the push the package's copy is compared with ours: a total, VAT or contact that
   differs from what was sent makes the document TOTAL_MISMATCH (both figures in its
   message), not SYNCED, until a person accepts or corrects it (``sync/mismatches.py``). It
   holds a remote copy, so like a synced document it is never taken into a batch again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ledgersync.alerts import events as alerts
from ledgersync.providers.base import (
    AuthError,
    Connector,
    OutboundDocument,
    OutboundLine,
    ProviderError,
    RateLimited,
    RemoteDocument,
    RetriableError,
)
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.records.models import Document, PostAs
from ledgersync.records.money import to_money
from ledgersync.sync import tracking
from ledgersync.sync.checks import (
    Checker,
    Links,
    link_key,
    links_for,
    local_failures,
    parties_of,
)
from ledgersync.sync.codemap import CodeMap
from ledgersync.sync.fingerprint import fingerprint, reread
from ledgersync.sync.models import Attempt, AttemptState, Connection, DocumentState, SyncRun
from ledgersync.sync.recording import RecordingTransport
from ledgersync.sync.status import (
    HOLDS_REMOTE_COPY,
    Failure,
    Figures,
    Mismatch,
    StatusCode,
    failure_for,
    total_mismatch,
)


@dataclass
class Outcome:
    unresolved: list[int]
    wait: float | None = None
    auth_error: AuthError | None = None


class BatchWork:
    MAX_ROUNDS = 5  # how often one run tries a document that keeps ending without an answer

    def __init__(
        self,
        run: SyncRun,
        connector: Connector,
        checker: Checker,
        recorder: RecordingTransport,
        *,
        renew: Callable[[], None],
    ) -> None:
        self.run = run
        self.connector = connector
        self.checker = checker
        self.recorder = recorder
        self.renew = renew
        self.connection: Connection = run.connection
        self.name = connector.capabilities.display_name
        self.retry_keys: dict[int, str] = {}  # document id -> key of the send being repeated
        self.earlier: dict[int, Attempt] = {}  # document id -> the unanswered send it repeats
        self.same_request: set[int] = set()  # documents re-sent as their earlier request
        self.unresolved: list[int] = []
        self.wait: float | None = None
        self.auth_error: AuthError | None = None
        self.links: Links = {}

    def process(self, batch: list[Document]) -> Outcome:
        calls_before = self.connector.api_calls
        waits_before, waited_before = self.connector.rate_limit_waits
        self.links = links_for(self.connection, parties_of(batch))
        self.run.remember(document.pk for document in batch)
        try:
            self._push(self._check(self._reconcile(self._not_held(batch))))
        except (AuthError, RetriableError) as exc:
            # The package turned the whole batch away (refused, busy or unreachable).
            if isinstance(exc, AuthError):
                self.auth_error = exc
            if isinstance(exc, RateLimited):
                self._wait_for(exc)
            self._mark_open(batch, failure_for(exc, self.name))
        finally:
            self.run.api_calls += self.connector.api_calls - calls_before
            waits, waited = self.connector.rate_limit_waits
            if self.wait:  # the whole run waits for the provider's rate limit
                waits, waited = waits + 1, waited + self.wait
            self.run.rate_limit_waits += waits - waits_before
            self.run.rate_limit_seconds += waited - waited_before
        return Outcome(sorted(set(self.unresolved)), wait=self.wait, auth_error=self.auth_error)

    def _not_held(self, batch: list[Document]) -> list[Document]:
        """The batch without documents the package already holds (synced, or waiting for a
        person after TOTAL_MISMATCH): whatever chose them, they are never sent again."""
        held = set(
            DocumentState.objects.filter(
                document__in=batch, status_code__in=HOLDS_REMOTE_COPY
            ).values_list("document_id", flat=True)
        )
        for document in batch:
            if document.pk in held:
                self._final(document)
        return [document for document in batch if document.pk not in held]

    # -- 1. reconciliation ------------------------------------------------------------------

    def _reconcile(self, batch: list[Document]) -> list[Document]:
        open_attempts: dict[int, Attempt] = {}
        for attempt in Attempt.objects.filter(
            document__in=batch,
            state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN],
            provider=self.connection.provider,
            company_id=self.connection.company_id,
        ).order_by("started_at"):
            open_attempts[attempt.document_id] = attempt  # the latest send counts
        remaining = []
        for document in batch:
            attempt = open_attempts.get(document.pk)
            if attempt is None:
                remaining.append(document)
                continue
            found = self._find(document, attempt)
            if found is not None:
                self._adopt(document, found, attempt)
                continue
            Attempt.objects.filter(
                document=document, state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN]
            ).update(
                state=AttemptState.SUPERSEDED,
                finished_at=timezone.now(),
                message="Not found in the package; sent again with the same key.",
            )
            self.retry_keys[document.pk] = attempt.idempotency_key
            self.earlier[document.pk] = attempt
            remaining.append(document)
        return remaining

    def _find(self, document: Document, attempt: Attempt | None = None) -> RemoteDocument | None:
        number = (attempt.number if attempt else "") or document.number
        contact_id = (attempt.contact_id if attempt else "") or None
        if document.type.is_sales:
            contact_id = None  # sales numbers are unique in every package
        elif contact_id is None:
            link = self.links.get(link_key(document.party))
            contact_id = link.remote_id if link else None
        return self.connector.find_document(RemoteDocType(document.doc_type), number, contact_id)

    def _adopt(
        self, document: Document, found: RemoteDocument, attempt: Attempt | None, sent: str = ""
    ) -> None:
        """Take what the package has as this document's copy; ``sent`` is the fingerprint
        of the send that put it there (the attempt's when there is one)."""
        with transaction.atomic():
            if attempt is not None:
                self._close(
                    attempt,
                    AttemptState.ADOPTED,
                    StatusCode.SYNCED,
                    "Found in the package after an unanswered send; adopted.",
                    found.remote_id,
                )
                sent = attempt.fingerprint
            self._synced(document, found, sent=sent)

    # -- 2. checks --------------------------------------------------------------------------

    def _check(self, documents: list[Document]) -> list[Document]:
        if not documents:
            return []
        # A document being sent again passed check 4 with its first send; its number may
        # now be "taken" by that very send, which the lookup above has just ruled out.
        results = self.checker.check(
            documents, links=self.links, skip_duplicates=set(self.retry_keys)
        )
        passing = []
        for document in documents:
            if results[document.pk]:
                DocumentState.record(document, results[document.pk], self.connection)
                self._final(document)
                self.run.failed_count += 1
            else:
                passing.append(document)
        return passing

    # -- 3 and 4. push ----------------------------------------------------------------------

    def _push(self, documents: list[Document]) -> None:
        fresh = [d for d in documents if d.pk not in self.retry_keys]
        size = self.connector.capabilities.max_batch
        chunks = self._resend_chunks(documents)
        for chunk in chunks + [fresh[i : i + size] for i in range(0, len(fresh), size)]:
            self.renew()
            claimed = self._claim(chunk)
            if not claimed:
                continue
            chunk = [document for document, _, _ in claimed]
            outbound = [sending for _, sending, _ in claimed]
            attempts = [attempt for _, _, attempt in claimed]
            self.recorder.take()  # what came before belongs to checks, not to this send
            self.recorder.request_id = ""
            started, calls_before = time.monotonic(), self.connector.api_calls
            try:
                results = self.connector.push(outbound)
            except ProviderError as exc:
                results = None
                error = exc
            sent, received = self.recorder.take()
            for attempt in attempts:
                attempt.request_body, attempt.response_body = sent, received
                attempt.api_calls = self.connector.api_calls - calls_before
                attempt.duration_ms = int((time.monotonic() - started) * 1000)
                attempt.provider_request_id = self.recorder.request_id[:100]
            if results is None:
                for document, attempt in zip(chunk, attempts, strict=True):
                    self._failed(document, attempt, error)
                if isinstance(error, AuthError | RateLimited | RetriableError):
                    raise error
                continue
            for document, attempt, result in zip(chunk, attempts, results, strict=True):
                remote, failure = result.remote, result.error
                if remote is not None:
                    attempt.recheck_after = self._recheck_after(document)
                    with transaction.atomic():  # never a succeeded attempt without a synced state
                        self._close(
                            attempt, AttemptState.SUCCEEDED, StatusCode.SYNCED, "", remote.remote_id
                        )
                        self._synced(document, remote, sent=attempt.fingerprint)
                else:
                    assert failure is not None  # a PushResult holds one or the other
                    self._failed(document, attempt, failure)
            if self.auth_error is not None:
                raise self.auth_error

    def _claim(self, chunk: list[Document]) -> list[tuple[Document, OutboundDocument, Attempt]]:
        """Each document read afresh under its row lock, its outbound document built from
        that read and its Attempt committed in the same transaction, so an edit either lands
        before (and is what is sent) or finds the open Attempt and is refused. On SQLite the
        transaction takes the database's write lock at its start (IMMEDIATE), which serves."""
        claimed = []
        send_id = str(uuid.uuid4())  # one request: its attempts are re-sent together
        with transaction.atomic():
            for checked in chunk:
                current = reread(checked, lock=True)
                sent = fingerprint(current)
                if not _as_checked(checked, current, sent):
                    self._count(checked)  # checked again, as it is now, by the next batch
                    self._reopen(checked)
                    continue
                outbound = self._outbound(current)
                attempt = self._attempt(current, outbound, sent, send_id)
                claimed.append((current, outbound, attempt))
        return claimed

    def _reopen(self, document: Document) -> None:
        """A repeat put off because the document changed: its unanswered send is open
        again, so the next batch looks it up first and repeats it under the same key (this
        batch's record of that key ends with it)."""
        key = self.retry_keys.pop(document.pk, None)
        if key is None:
            return
        superseded = Attempt.objects.filter(
            document=document, idempotency_key=key, state=AttemptState.SUPERSEDED
        ).first()  # the latest: Attempt's ordering is newest first
        if superseded is not None:
            superseded.state, superseded.finished_at = AttemptState.UNCERTAIN, None
            superseded.save(update_fields=["state", "finished_at"])

    def _resend_chunks(self, documents: list[Document]) -> list[list[Document]]:
        """The documents being sent again, in requests. Those whose whole earlier request is
        still unanswered go out together as that request, while the provider replays it;
        the others go alone (their request's other documents landed, so it did too)."""
        waiting = {d.pk: d for d in documents if d.pk in self.retry_keys}
        chunks: list[list[Document]] = []
        placed: set[int] = set()
        for pk, document in waiting.items():
            if pk not in placed:
                chunk = self._same_request(self.earlier[pk], waiting, placed) or [document]
                placed.update(d.pk for d in chunk)
                chunks.append(chunk)
        return chunks

    def _same_request(
        self, earlier: Attempt, waiting: dict[int, Document], placed: set[int]
    ) -> list[Document]:
        """The documents of ``earlier``'s request in their order, if all are waiting here,
        none is placed in another request yet (a document goes once per batch) and the
        provider still replays each one's send."""
        members = list(
            Attempt.objects.filter(send_id=earlier.send_id)
            .order_by("pk")
            .values_list("document_id", flat=True)
        )
        if not earlier.send_id or not all(
            pk in waiting
            and pk not in placed
            and self.earlier[pk].send_id == earlier.send_id
            and self._replayed(self.earlier[pk])
            for pk in members
        ):
            return []
        self.same_request.update(members)
        return [waiting[pk] for pk in members]

    def _replayed(self, earlier: Attempt) -> bool:
        """Whether the provider still answers a repeat of ``earlier`` with its first copy;
        past its replay window a repeat would be written as new, alone or not."""
        window = self.connector.capabilities.replay_window_seconds
        return window is None or timezone.now() - earlier.started_at < timedelta(seconds=window)

    def _recheck_after(self, document: Document) -> datetime | None:
        """When to search the package again for an extra copy of a document just synced by a
        resend: after its unanswered original can no longer land. None when nothing can
        land late, or the provider replays the original for at least that long."""
        earlier = self.earlier.get(document.pk)
        if earlier is None:
            return None
        capabilities = self.connector.capabilities
        window, late = capabilities.replay_window_seconds, capabilities.late_write_seconds
        if document.pk in self.same_request and window is not None and window >= late:
            return None
        when = earlier.started_at + timedelta(seconds=late)
        return when if when > timezone.now() else None

    def _outbound(self, document: Document) -> OutboundDocument:
        # The mapping the checks just passed the document by (codemap.py): what is booked.
        code_map = self.checker.code_map()
        assert code_map is not None  # the checks read the chart before anything is claimed
        supports_care_of = self.connector.capabilities.supports_care_of
        supports_drafts = self.connector.capabilities.supports_drafts
        care_of_party = document.care_of
        care_of = (
            self.links.get(link_key(care_of_party))
            if care_of_party is not None and supports_care_of
            else None
        )
        reference = document.reference
        if care_of_party is not None and not supports_care_of:
            reference = f"c/o {care_of_party.name} {reference}".strip()[:100]
        return OutboundDocument(
            idempotency_key=self.retry_keys.get(document.pk) or str(uuid.uuid4()),
            doc_type=RemoteDocType(document.doc_type),
            number=document.number,
            contact_id=self.links[link_key(document.party)].remote_id,
            care_of_contact_id=care_of.remote_id if care_of else None,
            issue_date=document.issue_date,
            due_date=document.due_date,
            currency=document.currency,
            reference=reference,
            lines=tuple(_outbound_line(line, document, code_map) for line in document.lines.all()),
            amounts_include_tax=document.prices_include_vat,
            # The same mapping the checks just passed it under (sync/tracking.py).
            tracking=tuple(
                wanted.tracking
                for wanted in tracking.wanted_for(document, self.checker.tracking_maps)
            ),
            draft=supports_drafts and document.effective_post_as == PostAs.DRAFT,
        )

    def _attempt(
        self, document: Document, outbound: OutboundDocument, sent: str, send_id: str = ""
    ) -> Attempt:
        return Attempt.objects.create(
            organisation=self.run.organisation,
            run=self.run,
            document=document,
            send_id=send_id,
            provider=self.connection.provider,
            company_id=self.connection.company_id,
            idempotency_key=outbound.idempotency_key,
            number=outbound.number,
            contact_id=outbound.contact_id,
            fingerprint=sent,
            started_by=self.run.started_by,
        )

    def _failed(self, document: Document, attempt: Attempt, error: ProviderError) -> None:
        failure = failure_for(error, self.name)
        uncertain = failure.code == StatusCode.UNCERTAIN
        state = AttemptState.UNCERTAIN if uncertain else AttemptState.FAILED
        self._close(attempt, state, failure.code, error.message)
        if isinstance(error, AuthError):
            self.auth_error = self.auth_error or error
        elif isinstance(error, RateLimited):
            self._wait_for(error)
        elif uncertain or isinstance(error, RetriableError):
            self._count(document)  # tried again later in the run
        elif self._landed_late(document, attempt):
            return
        else:
            self._final(document)
            self.run.failed_count += 1
            alerts.document_rejected(self.run, document, failure)
        DocumentState.record(document, [failure], self.connection)

    def _landed_late(self, document: Document, attempt: Attempt) -> bool:
        """A refusal of a repeat ("number already used") may be the first send landing
        late: look again before calling it rejected, and adopt what is found."""
        if document.pk not in self.retry_keys:
            return False
        found = self._find(document)
        if found is not None:
            self._adopt(document, found, None, sent=attempt.fingerprint)
        return found is not None

    # -- writing outcomes -------------------------------------------------------------------

    def _close(
        self,
        attempt: Attempt,
        state: AttemptState,
        code: StatusCode,
        message: str,
        remote_id: str = "",
    ) -> None:
        attempt.state, attempt.status_code = state, code
        attempt.message, attempt.remote_id = message[:1000], remote_id
        attempt.finished_at = timezone.now()
        attempt.save()

    def _synced(self, document: Document, remote: RemoteDocument, *, sent: str) -> None:
        """Write the package's copy back: SYNCED when it has our figures, TOTAL_MISMATCH
        when its total, VAT or contact differ from ours; ``sent`` is the fingerprint of what
        was sent ("" when not known: an attempt older than the field)."""
        current = reread(document, lock=True)  # inside the caller's transaction
        changed = bool(sent) and fingerprint(current) != sent
        failure = None if changed else self._total_mismatch(current, remote)
        now = timezone.now()
        values: dict[str, object] = {
            "status_code": StatusCode.SYNCED,
            "message": "Synced",
            "failures": [],
            "mismatch": "; ".join(self._changed(current, remote) if changed else [])[:500],
        }
        if failure is not None:
            values = {
                "status_code": failure.code,
                "message": failure.message,
                "failures": [failure.as_json()],
                "mismatch": failure.message[:500],
            }
        DocumentState.objects.update_or_create(
            document=document,
            defaults={
                **values,
                "provider": self.connection.provider,
                "company_id": self.connection.company_id,
                "remote_id": remote.remote_id,
                "remote_total": remote.total,
                "remote_draft": remote.draft,
                "synced_at": now,
                "synced_by": self.run.started_by,
                "checked_at": now,
            },
        )
        self._final(document)
        if failure is None:
            self.run.synced_count += 1
        else:
            self.run.failed_count += 1

    def _total_mismatch(self, current: Document, remote: RemoteDocument) -> Failure | None:
        """TOTAL_MISMATCH when the package's copy has other figures than the document as
        sent (and as it still is), else None."""
        link = self.links.get(link_key(current.party))
        theirs = Figures(
            to_money(remote.total),
            to_money(remote.tax_total) if remote.tax_total is not None else None,
            remote.contact_id,
        )
        ours = Figures(current.gross_total, current.tax_total, link.remote_id if link else "")
        return total_mismatch(self.name, theirs, ours)

    def _changed(self, current: Document, remote: RemoteDocument) -> list[str]:
        """The document was edited here (around the edit lock) after it was sent: the
        package has what was sent, so it stays synced, and says so."""
        local = current.gross_total
        # Packages answer 158.4; people read 158.40.
        theirs = to_money(remote.total) if remote.total is not None else None
        detail = (
            Mismatch.CHANGED_TOTAL.text(provider=self.name, remote=theirs, local=local)
            if remote.total is not None and remote.total != local
            else Mismatch.CHANGED_DETAILS.text()
        )
        return [Mismatch.CHANGED.text(provider=self.name, detail=detail)]

    def _mark_open(self, documents: list[Document], failure: Failure) -> None:
        """Say why documents still open in this batch are waiting; leave the settled alone."""
        for document in documents:
            if not self.run.is_done_with(document.pk):
                DocumentState.record(
                    document, local_failures_or(document, failure), self.connection
                )
                self.unresolved.append(document.pk)
                if failure.code != StatusCode.RATE_LIMITED or not self.run.auto:
                    self._count(document)

    def _wait_for(self, error: RateLimited) -> None:
        self.wait = max(self.wait or 0.0, error.retry_after, 1.0)

    def _final(self, document: Document) -> None:
        self.run.done_with(document.pk)

    def _count(self, document: Document) -> None:
        self.run.count_round(document.pk)
        self.unresolved.append(document.pk)


def _outbound_line(line, document: Document, code_map: CodeMap) -> OutboundLine:
    """A line as sent: with our net and VAT (records/money.py) so the package books them.
    A line without a tax code of ours takes the package's default rate for its nominal, so
    its VAT is left to the package (and a difference shows as TOTAL_MISMATCH). Its nominal
    and tax code are the package's as the connection maps them (sync/codemap.py)."""
    has_rate = line.tax_code is not None
    booked = code_map.account(line.nominal.code, document.doc_type).account
    return OutboundLine(
        text=line.text,
        quantity=line.quantity,
        unit_price=line.unit_price,
        # A missing nominal failed check 5 already; sent as ours, the connector refuses it.
        nominal_code=booked.code if booked is not None else line.nominal.code,
        tax_code=code_map.tax_to_send(line.tax_code.code, document.doc_type) if has_rate else None,
        net=line.net if has_rate else None,
        tax=line.tax if has_rate else None,
    )


def _as_checked(checked: Document, current: Document, current_fingerprint: str) -> bool:
    """Still what the checks passed: marked for sync, sent as it was, and saying the same."""
    return (
        current.marked_for_sync
        and current.sent_at == checked.sent_at
        and current_fingerprint == fingerprint(checked)
    )


def local_failures_or(document: Document, failure: Failure) -> list[Failure]:
    """Checks 1 and 7 still show while the package is unreachable."""
    return local_failures(document) or [failure]
