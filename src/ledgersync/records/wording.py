"""The words for a mistake in what someone typed, sent or imported: one home for them.

A field is named the way the form names it ("Unit price on line 2", never
``lines[2].unit_price``) and a value that has the wrong shape gets an example of the right
one ("Unit price on line 2 must be a number, for example 12.50"). records/services.py and
records/parties.py write their refusals with these helpers; the importer
(records/importing.py) and the REST API (api/errors.py) turn pydantic's refusals into the
same sentences with ``explain``; the web form shows the services' words on its lines. The
machine path (``lines[2].unit_price``, positions from 1) stays what the API returns as
``field`` and what the importer reports as a row's field: programs branch on it; people
read the message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Field names as the forms and docs/import.md say them; any other name reads with its
# underscores as spaces ("sent_via" -> "Sent via").
LABELS = {
    "type": "Type",
    "number": "Number",
    "account": "Account",
    "supplier": "Supplier",
    "care_of": "Care of",
    "issue_date": "Issue date",
    "due_date": "Due date",
    "currency": "Currency",
    "reference": "Reference",
    "external_ref": "External ref",
    "sent_via": "Sent via",
    "mark_for_sync": "Mark for sync",
    "prices_include_vat": "Prices include VAT",
    "supplier_vat": "Supplier's VAT",
    "lines": "Lines",
    "text": "Text",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "nominal": "Nominal code",
    "tax_code": "Tax code",
    "name": "Name",
    "email": "Email",
    "phone": "Phone",
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "city": "Town",
    "region": "County or region",
    "postcode": "Postcode",
    "country": "Country",
    "vat_number": "VAT number",
    "kind": "Kind",
    "company": "Company",
    "code": "Code",
    "description": "Description",
    "rate": "Rate",
    "default_tax_code": "Default tax code",
    "accs_id": "AccsID",
    "limit": "Limit",
    "offset": "Offset",
}

# "For example" hints: by field first, then by the kind of value the field holds.
FIELD_EXAMPLES = {
    "unit_price": "12.50",
    "quantity": "2",
    "rate": "20",
    "issue_date": "2026-11-26",
    "due_date": "2026-12-26",
    "currency": "GBP",
    "country": "GB",
    "email": "accounts@example.com",
}
KIND_EXAMPLES = {"number": "12.50", "whole number": "5", "date": "2026-11-26"}
# Fields whose shape is a code of letters: what the code is, for "must be ..." sentences.
CODE_SHAPES = {"country": "a two-letter country code", "currency": "a three-letter currency code"}

_PART = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def _label_of(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def _singular(name: str) -> str:
    return _label_of(name).lower().removesuffix("s")


def label(field: str | None) -> str:
    """``lines[2].unit_price`` -> "Unit price on line 2"; ``lines[2]`` -> "Line 2";
    ``issue_date`` -> "Issue date"; None or "" -> "This"."""
    if not field:
        return "This"
    parts = [(m.group(1), re.findall(r"\d+", m.group(2))) for m in _PART.finditer(field)]
    if not parts:
        return "This"
    name, indexes = parts[-1]
    if indexes:  # the item itself: "Line 2"
        words = f"{_singular(name).capitalize()} {indexes[-1]}"
    else:
        words = _label_of(name)
    where = [f"{_singular(outer)} {pos[-1]}" for outer, pos in reversed(parts[:-1]) if pos]
    return f"{words} on {', '.join(where)}" if where else words


def example(field: str | None, kind: str = "") -> str | None:
    """The "for example" value for a field, or for the kind of value it holds."""
    name = _last_name(field)
    return FIELD_EXAMPLES.get(name) or KIND_EXAMPLES.get(kind)


def _last_name(field: str | None) -> str:
    names = [m.group(1) for m in _PART.finditer(field or "")]
    return names[-1] if names else ""


def _for_example(field: str | None, kind: str) -> str:
    hint = example(field, kind)
    return f", for example {hint}" if hint else ""


def must_be_number(field: str, *, whole: bool = False) -> str:
    kind = "whole number" if whole else "number"
    return f"{label(field)} must be a {kind}{_for_example(field, kind)}"


def must_be_date(field: str) -> str:
    return f"{label(field)} must be a date{_for_example(field, 'date')}"


def required(field: str) -> str:
    return f"{label(field)} is required"


def too_long(field: str, limit: int) -> str:
    return f"{label(field)} may be at most {limit} characters"


def field_path(loc: tuple | list) -> str | None:
    """pydantic's location as the machine path: ("lines", 1, "unit_price") ->
    ``lines[2].unit_price`` (positions count from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def explain(error: Mapping[str, Any], field: str | None) -> str:
    """One of pydantic's refusals (an item of ``ValidationError.errors()``) as a sentence,
    for the input at ``field`` (its machine path, see ``field_path``)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    name = label(field)
    if kind == "missing":
        return required(field or "")
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type"):
        return must_be_number(field or "")
    if kind in ("finite_number",):
        return must_be_number(field or "")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return must_be_number(field or "", whole=True)
    if kind == "decimal_max_places":
        return f"{name} may have at most {ctx.get('decimal_places')} decimal places"
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return f"{name} is too large"
    if kind.startswith("date") or kind.startswith("datetime"):
        return must_be_date(field or "")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"{name} must not be blank"
        return f"{name} must be at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return too_long(field or "", int(ctx.get("max_length", 0)))
    if kind == "string_pattern_mismatch":
        return _pattern_words(field, str(ctx.get("pattern", "")))
    if kind == "string_type":
        return f"{name} must be text"
    if kind in ("enum", "literal_error"):
        return f"{name} must be one of {ctx.get('expected')}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} must be true or false"
    if kind == "too_short":
        if _last_name(field) == "lines":
            return "A document needs at least one line"
        return f"{name} needs at least {ctx.get('min_length')}"
    if kind == "too_long":
        if _last_name(field) == "lines":
            return f"A document may have at most {ctx.get('max_length')} lines"
        return f"{name} may hold at most {ctx.get('max_length')}"
    if kind in ("list_type", "tuple_type"):
        return f"{name} must be a list"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{name} must be an object"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _bound_words(name, kind, ctx)
    if kind == "extra_forbidden":
        return f"{name} is not a field here"
    if kind == "value_error":
        message = _sentence(str(error.get("msg", "")).removeprefix("Value error, "))
        # A whole item's refusal ("Line 2") says which item; a field's names itself.
        return f"{name}: {message}" if field and field.endswith("]") else message
    return f"{name} is not valid{_for_example(field, '')}"


def _pattern_words(field: str | None, pattern: str) -> str:
    name = label(field)
    shape = CODE_SHAPES.get(_last_name(field))
    if shape:
        return f"{name} must be {shape}{_for_example(field, '')}"
    if "\\x1f" in pattern:
        return f"{name} must not hold control characters such as tabs or line breaks"
    if "\\x00" in pattern:
        return f"{name} must not hold NUL characters"
    return f"{name} is not valid{_for_example(field, '')}"


def _bound_words(name: str, kind: str, ctx: Mapping[str, Any]) -> str:
    words = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
    }
    phrase, key = words[kind]
    return f"{name} must be {phrase} {ctx.get(key)}"
