"""Events: the one home for what ledgersync tells people and job systems about.

``emit`` records an Event once the caller's transaction commits, then hands it to the worker
(tasks.notify), which e-mails the people to tell (mail.py) and queues a webhook delivery
(webhooks.py). Emitting never breaks the caller: anything that goes wrong is logged.

The few places where each thing happens call one function here, in a line:

    connection refused (sync/connections.py)    connection_needs_relink  connection.relink_needed
    a run ends (sync/engine.py, Lease.finish)   run_ended                run.failed / run.finished
    the package rejects a document (batch.py)   document_rejected        documents.rejected
    payments fail to pull (sync/payments.py)    payments_pull_failed     payments.pull_failed

The body a webhook receives and ``GET /api/v1/events`` lists is ``body``, built by one schema.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from enum import StrEnum
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from ninja import Schema

from ledgersync.alerts.models import Event, EventKind
from ledgersync.providers.registry import display_name
from ledgersync.records.models import DocType, Organisation
from ledgersync.sync.models import RunState
from ledgersync.sync.queues import NOUNS

log = logging.getLogger(__name__)


# The published names of the kinds, built from them so the two cannot drift (mypy cannot
# list such members).
EventType = StrEnum("EventType", {v: v for v in EventKind.values})  # type: ignore[misc]


class EventOut(Schema):
    """An event as a webhook receives it and the API lists it."""

    id: int
    type: EventType
    created_at: dt.datetime
    organisation: str
    data: dict[str, Any]


def body(event: Event) -> dict[str, Any]:
    """The event in its published shape: id, type, created_at, organisation, data (the
    summary sentence and the facts of the kind)."""
    out = EventOut(
        id=event.pk,
        type=EventType(event.kind),
        created_at=event.created_at,
        organisation=event.organisation.slug,
        data={"summary": event.summary, **event.data},
    )
    return out.model_dump()


def payload(event: Event) -> bytes:
    """The body as JSON bytes, written as the API writes it (Django's encoder: times in UTC
    to the millisecond), so a webhook and ``GET /api/v1/events`` say the same."""
    return json.dumps(body(event), cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def emit(
    organisation: Organisation,
    kind: EventKind | str,
    key: str,
    summary: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Record an event once the current transaction commits (at once outside one) and hand
    it to the worker. ``key`` names the problem so the same one is recognised; ``data`` must
    be JSON. Never raises: an alert must not break what it reports on."""
    try:
        record = functools.partial(
            _record, organisation.pk, EventKind(kind), str(key)[:200], summary[:500], data or {}
        )
        transaction.on_commit(record, robust=True)
    except Exception:
        log.exception("could not emit %s %s", kind, key)


def _record(organisation_id: int, kind: EventKind, key: str, summary: str, data: dict) -> None:
    try:
        event = Event.objects.create(
            organisation_id=organisation_id, kind=kind, key=key, summary=summary, data=data
        )
        from ledgersync.alerts import tasks  # tasks import this module

        tasks.notify(event.pk)
    except Exception:
        log.exception("could not record or pass on event %s %s", kind, key)


# -- the events ledgersync emits ----------------------------------------------------------------


def connection_needs_relink(connection, reason: str) -> None:
    """The package refused the connection's tokens (sync/connections.mark_relink_needed)."""
    name = display_name(connection.provider)
    company = connection.company_name or connection.company_id
    emit(
        connection.organisation,
        EventKind.RELINK_NEEDED,
        f"connection:{connection.pk}",
        f"{name} stopped accepting ledgersync's access to {company}. Nothing is sent until "
        "an Administrator or Accounts user connects again on the Sync page.",
        {
            "connection_id": connection.pk,
            "provider": connection.provider,
            "company_id": connection.company_id,
            "company_name": connection.company_name,
            "reason": reason[:500],
        },
    )


def payments_pull_failed(connection, reason: str) -> None:
    """A payments pull failed after the last one worked (sync/payments.py ``pull``)."""
    name = display_name(connection.provider)
    company = connection.company_name or connection.company_id
    emit(
        connection.organisation,
        EventKind.PAYMENTS_PULL_FAILED,
        f"payments:{connection.pk}",
        f"Payments could not be pulled from {name} ({company}): {reason}",
        {
            "connection_id": connection.pk,
            "provider": connection.provider,
            "company_id": connection.company_id,
            "reason": reason[:500],
        },
    )


def run_ended(run) -> None:
    """A run is over (sync/engine.Lease.finish): failed, or finished / stopped."""
    doc_type = DocType(run.doc_type)
    what = f"{'Auto Sync' if run.auto else 'Sync'} of {NOUNS[doc_type][1]}"
    if run.state == RunState.FAILED:
        kind, summary = EventKind.RUN_FAILED, f"{what} failed: {run.message}"
    else:
        kind = EventKind.RUN_FINISHED
        summary = f"{what} {run.state}: {run.synced_count} synced, {run.failed_count} failed."
    emit(
        run.organisation,
        kind,
        f"run:{run.pk}",
        summary,
        {
            "run_id": run.pk,
            "type": doc_type.value,
            "auto": run.auto,
            "trigger": run.trigger,
            "state": run.state,
            "synced_count": run.synced_count,
            "failed_count": run.failed_count,
            "left_count": run.left_count,
            "message": run.message,
        },
    )


def document_rejected(run, document, failure) -> None:
    """The package refused a document for good (sync/batch.py); ``failure`` is its status."""
    emit(
        document.organisation,
        EventKind.DOCUMENTS_REJECTED,
        f"document:{document.pk}:{failure.code}",
        f"{document} was not accepted: {failure.message}",
        {
            "document_id": document.pk,
            "number": document.number,
            "type": document.doc_type,
            "status_code": str(failure.code),
            "message": failure.message,
            "run_id": run.pk if run is not None else None,
        },
    )
