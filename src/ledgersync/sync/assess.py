"""Every document's status code, worked out at once and without calling the package.

``assess`` runs the seven checks for documents of one organisation and writes each one's
``DocumentState``, judged against the live connection:

- not connected: the local checks (1 sent, 7 no blank line), else NOT_CONNECTED;
- connected but refused (relink needed): the local checks, else RELINK_NEEDED;
- connected: all seven, the package's facts read from the connection's cache
  (sync/reference.py, ``CachedFacts``). A fact not read yet makes its check CHECKING
  ("Being checked against QuickBooks now."), and the missing facts are asked for.

It is called at once, in the caller's transaction, whenever something a check reads
changes: a document is created, edited, marked or sent (records/services.py), a party is
linked or unlinked (sync/linking.py), the connection or the provider changes
(sync/connections.py, the Settings screen), and after each read of the package.

States are written in bulk (documents loaded ``CHUNK`` at a time, lines prefetched, one
UPDATE per batch of changed states), so re-assessing a queue of 10,000 costs a few dozen
queries. A state is never written over when it says SYNCED, or while a send of the
document on the live connection is unanswered (that send's outcome is the engine's to
write). A state says which connection it was judged against, and ``heal`` re-assesses any
shown under another, so no row keeps a status from another connection or provider.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from ledgersync.providers.errors import AuthError, UncertainError
from ledgersync.records.models import Account, DocType, Document, Organisation, Supplier
from ledgersync.sync import connections, problems, reference
from ledgersync.sync.checks import Checker, link_key, links_for, local_failures, parties_of
from ledgersync.sync.models import (
    Attempt,
    AttemptState,
    Connection,
    ConnectionStatus,
    DocumentState,
    FetchState,
    ReferenceCache,
)
from ledgersync.sync.reference import assessable
from ledgersync.sync.status import (
    HOLDS_REMOTE_COPY,
    Failure,
    NotConnected,
    StatusCode,
    checking_failure,
    count_codes,
    failure_for,
)

CHUNK = 900  # documents loaded at a time (and ids per IN list, under SQLite's 999)
WRITE_BATCH = 500

StateKey = tuple[str, str]  # (provider, company id) a state was judged against


def state_key(organisation: Organisation, connection: Connection | None) -> StateKey:
    """The connection a state judged now belongs to: the live one's provider and company,
    or the organisation's chosen provider and "" when none is live."""
    if connection is None:
        return (organisation.provider, "")
    return (connection.provider, connection.company_id)


@dataclass
class Judge:
    """How one organisation's documents are judged right now."""

    organisation: Organisation
    connection: Connection | None
    key: StateKey
    name: str
    # Without a usable connection: the local checks, else this.
    instead: Failure | None = None
    checker: Checker | None = None
    facts: reference.CachedFacts | None = None
    cache: ReferenceCache | None = None

    @classmethod
    def now(cls, organisation: Organisation) -> Judge:
        connection = connections.live_connection(organisation)
        key = state_key(organisation, connection)
        name = connections.provider_name(organisation, connection)
        if connection is None:
            return cls(organisation, None, key, name, instead=failure_for(NotConnected(), name))
        if connection.status == ConnectionStatus.RELINK_NEEDED:
            refused = AuthError(connection.status_detail or "relink needed")
            return cls(organisation, connection, key, name, instead=failure_for(refused, name))
        cache = reference.cache_of(connection)
        facts = reference.CachedFacts(cache, connection.provider)
        held_up = cache.error if cache is not None and cache.state == FetchState.FAILED else ""
        checker = Checker(facts, connection, waiting=checking_failure(name, held_up))
        return cls(organisation, connection, key, name, checker=checker, facts=facts, cache=cache)

    def __call__(self, documents: Sequence[Document]) -> dict[int, list[Failure]]:
        if self.checker is None:
            assert self.instead is not None
            return {d.pk: local_failures(d) or [self.instead] for d in documents}
        assert self.connection is not None
        parties = {link_key(p): p for p in parties_of(documents)}
        found = self.checker.check(documents, links=links_for(self.connection, parties.values()))
        unanswered = self._unanswered(documents)
        if unanswered:
            no_answer = failure_for(UncertainError(""), self.name)
            found.update({pk: [no_answer] for pk in unanswered})
        return found

    def _unanswered(self, documents: Sequence[Document]) -> set[int]:
        """Documents with a send on the live connection still waiting for its answer."""
        assert self.connection is not None
        return set(
            Attempt.objects.filter(
                document__in=[d.pk for d in documents],
                provider=self.connection.provider,
                company_id=self.connection.company_id,
                state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN],
            ).values_list("document_id", flat=True)
        )

    def ask_for_what_is_missing(self) -> None:
        """Have the package read for what the checks could not judge (after commit)."""
        if self.connection is None or self.facts is None or not self.facts.missing:
            return
        if self.cache is None or self.cache.fetched_at is None:
            if not reference.is_reading(self.cache):
                reference.request_refresh(self.connection)
        elif self.cache.state == FetchState.FRESH:
            reference.request_gaps(self.connection)


