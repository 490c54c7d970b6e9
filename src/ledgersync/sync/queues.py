"""Which queued documents Sync may send: the queue, the ready, the blocked, and the words for
"nothing is ready".

One rule, shared by the engine's selection, the "nothing ready" answer (web, REST API and
command line alike) and the Sync page's counts: a document is *blocked* when its state is a
failed check (status.py's CHECK_NUMBERS) judged for the run's connection, its provider and
company, and no send of it is still unanswered. Everything else is a candidate, and the batch
checks it again, live, before sending (batch.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from ledgersync.records.models import DocType, Document, Organisation, Supplier
from ledgersync.sync.models import Attempt, AttemptState, Connection, DocumentState
from ledgersync.sync.status import CHECK_NUMBERS, HOLDS_REMOTE_COPY, StatusCode

CHECK_CODES = list(CHECK_NUMBERS)
OPEN_SENDS = (AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN)


def queued(organisation: Organisation):
    """Documents of every type marked for sync and not yet synced (the three queues)."""
    return (
        Document.objects.for_org(organisation)
        .filter(marked_for_sync=True)
        .exclude(sync_state__status_code=StatusCode.SYNCED)
    )


def queue(organisation: Organisation, doc_type: DocType):
    """Documents of one type marked for sync and not yet synced, oldest number first."""
    return queued(organisation).filter(doc_type=doc_type).order_by("number", "pk")


def _blocked_ids(connection: Connection) -> QuerySet:
    """Documents a check failed for, as last judged for this connection (its provider and
    company), with no send still unanswered: those are never blocked, since a send that may
    have landed must be looked up before anything else (batch.py, exactly once)."""
    open_send = Attempt.objects.filter(
        document_id=OuterRef("document_id"),
        state__in=OPEN_SENDS,
        provider=connection.provider,
        company_id=connection.company_id,
    )
    return (
        DocumentState.objects.filter(
            status_code__in=CHECK_CODES,
            provider=connection.provider,
            company_id=connection.company_id,
        )
        .filter(~Exists(open_send))
        .values("document_id")
    )


def ready_queue(organisation: Organisation, doc_type: DocType, connection: Connection):
    """The queue less the documents waiting for a fix, oldest number first. Everything else
    (never checked, checked for another connection, passing, waiting for the package) is a
    candidate: the batch checks it again, live, before it is sent. A document the package
    holds already (TOTAL_MISMATCH: it waits for a person) is never a candidate."""
    return (
        queue(organisation, doc_type)
        .exclude(sync_state__status_code__in=HOLDS_REMOTE_COPY)
        .exclude(pk__in=_blocked_ids(connection))
    )


def blocked_queue(organisation: Organisation, doc_type: DocType, connection: Connection):
    """The queue's documents waiting for a fix (a failed check), oldest number first."""
    return queue(organisation, doc_type).filter(pk__in=_blocked_ids(connection))


# What the "nothing ready" sentence calls each type, one and many.
NOUNS = {
    DocType.SALES_INVOICE: ("invoice", "invoices"),
    DocType.SALES_CREDIT_NOTE: ("credit note", "credit notes"),
    DocType.SUPPLIER_INVOICE: ("supplier invoice", "supplier invoices"),
}


class NothingReady(Exception):
    """Every queued document of a type waits for a fix: Sync has nothing it may send.

    ``first`` is the oldest of them (the fix to make first), ``waiting`` how many there are.
    """

    def __init__(self, doc_type: DocType, waiting: int, first: Document) -> None:
        self.doc_type, self.waiting, self.first = DocType(doc_type), waiting, first
        super().__init__(self.sentence)

    @property
    def reason(self) -> str:
        return reason_of(self.first)

    @property
    def sentence(self) -> str:
        one, many = NOUNS[self.doc_type]
        count = f"1 {one} is" if self.waiting == 1 else f"{self.waiting} {many} are"
        return (
            f"Nothing is ready to sync: {count} waiting for a fix. "
            f"First: {self.first.number}: {self.reason}"
        )


def nothing_ready(
    organisation: Organisation, doc_type: DocType, connection: Connection
) -> NothingReady | None:
    """Why Sync has nothing to send, when every queued document waits for a fix; None when
    something is ready (or nothing is queued at all)."""
    if ready_queue(organisation, doc_type, connection).exists():
        return None
    blocked = blocked_queue(organisation, doc_type, connection)
    first = blocked.select_related("sync_state").first()
    if first is None:
        return None
    return NothingReady(doc_type, blocked.count(), first)


def reason_of(document: Document) -> str:
    """The status sentence a waiting document shows, as one sentence."""
    state = getattr(document, "sync_state", None)
    message = state.message if state is not None else ""
    return message if message.endswith(".") else f"{message}."


def none_went(doc_type: DocType, taken: int, first: Document) -> str:
    """What a Sync says when every document it took failed a check as it went out, while
    other documents are still ready for the next press."""
    one, many = NOUNS[DocType(doc_type)]
    count = f"the {one}" if taken == 1 else f"any of the {taken} {many}"
    return (
        f"Nothing was sent: {count} this Sync took failed a check as it went out. "
        f"First: {first.number}: {reason_of(first)} Press Sync again for the next ready {many}."
    )


@dataclass(frozen=True)
class Readiness:
    """How much of a queue Sync may send now, and how much waits for a fix."""

    ready: int
    waiting: int

    @classmethod
    def of(cls, organisation: Organisation, doc_type: DocType, connection: Connection):
        return cls(
            ready_queue(organisation, doc_type, connection).count(),
            blocked_queue(organisation, doc_type, connection).count(),
        )


def queued_naming(party) -> list[Document]:
    """The organisation's queued documents (every type) that name ``party`` as their
    account, supplier or care-of account, oldest number first, ready to be checked."""
    if isinstance(party, Supplier):
        named = Q(supplier=party)
    else:
        named = Q(account=party) | Q(care_of=party)
    rows = (
        Document.objects.for_org(party.organisation)
        .filter(named, marked_for_sync=True)
        .exclude(sync_state__status_code=StatusCode.SYNCED)
        .order_by("doc_type", "number", "pk")
    )
    return load(rows)


def load(documents) -> list[Document]:
    """The documents with what the checks and the push read, in few queries."""
    return list(
        documents.select_related("account", "supplier", "care_of", "sync_state").prefetch_related(
            "lines__nominal", "lines__tax_code"
        )
    )
