"""The error centre (issue #18): every queued document that cannot sync, across the three
types, grouped by status code, oldest first.

Which documents: the sync queues (queues.py ``queued``) whose state is one of status.py's
NEEDS_ATTENTION codes. The groups come in the order of that tuple (the checks in the order
they run, then what the push ended in), so the page reads the same way every visit and the
fix that unblocks the most later checks comes first. Counts per code use status.py's
``count_codes``, as the Sync page's queue summaries do, so both say the same numbers.

The web page (web/problem_views.py) and the API (api/sync.py) both read from here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from ledgersync.records.models import Account, DocType, Document, Organisation, Supplier
from ledgersync.sync import actor
from ledgersync.sync.models import Attempt, AttemptState, Problem
from ledgersync.sync.queues import queued
from ledgersync.sync.status import NEEDS_ATTENTION, StatusCode, count_codes

CHUNK = 900  # ids per IN list (under SQLite's 999)


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; None means any."""

    doc_type: DocType | None = None
    account: Account | None = None
    supplier: Supplier | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# The rank of each code in NEEDS_ATTENTION, so the database sorts the groups in that order.
_GROUP_ORDER = Case(
    *(
        When(sync_state__status_code=code, then=Value(rank))
        for rank, code in enumerate(NEEDS_ATTENTION)
    ),
    output_field=IntegerField(),
)


def party_by_number(organisation: Organisation, model: type[Account] | type[Supplier], number: str):
    """The organisation's account or supplier numbered ``number`` (any case), or None: the
    filters name parties as people see them, by their A or supplier number."""
    return model.objects.for_org(organisation).filter(number__iexact=number.strip()).first()


def problems(organisation: Organisation, filters: Filters | None = None) -> QuerySet[Document]:
    """The organisation's queued documents that need attention, narrowed by ``filters``:
    grouped by status code (NEEDS_ATTENTION's order), then oldest first (issue date, then
    number)."""
    filters = filters or Filters()
    rows = queued(organisation).filter(sync_state__status_code__in=NEEDS_ATTENTION)
    if filters.doc_type is not None:
        rows = rows.filter(doc_type=filters.doc_type)
    if filters.account is not None:
        rows = rows.filter(account=filters.account)
    if filters.supplier is not None:
        rows = rows.filter(supplier=filters.supplier)
    if filters.date_from is not None:
        rows = rows.filter(issue_date__gte=filters.date_from)
    if filters.date_to is not None:
        rows = rows.filter(issue_date__lte=filters.date_to)
    return rows.annotate(group_rank=_GROUP_ORDER).order_by(
        "group_rank", "issue_date", "number", "pk"
    )


def counts(rows: QuerySet[Document]) -> dict[str, int]:
    """Documents per status code among ``rows``, in NEEDS_ATTENTION's order (codes with
    none left out). One query."""
    found = count_codes(
        rows.order_by().values_list("sync_state__status_code", "sync_state__checked_at")
    )
    return {code: found[code] for code in NEEDS_ATTENTION if code in found}


def failures(documents: Sequence[Document]) -> dict[int, int]:
    """How many times each of ``documents`` has failed to go: its Attempt rows that ended
    FAILED (the package refused it, or could not be asked). One query for them all."""
    rows = (
        Attempt.objects.filter(document__in=[d.pk for d in documents], state=AttemptState.FAILED)
        .values("document_id")
        .annotate(failed=Count("pk"))
        .order_by()
    )
    return {row["document_id"]: row["failed"] for row in rows}


def chosen(
    organisation: Organisation,
    filters: Filters | None = None,
    *,
    ids: Sequence[int] | None = None,
    code: str = "",
    limit: int,
) -> list[Document]:
    """What a bulk action is asked to act on: the list as ``filters`` narrow it, only
    ``code``'s group when given, only ``ids`` when given (ids not on the list are ignored:
    a document fixed or synced since the page was shown is no longer chosen). Up to
    ``limit`` + 1 documents, so the caller can tell the choice is too large."""
    rows = problems(organisation, filters)
    if code:
        rows = rows.filter(sync_state__status_code=code)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return list(rows.select_related("account", "supplier", "care_of", "sync_state")[: limit + 1])


# -- resolved, and coming back ------------------------------------------------------------------

# A document being checked has not changed its trouble: it neither resolves nor reopens one.
_PASSING_THROUGH = (StatusCode.CHECKING,)


def track(states: Iterable[tuple[int, str]]) -> None:
    """Keep the Problem rows in step with documents' states just written (document id, status
    code): a code of NEEDS_ATTENTION is opened, or reopened and counted again; a document's
    other open problems are marked resolved, now, by whoever acts (sync/actor.py). A few
    queries per call whatever its size."""
    by_code: dict[str, list[int]] = defaultdict(list)
    for document_id, code in states:
        if code not in _PASSING_THROUGH:
            by_code[code].append(document_id)
    if not by_code:
        return
    now, who = timezone.now(), actor.current()
    for code, ids in by_code.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            Problem.objects.filter(document_id__in=chunk, resolved_at__isnull=True).exclude(
                code=code
            ).update(resolved_at=now, resolved_by=who)
            if code in NEEDS_ATTENTION:
                _open(chunk, code, now)


def _open(ids: list[int], code: str, now) -> None:
    known = {p.document_id: p for p in Problem.objects.filter(document_id__in=ids, code=code)}
    back = [p for p in known.values() if p.resolved_at is not None]
    for problem in back:
        problem.resolved_at, problem.resolved_by = None, None
        problem.times += 1
        problem.seen_at = now
    if back:
        Problem.objects.bulk_update(back, ["resolved_at", "resolved_by", "times", "seen_at"])
    new = [
        Problem(document_id=pk, code=code, first_seen_at=now, seen_at=now)
        for pk in ids
        if pk not in known
    ]
    if new:
        Problem.objects.bulk_create(new, ignore_conflicts=True)


def open_marks(documents: Sequence[Document]) -> dict[int, Problem]:
    """The open problem behind each of ``documents``' status code (when it started, how many
    times it has come), for the page's rows. One query."""
    codes = {d.pk: d.sync_state.status_code for d in documents}
    rows = Problem.objects.filter(document__in=list(codes), resolved_at__isnull=True)
    return {p.document_id: p for p in rows if codes.get(p.document_id) == p.code}


def resolved(organisation: Organisation, since) -> QuerySet[Problem]:
    """The organisation's problems resolved since ``since``, the latest first."""
    return (
        Problem.objects.filter(document__organisation=organisation, resolved_at__gte=since)
        .select_related("document", "document__account", "document__supplier", "resolved_by")
        .order_by("-resolved_at", "pk")
    )