def assess(
    organisation: Organisation,
    documents: QuerySet[Document] | Iterable[int] | None = None,
    *,
    keep_outcomes: bool = False,
    ask: bool = True,
) -> dict[int, list[Failure]]:
    """Judge ``documents`` (a queryset or ids of the organisation's; None: every assessable
    one) now and write their states; returns each one's failures, in check order.

    ``keep_outcomes`` keeps a REJECTED state (the package's own reason) while its checks
    still pass: a change to the document itself or its parties forgets it, a re-read of
    the package does not. ``ask`` False does not ask for missing facts to be read.
    """
    judge = Judge.now(organisation)
    if documents is None:
        documents = assessable(organisation)
    if isinstance(documents, QuerySet):
        ids = list(documents.values_list("pk", flat=True))
    else:
        ids = list(documents)
    results: dict[int, list[Failure]] = {}
    for start in range(0, len(ids), CHUNK):
        loaded = _load(organisation, ids[start : start + CHUNK])
        found = judge(loaded)
        _write(loaded, found, judge.key, keep_outcomes=keep_outcomes)
        results.update(found)
    if ask:
        judge.ask_for_what_is_missing()
    return results


def _load(organisation: Organisation, ids: list[int]) -> list[Document]:
    return list(
        Document.objects.for_org(organisation)
        .filter(pk__in=ids)
        .select_related("organisation", "account", "supplier", "care_of", "sync_state")
        .prefetch_related("lines__nominal")
        .order_by("pk")
    )


def _state(document: Document) -> DocumentState | None:
    try:
        return document.sync_state
    except DocumentState.DoesNotExist:
        return None


FIELDS = ["status_code", "message", "failures", "provider", "company_id", "checked_at"]


def _write(
    documents: Sequence[Document],
    found: dict[int, list[Failure]],
    key: StateKey,
    *,
    keep_outcomes: bool,
) -> None:
    now = timezone.now()
    provider, company_id = key
    changed, new = [], []
    written: list[tuple[int, str]] = []  # the states that change, for sync/problems.py
    for document in documents:
        failures = found[document.pk]
        first = failures[0] if failures else None
        code = str(first.code) if first else ""
        values = {
            "status_code": code,
            "message": first.message if first else "",
            "failures": [f.as_json() for f in failures],
            "provider": provider,
            "company_id": company_id,
        }
        state = _state(document)
        if state is None:
            new.append(DocumentState(document=document, checked_at=now, **values))
            written.append((document.pk, code))
            continue
        if state.status_code in HOLDS_REMOTE_COPY:
            continue  # the package holds it (SYNCED, or TOTAL_MISMATCH for a person)
        same_connection = (state.provider, state.company_id) == key
        if (
            keep_outcomes
            and same_connection
            and state.status_code == StatusCode.REJECTED
            and all(f.code == StatusCode.CHECKING for f in failures)
        ):
            continue
        if all(getattr(state, name) == value for name, value in values.items()):
            continue  # says this already
        written.append((document.pk, code))
        for name, value in values.items():
            setattr(state, name, value)
        state.checked_at = now
        changed.append(state)
    if changed:
        # The filter is the guard: a state the engine made SYNCED since it was read stays.
        DocumentState.objects.exclude(status_code__in=HOLDS_REMOTE_COPY).bulk_update(
            changed, FIELDS, batch_size=WRITE_BATCH
        )
    if new:
        # A state the engine created meanwhile is left as it wrote it.
        DocumentState.objects.bulk_create(new, batch_size=WRITE_BATCH, ignore_conflicts=True)
    problems.track(written)


