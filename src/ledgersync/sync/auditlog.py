"""The audit log (pushes and people's changes) as rows to export, and pruning it.

Attempts are the record of every push; AuditEvents of links, connects and key changes.
Pruning keeps every attempt of a document not yet synced: reconciling an unanswered push
needs its attempt, and the history of a stuck document is what a person reads to fix it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ledgersync.records.models import Organisation
from ledgersync.sync.models import Attempt, AttemptState, AuditEvent
from ledgersync.sync.status import StatusCode

COLUMNS = [
    "at",
    "kind",
    "action",
    "document",
    "document_type",
    "status_code",
    "message",
    "user",
    "run",
    "remote_id",
    "idempotency_key",
    "api_calls",
    "duration_ms",
]


def audit_rows(
    organisation: Organisation, since: dt.datetime | None = None
) -> Iterator[dict[str, object]]:
    """Attempts and events, oldest first, as flat dicts keyed by COLUMNS."""
    attempts = (
        Attempt.objects.for_org(organisation)
        .select_related("document", "started_by")
        .order_by("started_at", "pk")
    )
    events = AuditEvent.objects.for_org(organisation).select_related("user").order_by("at", "pk")
    if since is not None:
        attempts = attempts.filter(started_at__gte=since)
        events = events.filter(at__gte=since)
    rows = [_attempt_row(a) for a in attempts.iterator()] + [
        _event_row(e) for e in events.iterator()
    ]
    # Both row kinds hold "at" as an ISO string, so they sort in time order.
    yield from sorted(rows, key=lambda row: str(row["at"]))


def _attempt_row(attempt: Attempt) -> dict[str, object]:
    return {
        "at": attempt.started_at.isoformat(),
        "kind": "push",
        "action": attempt.state,
        "document": attempt.document.number,
        "document_type": attempt.document.doc_type,
        "status_code": attempt.status_code,
        "message": attempt.message,
        "user": attempt.started_by.get_username() if attempt.started_by else "",
        "run": attempt.run_id or "",
        "remote_id": attempt.remote_id,
        "idempotency_key": attempt.idempotency_key,
        "api_calls": attempt.api_calls,
        "duration_ms": attempt.duration_ms if attempt.duration_ms is not None else "",
    }


def _event_row(event: AuditEvent) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(COLUMNS, "")
    row.update(
        at=event.at.isoformat(),
        kind="event",
        action=event.action,
        message=event.detail,
        user=event.user.get_username() if event.user else "",
    )
    return row


@dataclass(frozen=True)
class Pruned:
    attempts: int
    events: int
    kept_attempts: int  # old attempts kept because their document has not synced


def prune(
    organisation: Organisation,
    older_than_days: int,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> Pruned:
    """Delete attempts and events older than the cutoff, except attempts of documents not yet
    synced (and any attempt still in flight or uncertain)."""
    if older_than_days < 1:
        raise ValueError("older-than must be at least 1 day")
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    old = Attempt.objects.for_org(organisation).filter(started_at__lt=cutoff)
    removable = old.filter(document__sync_state__status_code=StatusCode.SYNCED).exclude(
        state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN]
    )
    events = AuditEvent.objects.for_org(organisation).filter(at__lt=cutoff)
    with transaction.atomic():
        counts = Pruned(removable.count(), events.count(), old.count() - removable.count())
        if not dry_run:
            removable.delete()
            events.delete()
    return counts
