"""GET on a collection: Xero's list filters (``IDs``, ``InvoiceNumbers``, ``ContactIDs``,
``Statuses``, ``searchTerm``, ``includeArchived``, ``where``, ``order``,
``If-Modified-Since``) and paging (``page``, ``pageSize``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from ledgersync.sandbox.core import fields
from ledgersync.sandbox.xero.errors import QueryParseFailed
from ledgersync.sandbox.xero.query import guid_form, parse_where, sort_records


@dataclass(frozen=True)
class ListRules:
    """What one collection can be filtered on."""

    id_field: str
    search_fields: tuple[str, ...] = ()
    list_filters: tuple[tuple[str, str], ...] = ()  # (query parameter, field), comma lists
    archived_status: tuple[str, str] | None = None  # (status field, archived value)
    pageable: bool = True


def _csv(text: str) -> list[str]:
    return [part.strip().strip('"').casefold() for part in text.split(",") if part.strip()]


def _ids(text: str) -> list[str]:
    # Xero matches IDs given without dashes too: pyxero sends them so (UUID(x).hex in
    # basemanager._filter).
    return [guid_form(part) for part in _csv(text)]


def select(
    records: Iterable[dict],
    args: MultiDict,
    rules: ListRules,
    modified_since: str | None = None,
) -> list[dict]:
    """The records a GET asks for, in the order it asks for."""
    chosen = list(records)
    wanted_ids = _ids(args.get("IDs", "")) or _ids(args.get("ids", ""))
    if wanted_ids:
        chosen = [r for r in chosen if r[rules.id_field].casefold() in wanted_ids]
    for parameter, field in rules.list_filters:
        text = args.get(parameter, "")
        wanted = _ids(text) if field.endswith("ID") else _csv(text)
        if wanted:
            chosen = [r for r in chosen if str(fields.field(r, field) or "").casefold() in wanted]
    if (
        rules.archived_status
        and args.get("includeArchived", "").lower() != "true"
        and not wanted_ids
    ):
        status_field, archived = rules.archived_status
        chosen = [r for r in chosen if r.get(status_field) != archived]
    term = args.get("searchTerm", "").strip().casefold()
    if term:
        chosen = [
            r
            for r in chosen
            if any(term in str(r.get(f) or "").casefold() for f in rules.search_fields)
        ]
    if modified_since:
        since = _since(modified_since)
        chosen = [r for r in chosen if _as_utc(r.get("UpdatedDateUTC")) >= since]
    if args.get("where", "").strip():
        predicate = parse_where(args["where"], fields.field)
        chosen = [r for r in chosen if predicate(r)]
    if args.get("order", "").strip():
        chosen = sort_records(chosen, args["order"], fields.field)
    return chosen


def _since(text: str) -> datetime:
    """If-Modified-Since in ISO 8601 (xero-python sends ``datetime.isoformat()``) or in the
    HTTP date form of RFC 1123 (``Sat, 01 Mar 2025 09:00:00 GMT``, as pyxero sends it)."""
    value = text.strip().strip('"')
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise QueryParseFailed(f"The If-Modified-Since value '{text}' is not a date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _as_utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)


def page(
    records: list[dict],
    args: MultiDict,
    default_size: int,
    max_size: int,
    present: Callable[[dict], dict],
) -> tuple[list[dict], dict | None]:
    """One page and its ``pagination`` block; without ``page`` every record, unpaged."""
    if "page" not in args:
        return [present(r) for r in records], None
    number = _positive(args.get("page"), "page")
    size = min(_positive(args.get("pageSize", str(default_size)), "pageSize"), max_size)
    start = (number - 1) * size
    count = len(records)
    pagination = {
        "page": number,
        "pageSize": size,
        "pageCount": -(-count // size),
        "itemCount": count,
    }
    return [present(r) for r in records[start : start + size]], pagination


def _positive(text: str | None, name: str) -> int:
    try:
        value = int(text or "")
    except ValueError:
        raise QueryParseFailed(f"{name} must be a whole number") from None
    if value < 1:
        raise QueryParseFailed(f"{name} must be 1 or more")
    return value
