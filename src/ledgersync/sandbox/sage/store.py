"""In-memory Sage businesses: records by collection and id, number sequences and stored
``idempotency_id`` replies.

Records are kept in their wire shape with money as Decimal; keys starting with ``_`` are
the sandbox's own bookkeeping (e.g. a contact's legacy numeric web id) and never leave it.
Ids are 32 lowercase hex digits derived from the business and a counter, so a reset
gives the same ids again.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgersync.sandbox.core.replay import Reply

NAMESPACE = uuid.UUID("0b7e7a52-5d1f-4c1e-9a43-3f0c2a7d5e11")
FIRST_LEGACY_CONTACT_ID = 145570473  # the web app's numeric contact ids look like this
GBP = {"id": "GBP", "displayed_as": "Pound Sterling (GBP)", "$path": "/currencies/GBP"}
COLLECTIONS = (
    "contacts",
    "ledger_accounts",
    "tax_rates",
    "sales_invoices",
    "sales_credit_notes",
    "purchase_invoices",
    "contact_payments",
    "bank_accounts",
)


def hex_id(*parts: object) -> str:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)).hex


def business_id(name: str) -> str:
    return hex_id("business", name)


@dataclass
class Business:
    id: str
    name: str
    now: Callable[[], datetime]
    lock: threading.RLock = field(default_factory=threading.RLock)
    records: dict[str, dict[str, dict]] = field(
        default_factory=lambda: {c: {} for c in COLLECTIONS}
    )
    counters: dict[str, int] = field(default_factory=dict)
    replies: dict[str, Reply] = field(default_factory=dict)
    address: dict[str, str] = field(default_factory=dict)

    def next(self, sequence: str, start: int = 1) -> int:
        value = self.counters.get(sequence, start - 1) + 1
        self.counters[sequence] = value
        return value

    def new_id(self, collection: str) -> str:
        return hex_id(self.id, collection, self.next(f"id:{collection}"))

    def stamp(self) -> str:
        return self.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def today(self) -> str:
        return self.now().date().isoformat()

    def get(self, collection: str, record_id: object) -> dict | None:
        return self.records[collection].get(str(record_id))

    def all(self, collection: str) -> list[dict]:
        return list(self.records[collection].values())

    def add(self, collection: str, record: dict) -> dict:
        self.records[collection][record["id"]] = record
        return record

    def base(self, collection: str, record: dict) -> dict:
        """The ``{id, displayed_as, $path}`` link Sage puts wherever one record names another."""
        return {
            "id": record["id"],
            "displayed_as": record["displayed_as"],
            "$path": f"/{collection}/{record['id']}",
        }

    def stamped(self, collection: str, record_id: str, displayed_as: str, body: dict) -> dict:
        """id, displayed_as and $path first, then the timestamps, as Sage orders them."""
        now = self.stamp()
        return {
            "id": record_id,
            "displayed_as": displayed_as,
            "$path": f"/{collection}/{record_id}",
            "created_at": now,
            "updated_at": now,
            **body,
        }


def sage_decimal(value: Decimal) -> str:
    """Sage's decimal strings: no trailing zeros, but always a fractional part ("150.0")."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def present(value: Any, web_root: str) -> Any:
    """A record as it goes on the wire: decimals as strings, bookkeeping keys dropped and
    web links (``_web``) made absolute on this sandbox's own root."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "_web":
                out["links"] = [
                    {"href": f"{web_root}{path}", "rel": rel, "type": "text/html"}
                    for rel, path in item
                ]
            elif not key.startswith("_"):
                out[key] = present(item, web_root)
        return out
    if isinstance(value, list):
        return [present(v, web_root) for v in value]
    if isinstance(value, Decimal):
        return sage_decimal(value)
    return value
