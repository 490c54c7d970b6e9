"""Tracking: a document's job, site or department booked as the package's class, location or
tracking option, per connection (issue #18). One home for the mapping's rules:

- ``settings_of`` / ``save_settings``: what each of the connection's slots is booked from
  (the web settings screen and the REST API both call these; a change is audited and has
  the package's lists read again);
- ``wanted_for``: what a document books under its connection's mapping (the push's
  OutboundDocument.tracking, sync/batch.py);
- ``failures``: the check that the package has every option a document books
  (StatusCode.TRACKING_MISSING, worded in sync/status.py), run by sync/checks.py against
  the lists read into the reference cache (sync/reference.py) or asked for live.

Providers: QuickBooks offers a Class (ClassRef on each line) and a Location (its Department
entity, DepartmentRef on the header); Xero one tracking category (each line's
``Tracking: [{Name, Option}]``, named here; Xero allows at most two active categories).
Sage is not offered: Sage Accounting has analysis types (``/analysis_types`` in its v3.1
swagger) but ledgersync does not support them yet.

An unknown option fails the check for both. QuickBooks refuses an unknown ClassRef or
DepartmentRef (2500 Invalid Reference Id), which would reject the push; Xero, given a
category and option by name, books the line *without* the tracking rather than refusing
(calcinai/xero-php#84: "If the category and option don't exist in Xero, then they won't be
added to the line item"; xero-php#636 likewise), so the loss would go unseen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ledgersync.providers.base import Tracking, TrackingList, TrackingOption, TrackingSlot
from ledgersync.providers.base import tracking_list as find_list
from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.models import Account, Document
from ledgersync.sync.models import AuditEvent, Connection, TrackingMap, TrackingSource
from ledgersync.sync.status import Failure, StatusCode, check_failure

SAGE_NOTE = (
    "Sage Accounting keeps analysis types rather than classes or tracking categories; "
    "ledgersync does not book them yet."
)
CATEGORY_MAX = 100  # Xero's TrackingCategory Name (xero-accounting.yaml, maxLength 100)


@dataclass(frozen=True)
class SlotSetting:
    """One slot of a connection's mapping: ``source`` "" when nothing is booked there."""

    slot: TrackingSlot
    source: str = ""
    category: str = ""

    @property
    def label(self) -> str:
        return self.slot.label


def slots_of(connection: Connection) -> tuple[TrackingSlot, ...]:
    return PROVIDERS[connection.provider].capabilities.tracking_slots


def settings_of(connection: Connection) -> list[SlotSetting]:
    """Every slot the connection's provider offers, with what it is booked from."""
    rows = {row.slot: row for row in TrackingMap.objects.filter(connection=connection)}
    found = []
    for slot in slots_of(connection):
        row = rows.get(slot.value)
        found.append(
            SlotSetting(slot, row.source, row.category) if row is not None else SlotSetting(slot)
        )
    return found


def is_mapped(connection: Connection) -> bool:
    offered = [slot.value for slot in slots_of(connection)]
    return TrackingMap.objects.filter(connection=connection, slot__in=offered).exists()


def save_settings(
    connection: Connection,
    wanted: Mapping[str, Mapping[str, str]],
    *,
    user=None,
    via: str = "",
) -> list[SlotSetting]:
    """Set the mapping: ``wanted`` is {slot: {"source": "job" | "site" | "department" | "",
    "category": name (Xero)}}; a slot left out is left as it is. Raises ValidationError in
    a person's words (by slot); audited; the package's lists are read again and the queue
    re-checked when anything changed."""
    cleaned = _cleaned(connection, wanted)
    name = PROVIDERS[connection.provider].capabilities.display_name
    before = settings_of(connection)
    with transaction.atomic():
        for slot, (source, category) in cleaned.items():
            if not source:
                TrackingMap.objects.filter(connection=connection, slot=slot.value).delete()
                continue
            TrackingMap.objects.update_or_create(
                connection=connection,
                slot=slot.value,
                defaults={"source": source, "category": category},
            )
        after = settings_of(connection)
        if after != before:
            AuditEvent.objects.create(
                organisation=connection.organisation,
                user=user if user is not None and user.is_authenticated else None,
                action="tracking_changed",
                detail=f"{name} tracking: {describe(after)}{f' ({via})' if via else ''}"[:1000],
            )
            _read_again(connection)
    return after


