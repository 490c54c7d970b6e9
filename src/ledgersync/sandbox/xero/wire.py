"""Xero's JSON conventions: MS-JSON dates out, ``YYYY-MM-DD`` in, the response envelope,
money rounded the way Xero rounds it, and XML request bodies read into the same shape."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.etree.ElementTree import Element  # noqa: S405 (only the type; parsing is defusedxml)

from defusedxml import ElementTree as SafeTree

CENT = Decimal("0.01")
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


class BadValue(ValueError):
    """A request value Xero could not read (its PostDataInvalidException)."""


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ms(moment: datetime | date) -> int:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), UTC)
    return int(moment.timestamp() * 1000)


def ms_date(moment: datetime | date) -> str:
    """``/Date(1552262400000+0000)/``: how Xero writes dates and timestamps."""
    return f"/Date({ms(moment)}+0000)/"


def ms_stamp(moment: datetime) -> str:
    """``/Date(1552326816230)/``: the envelope's DateTimeUTC carries no offset."""
    return f"/Date({ms(moment)})/"


def date_string(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def utc_string(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def parse_date(value: Any) -> date:
    """A date as clients send it: ``2026-07-01``, ``2026-07-01T00:00:00`` or MS-JSON."""
    if isinstance(value, str):
        text = value.strip()
        found = _MS_DATE.match(text)
        if found:
            return datetime.fromtimestamp(int(found.group(1)) / 1000, UTC).date()
        if _ISO.match(text):
            try:
                return datetime.fromisoformat(text).date()
            except ValueError:
                pass
    raise BadValue(f"The string '{value}' is not a valid AllXsd value.")


def parse_decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise BadValue(f"Input string '{value}' for {name} was not in a correct format.")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise BadValue(f"Input string '{value}' for {name} was not in a correct format.") from None


def envelope(provider_name: str, now: datetime, collection: str, items: list, **extra: Any) -> dict:
    """``{"Id", "Status", "ProviderName", "DateTimeUTC", ...extra, collection: items}``."""
    return {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": provider_name,
        "DateTimeUTC": ms_stamp(now),
        **extra,
        collection: items,
    }


# Element names that hold a list although they do not end in "s" (pyxero's singular()).
_LIST_ELEMENTS = {"Tracking": "TrackingCategory"}


def read_xml(raw: bytes) -> Any:
    """An XML body as the JSON one would be: ``<Invoices><Invoice>...`` becomes
    ``{"Invoices": [...]}``, a bare ``<Invoice>`` one element, a plural element holding its
    singular children a list, and leaves their text. pyxero writes every PUT and POST so
    (basemanager.dict_to_xml); Xero takes XML as well as JSON."""
    root = SafeTree.fromstring(raw)
    value = _xml_value(root)
    children = list(root)
    if children and _is_list(root, children):
        return {root.tag: value}
    return value


def _is_list(element: Element, children: list[Element]) -> bool:
    tags = {child.tag for child in children}
    if len(tags) != 1:
        return False
    (tag,) = tags
    return _LIST_ELEMENTS.get(element.tag) == tag or (
        element.tag.endswith("s") and element.tag.startswith(tag) and element.tag != tag
    )


def _xml_value(element: Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    if _is_list(element, children):
        return [_xml_value(child) for child in children]
    return {child.tag: _xml_value(child) for child in children}