# -- what re-assesses, and when -----------------------------------------------------------------


def document_changed(document: Document) -> None:
    """A document was created, edited, marked or unmarked, or marked sent or unsent."""
    queued_once = DocumentState.objects.filter(document=document).exists()
    if not document.marked_for_sync and not queued_once:
        return  # never queued: nothing shows a status for it
    assess(document.organisation, [document.pk])


def party_changed(organisation: Organisation, party: Account | Supplier) -> None:
    """A party was linked or unlinked (or its AccsID typed or cleared): every document it is
    on, as the account, the supplier or the care-of account."""
    if isinstance(party, Supplier):
        on = Q(supplier=party)
    else:
        on = Q(account=party) | Q(care_of=party)
    assess(organisation, assessable(organisation).filter(on))


def connection_changed(organisation: Organisation) -> None:
    """The organisation connected, reconnected, was disconnected, needs relinking, or chose
    another package: every document it keeps a state for is judged again, against the
    connection live now."""
    assess(organisation, keep_outcomes=True)


def mapping_changed(organisation: Organisation) -> None:
    """A code was mapped by hand, unmapped, or a fallback account set (sync/codemap.py):
    every document it keeps a state for is judged again against the new mapping."""
    assess(organisation, keep_outcomes=True)


def after_read(organisation: Organisation, *, waiting_only: bool = False) -> None:
    """The package's data was read again (or could not be): the queue from the new data,
    or only the documents that were waiting on it."""
    documents = assessable(organisation)
    if waiting_only:
        documents = documents.filter(sync_state__status_code=StatusCode.CHECKING)
    assess(organisation, documents, keep_outcomes=True, ask=not waiting_only)


def after_push_checks(organisation: Organisation) -> None:
    """The push's own checks found the package's data other than the cache held (and kept
    what they found): the documents the cache called ready, or could not judge, are judged
    again from it. States the push wrote (a failed check, an outcome) stay as written."""
    documents = assessable(organisation).filter(
        Q(sync_state__status_code="") | Q(sync_state__status_code=StatusCode.CHECKING)
    )
    assess(organisation, documents)


def judged_elsewhere(state: DocumentState | None, key: StateKey) -> bool:
    """Whether a state cannot be shown under the connection ``key``: there is none yet, or it
    was judged against another provider or company and does not record a copy the package
    holds (a synced document stays synced whatever is connected now)."""
    if state is None:
        return True
    return not state.holds_remote_copy and (state.provider, state.company_id) != key


def heal(organisation: Organisation, documents: Sequence[Document]) -> set[int]:
    """Re-assess those of ``documents`` (as shown on a page) whose state is missing or was
    judged against another connection than the live one; returns their ids, which the
    caller reloads. Nothing is shown from another connection or provider."""
    connection = connections.live_connection(organisation)
    key = state_key(organisation, connection)
    stale = {d.pk for d in documents if judged_elsewhere(_state(d), key)}
    if stale:
        assess(organisation, sorted(stale))
    return stale


def judge_unjudged(organisation: Organisation, documents: QuerySet[Document]) -> int:
    """Judge those of ``documents`` (a queue) whose state is missing or was judged against
    another connection than the live one, as ``heal`` does for a page; returns how many.
    A run starts with it, so the documents it chooses from all have a state of its own."""
    provider, company_id = state_key(organisation, connections.live_connection(organisation))
    stale = documents.exclude(
        sync_state__provider=provider, sync_state__company_id=company_id
    ).exclude(sync_state__status_code__in=HOLDS_REMOTE_COPY)
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        assess(organisation, ids)
    return len(ids)


def queue_counts(organisation: Organisation, doc_type: DocType) -> dict[str, int]:
    """The queue of one type by shown code (READY, NOT_CHECKED or a status code), for the
    API's and the command line's summaries."""
    from ledgersync.sync import engine  # the queue is the engine's

    states = engine.queue(organisation, doc_type).values_list(
        "sync_state__status_code", "sync_state__checked_at"
    )
    return count_codes(states)
