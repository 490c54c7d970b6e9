"""The connection's tracking mapping (sync/tracking.py): what a document's job, site or
department is booked as in the package (QuickBooks class / location, Xero tracking category).
"""

from __future__ import annotations

from ninja import Router, Schema

from ledgersync.api.auth import READ, WRITE, organisation_of
from ledgersync.api.errors import ERRORS
from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.inputs import Text20, Text100
from ledgersync.sync import connections, tracking

router = Router(tags=["sync"])


class TrackingSlotOut(Schema):
    slot: str
    label: str
    source: str
    category: str


class TrackingOut(Schema):
    provider: str
    provider_name: str
    offered: bool
    note: str
    slots: list[TrackingSlotOut]


class TrackingSlotIn(Schema):
    slot: Text20
    source: Text20 = ""
    category: Text100 = ""


class TrackingIn(Schema):
    slots: list[TrackingSlotIn]


def _live(request):
    organisation = organisation_of(request)
    connection = connections.live_connection(organisation)
    if connection is None:
        raise connections.NotConnected(f"{organisation} is not connected")
    return connection


def _body(connection) -> dict:
    capabilities = PROVIDERS[connection.provider].capabilities
    offered = bool(capabilities.tracking_slots)
    return {
        "provider": connection.provider,
        "provider_name": capabilities.display_name,
        "offered": offered,
        "note": "" if offered else tracking.SAGE_NOTE,
        "slots": [
            {"slot": s.slot.value, "label": s.label, "source": s.source, "category": s.category}
            for s in tracking.settings_of(connection)
        ],
    }


@router.get("/connection/tracking", response={200: TrackingOut, **ERRORS}, auth=READ)
def get_tracking(request):
    """What each tracking slot of the live connection is booked from ("" = not booked)."""
    return _body(_live(request))


@router.put("/connection/tracking", response={200: TrackingOut, **ERRORS}, auth=WRITE)
def put_tracking(request, data: TrackingIn):
    """Set slots: ``source`` job, site, department or "" (not booked); ``category`` names the
    Xero tracking category. Slots left out stay as they are; the package's lists are read
    again and the queue re-checked."""
    connection = _live(request)
    wanted = {row.slot: {"source": row.source, "category": row.category} for row in data.slots}
    tracking.save_settings(connection, wanted, via="the API")
    return _body(connection)
