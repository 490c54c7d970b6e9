"""The shape of a GUID, checked on both sides of the Xero wire: by the connector before it
asks for a typed AccsID and by the sandbox before it looks one up."""

from __future__ import annotations

import uuid


def is_guid(value: object) -> bool:
    """True for a 36-character GUID string (8-4-4-4-12 hex digits)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
