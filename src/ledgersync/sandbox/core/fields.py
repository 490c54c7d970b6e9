"""A field of a provider record named by a dotted path, as the providers' query languages
name them (QuickBooks ``CustomerRef``, Xero ``Contact.ContactID``): any case, and an absent
step reads as null rather than failing the query."""

from __future__ import annotations

from typing import Any


def field(record: dict, path: str) -> Any:
    """The value at ``path`` in ``record`` (names matched case-insensitively), else None."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        match = next((k for k in value if k.casefold() == part.casefold()), None)
        if match is None:
            return None
        value = value[match]
    return value
