"""``GET /api/v1/events``: the events a webhook receives, for a job system that polls."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from ledgersync.alerts.events import EventOut, EventType, body
from ledgersync.alerts.models import Event
from ledgersync.api.auth import READ, organisation_of
from ledgersync.api.errors import ERRORS

router = Router(tags=["events"])


class EventFilter(Schema):
    after: int = Field(0, ge=0, le=2**53, description="Only events with a greater id.")
    limit: int = Field(50, ge=1, le=200, description="At most this many events (1-200).")
    type: EventType | None = Field(None, description="Only events of this type.")


class EventPage(Schema):
    after: int
    limit: int
    next_after: int = Field(description="Pass as `after` to read on from the last event.")
    items: list[EventOut]


@router.get("/events", response={200: EventPage, **ERRORS}, auth=READ)
def list_events(request, filters: Query[EventFilter]):
    """The organisation's events, oldest first, after the event ``after`` (0: from the
    start): the same bodies the webhook sends. Poll with ``after`` set to ``next_after``."""
    rows = Event.objects.for_org(organisation_of(request)).select_related("organisation")
    if filters.type is not None:
        rows = rows.filter(kind=filters.type.value)
    events = list(rows.filter(pk__gt=filters.after).order_by("pk")[: filters.limit])
    return {
        "after": filters.after,
        "limit": filters.limit,
        "next_after": events[-1].pk if events else filters.after,
        "items": [body(event) for event in events],
    }
