"""GET on a collection: filters, then the ``$items`` envelope with paging and attributes.

    {"$total", "$page", "$next", "$back", "$itemsPerPage", "$items": [...]}

Items carry only ``id``, ``displayed_as`` and ``$path`` unless ``attributes`` asks for more
(``all`` or a comma list). Nested entities (a contact's ``main_address``,
``main_contact_person``, ``delivery_address``) are such stubs too, even under
``attributes=all``, unless ``nested_attributes`` asks for their fields (``all`` or a comma
list): the recorded ``attributes=all`` list in DeskproApps/sage
(``testing/mocks/mockContacts.json``) and the swagger's "Specify the attributes that you want
to expose for nested entities". ``$next``/``$back`` are paths relative to /v3.1 carrying the
query; a page past the end answers the last page (reference/sage.md section 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from ledgersync.sandbox.sage.contacts import contact_types
from ledgersync.sandbox.sage.errors import SageError, item

DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 200
BASE_KEYS = ("id", "displayed_as", "$path")
Filter = Callable[[dict, str], bool]


def _bad(name: str, message: str) -> SageError:
    return SageError(422, [item("RecordInvalid", message, name)])


def _whole(args: MultiDict, name: str, default: int, low: int, high: int | None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(name, "is not a number") from None
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high else f"at least {low}"
        raise _bad(name, f"must be {limit}")
    return value


# A record's fields that hold another entity of their own (with its own ``$path``).
NESTED_ENTITIES = ("main_address", "main_contact_person", "delivery_address")


def _chosen(record: dict, attributes: str | None) -> dict:
    if not attributes:
        return {k: record[k] for k in BASE_KEYS}
    if attributes.strip().lower() == "all":
        return dict(record)
    wanted = {a.strip() for a in attributes.split(",") if a.strip()}
    keep = set(BASE_KEYS) | wanted
    if "links" in wanted:
        keep.add("_web")
    return {k: v for k, v in record.items() if k in keep}


def project(record: dict, attributes: str | None, nested: str | None = None) -> dict:
    """The record as a read shows it: ``attributes`` picks its fields, ``nested`` (the
    ``nested_attributes`` parameter) the fields of the entities nested in it."""
    shown = _chosen(record, attributes)
    for key in NESTED_ENTITIES:
        inner = shown.get(key)
        if isinstance(inner, dict) and all(k in inner for k in BASE_KEYS):
            shown[key] = _chosen(inner, nested)
    return shown


def envelope(
    path: str, records: list[dict], args: MultiDict, *, business_list: bool = False
) -> dict:
    per_page = _whole(args, "items_per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    total = len(records)
    last = max(1, -(-total // per_page))
    page = min(_whole(args, "page", 1, 1, None), last)
    chosen = records[(page - 1) * per_page : page * per_page]
    others = [(k, v) for k, v in args.items(multi=True) if k not in ("page", "items_per_page")]

    def link(target: int) -> str:
        return f"{path}?{urlencode([*others, ('page', target), ('items_per_page', per_page)])}"

    per_page_key = "$items_per_page" if business_list else "$itemsPerPage"
    return {
        "$total": total,
        "$page": page,
        "$next": link(page + 1) if page < last else None,
        "$back": link(page - 1) if page > 1 else None,
        per_page_key: per_page,
        "$items": [
            project(r, args.get("attributes"), args.get("nested_attributes")) for r in chosen
        ],
    }


def _contains(needle: str, *haystack: object) -> bool:
    needle = needle.casefold()
    return any(needle in str(h or "").casefold() for h in haystack)


def _on_or_after(record: dict, value: str) -> bool:
    return record["date"] >= date.fromisoformat(value[:10]).isoformat()


def _on_or_before(record: dict, value: str) -> bool:
    return record["date"] <= date.fromisoformat(value[:10]).isoformat()


def _person_email(record: dict, value: str) -> bool:
    return (record.get("email") or "").casefold() == value.casefold()


FILTERS: dict[str, dict[str, Filter]] = {
    "contacts": {
        "search": lambda r, v: _contains(v, r["name"], r["reference"]),
        "email": _person_email,
        "contact_type_id": lambda r, v: bool(contact_types(r) & {t.strip() for t in v.split(",")}),
        "exclude_system": lambda r, v: v.lower() != "true" or not r["system"],
        "filter_inactive_contacts": lambda r, v: v.lower() != "true" or r["is_active"],
    },
    "ledger_accounts": {
        "visible_in": lambda r, v: bool(r.get(f"visible_in_{v}")),
        "not_visible_in": lambda r, v: not r.get(f"visible_in_{v}"),
        "ledger_account_type_id": lambda r, v: r["ledger_account_type"]["id"] == v,
        "search": lambda r, v: _contains(v, r["nominal_code"], r["name"]),
    },
    "tax_rates": {"usage": lambda r, v: v in ("sales", "purchase")},
    "documents": {
        # "filter by the invoice reference or contact name" (swagger)
        "search": lambda r, v: _contains(v, r["reference"], r["displayed_as"], r["contact_name"]),
        "contact_id": lambda r, v: r["contact"]["id"] == v,
        "status_id": lambda r, v: r["status"]["id"] == v,
        "from_date": _on_or_after,
        "to_date": _on_or_before,
    },
}
ENUMS = {
    "visible_in": (
        "sales",
        "banking",
        "expenses",
        "other_payments",
        "other_receipts",
        "journals",
        "reporting",
    )
}
ENUMS["not_visible_in"] = ENUMS["visible_in"]


def _changed_since(record: dict, value: str) -> bool:
    """``updated_or_created_since``, inclusive (reference/sage.md section 2)."""
    since = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    if since.tzinfo is None:
        raise ValueError(value)
    stamp = datetime.fromisoformat(record["updated_at"].replace("Z", "+00:00"))
    return stamp >= since


# Filters every major list takes.
COMMON_FILTERS: dict[str, Filter] = {"updated_or_created_since": _changed_since}


def filtered(kind: str, records: Iterable[dict], args: MultiDict) -> list[dict]:
    checks = []
    for name, check in COMMON_FILTERS.items():
        value = args.get(name)
        if value:
            checks.append((check, value))
    for name, check in FILTERS.get(kind, {}).items():
        value = args.get(name)
        if value is None or value == "":
            continue
        if name in ENUMS and value not in ENUMS[name]:
            raise _bad(name, f"must be one of: {', '.join(ENUMS[name])}")
        checks.append((check, value))
    try:
        return [r for r in records if all(check(r, value) for check, value in checks)]
    except ValueError:
        raise _bad("date", "is not a valid date") from None
