"""Field checks shared by every QuickBooks entity, each raising the documented Fault."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.store import Company

PENNY = Decimal("0.01")
NAME_FORBIDDEN = (":", "\t", "\n")


def to_money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def without_blanks(data: dict) -> dict:
    """A request body with every ``""`` field left out, at any depth: QuickBooks reads an
    empty string as "not given" (a blank TxnDate becomes today). python-quickbooks sends ""
    for every field its objects leave unset (TxnDate, DueDate, ShipDate, TotalAmt, ...), and
    its users send those objects to the real service unchanged."""
    return {key: _unblanked(value) for key, value in data.items() if value != ""}


def _unblanked(value: object) -> object:
    if isinstance(value, dict):
        return without_blanks(value)
    if isinstance(value, list):
        return [_unblanked(item) for item in value]
    return value


def number(value: object, element: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise errors.invalid_number(element, value)
    try:
        result = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise errors.invalid_number(element, value) from None
    if not result.is_finite():
        raise errors.invalid_number(element, value)
    return result


def money(value: object, element: str) -> Decimal:
    amount = number(value, element)
    # Amounts are at most 15 digits in 10.5 format.
    if abs(amount) >= Decimal("1e10"):
        raise errors.invalid_number(element, value)
    return to_money(amount)


def text(data: dict, field: str, max_len: int, *, name_chars: bool = False) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if len(value) > max_len:
        raise errors.string_length(field, max_len, len(value))
    if name_chars and any(c in value for c in NAME_FORBIDDEN):
        raise errors.invalid_string(field)
    return value


def iso_date(data: dict, field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise errors.invalid_date(field, value) from None


def ref_id(data: dict, field: str) -> str | None:
    ref = data.get(field)
    if ref is None:
        return None
    value = ref.get("value") if isinstance(ref, dict) else ref
    return None if value in (None, "") else str(value)


def referenced(company: Company, entity: str, record_id: str, list_name: str) -> dict:
    """The record a Ref points at: 2500 when it does not exist, 610 when inactive."""
    record = company.get(entity, record_id)
    if record is None:
        raise errors.invalid_reference(list_name, record_id)
    if record.get("Active") is False:
        raise errors.inactive_reference()
    return record


def sync_token_ok(existing: dict, data: dict) -> None:
    token = data.get("SyncToken")
    if token is None:
        raise errors.required("SyncToken")
    if str(token) != existing["SyncToken"]:
        raise errors.stale_object()


def same_name(a: str, b: str, *, case_insensitive: bool) -> bool:
    a, b = a.strip(), b.strip()
    return a.casefold() == b.casefold() if case_insensitive else a == b