def _cleaned(
    connection: Connection, wanted: Mapping[str, Mapping[str, str]]
) -> dict[TrackingSlot, tuple[str, str]]:
    """``wanted`` checked: (source, category) by slot; ValidationError by slot."""
    offered = {slot.value: slot for slot in slots_of(connection)}
    name = PROVIDERS[connection.provider].capabilities.display_name
    errors: dict[str, list[str]] = {}
    cleaned: dict[TrackingSlot, tuple[str, str]] = {}
    for key, choice in wanted.items():
        slot = offered.get(key)
        if slot is None:
            errors.setdefault(key, []).append(_not_offered(key, name, offered))
            continue
        source = str(choice.get("source") or "").strip()
        category = str(choice.get("category") or "").strip()
        if source and source not in TrackingSource.values:
            errors.setdefault(key, []).append(
                f"Book it from one of {', '.join(TrackingSource.values)}, not {source!r}"
            )
        if slot is TrackingSlot.CATEGORY and source and not category:
            errors.setdefault(key, []).append("Name the Xero tracking category to book it in")
        if any(ord(c) < 32 or ord(c) == 127 for c in category):
            errors.setdefault(key, []).append(
                "A tracking category's name cannot hold control characters"
            )
        if len(category) > CATEGORY_MAX:
            errors.setdefault(key, []).append(
                f"A tracking category's name is at most {CATEGORY_MAX} characters"
            )
        cleaned[slot] = (source, category if slot is TrackingSlot.CATEGORY else "")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _not_offered(key: str, name: str, offered: Mapping[str, TrackingSlot]) -> str:
    if not offered:
        return f"{name} has no tracking that ledgersync books"
    labels = ", ".join(slot.label for slot in offered.values())
    return f"{name} offers {labels} tracking, not {key!r}"


def describe(settings: Sequence[SlotSetting]) -> str:
    """In words, for the audit log: "Class from job, Location not booked"."""
    parts = []
    for setting in settings:
        if not setting.source:
            parts.append(f"{setting.label} not booked")
        elif setting.slot is TrackingSlot.CATEGORY:
            parts.append(f"{setting.label} '{setting.category}' from {setting.source}")
        else:
            parts.append(f"{setting.label} from {setting.source}")
    return ", ".join(parts) or "none offered"


def _read_again(connection: Connection) -> None:
    """Read the package's lists (and re-check the queue from them) after the change."""
    from ledgersync.sync import reference  # reference reads this module

    if connection.is_live:
        reference.request_refresh(connection, everything=False)


# -- what a document books ----------------------------------------------------------------------


def value_of(document: Document, source: str) -> str:
    """The document's job, department, or site (its account's name when that account is a
    site; a company or a supplier has no site): "" when it has none."""
    if source == TrackingSource.SITE:
        account = document.account
        if account is not None and account.kind == Account.Kind.SITE:
            return account.name
        return ""
    return str(getattr(document, source, "") or "").strip()


@dataclass(frozen=True)
class Wanted:
    tracking: Tracking
    source: str


def wanted_for(document: Document, maps: Sequence[TrackingMap]) -> list[Wanted]:
    """What ``document`` books under ``maps`` (a connection's rows): one per mapped slot
    whose field has a value; an empty field books nothing there."""
    found = []
    for row in maps:
        value = value_of(document, row.source)
        if value:
            slot = TrackingSlot(row.slot)
            found.append(Wanted(Tracking(slot, value, row.category), row.source))
    return found


def maps_of(connection: Connection) -> list[TrackingMap]:
    offered = [slot.value for slot in slots_of(connection)]
    return list(TrackingMap.objects.filter(connection=connection, slot__in=offered))


def failures(
    wanted: Sequence[Wanted], lists: Sequence[TrackingList], provider: str
) -> list[Failure]:
    """TRACKING_MISSING for each option (or Xero category) the package does not have."""
    found = []
    for want in wanted:
        tracking = want.tracking
        listed = find_list(lists, tracking.slot, tracking.category)
        if tracking.slot is TrackingSlot.CATEGORY:
            if listed is None:
                what = f"Tracking category '{tracking.category}'"
            elif listed.option(tracking.option) is None:
                what = f"Tracking option '{tracking.option}' of '{listed.name}'"
            else:
                continue
        elif listed is None or listed.option(tracking.option) is None:
            what = f"{tracking.slot.label} '{tracking.option}'"
        else:
            continue
        found.append(
            check_failure(
                StatusCode.TRACKING_MISSING, what=what, field=want.source, provider=provider
            )
        )
    return found


# -- kept in the reference cache ------------------------------------------------------------------


def lists_json(lists: Sequence[TrackingList]) -> list[dict]:
    return [
        {
            "slot": str(found.slot),
            "id": found.id,
            "name": found.name,
            "active": found.active,
            "options": [{"id": o.id, "name": o.name, "active": o.active} for o in found.options],
        }
        for found in lists
    ]


def lists_of(rows: Sequence[Mapping]) -> list[TrackingList]:
    return [
        TrackingList(
            slot=TrackingSlot(row["slot"]),
            id=row["id"],
            name=row["name"],
            active=row["active"],
            options=tuple(TrackingOption(**option) for option in row["options"]),
        )
        for row in rows
    ]
