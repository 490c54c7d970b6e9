"""In-memory QuickBooks companies (realms): records by entity and Id, Id sequences,
deleted-record tombstones and stored ``requestid`` replies.

Records are kept in their wire shape (money as Decimal). Ids are numeric strings drawn
from QuickBooks-like sequences: customers, vendors and employees share one ("names"),
as do all transactions, so an Invoice and a Bill never share an Id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ledgersync.sandbox.core.replay import Reply
from ledgersync.sandbox.core.webhooks import Webhooks

SEQUENCE = {
    "Customer": "names",
    "Vendor": "names",
    "Employee": "names",
    "Invoice": "txns",
    "CreditMemo": "txns",
    "Bill": "txns",
    "Payment": "txns",
    "BillPayment": "txns",
    "Account": "accounts",
    "Item": "items",
    "TaxCode": "taxcodes",
    "TaxRate": "taxrates",
    # Tracking lists: classes, and locations (the Department entity; "Location" in the UI).
    "Class": "classes",
    "Department": "departments",
    "PhysicalAddress": "addresses",
}
ENTITIES = {
    name.lower(): name
    # SalesReceipt is known (queries answer empty) but not writable in the sandbox.
    for name in [*SEQUENCE, "CompanyInfo", "Preferences", "SalesReceipt"]
    if name != "PhysicalAddress"
}
NAME_LISTS = ("Customer", "Vendor", "Employee")


@dataclass
class Company:
    realm_id: str
    name: str
    country: str  # "GB" or "US": decides the tax model
    timezone: str
    now: Callable[[], datetime]
    lock: threading.RLock = field(default_factory=threading.RLock)
    records: dict[str, dict[str, dict]] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    tombstones: list[dict] = field(default_factory=list)
    replies: dict[str, Reply] = field(default_factory=dict)
    # The app's webhook sender, set once seeding is done (seed data sends none).
    webhooks: Webhooks | None = None
    # entity -> DocNumber (case folded) -> record ids: a write's duplicate check looks one
    # number up rather than reading every record (QuickBooks answers it the same at 100,000).
    _numbers: dict[str, dict[str, set[str]]] = field(default_factory=dict, repr=False)
    _counted: dict[str, int] = field(default_factory=dict, repr=False)  # records put, by entity

    @property
    def is_us(self) -> bool:
        return self.country == "US"

    @property
    def currency(self) -> dict:
        if self.is_us:
            return {"value": "USD", "name": "United States Dollar"}
        return {"value": "GBP", "name": "British Pound Sterling"}

    def local_now(self) -> datetime:
        return self.now().astimezone(ZoneInfo(self.timezone))

    def stamp(self) -> str:
        """A MetaData time: ISO with the company's local offset, whole seconds."""
        return self.local_now().isoformat(timespec="seconds")

    def response_time(self) -> str:
        return self.local_now().isoformat(timespec="milliseconds")

    def today(self) -> str:
        return self.local_now().date().isoformat()

    def get(self, entity: str, record_id: object) -> dict | None:
        return self.records.get(entity, {}).get(str(record_id))

    def existing(self, entity: str, record_id: object) -> dict:
        """A record the caller knows is there (the seed's, or one validated earlier)."""
        return self.records[entity][str(record_id)]

    def all(self, entity: str) -> list[dict]:
        return list(self.records.get(entity, {}).values())

    def next_id(self, entity: str) -> str:
        sequence = SEQUENCE[entity]
        self.sequences[sequence] = self.sequences.get(sequence, 0) + 1
        return str(self.sequences[sequence])

    def put(self, entity: str, record: dict) -> dict:
        records = self.records.setdefault(entity, {})
        self._unindex(entity, records.get(record["Id"]))
        known = self._counted.get(entity, 0) == len(records)
        records[record["Id"]] = record
        self._index(entity, record)
        if known:
            self._counted[entity] = len(records)
        return record

    def remove(self, entity: str, record_id: str) -> None:
        records = self.records.get(entity, {})
        known = self._counted.get(entity, 0) == len(records)
        self._unindex(entity, records.pop(record_id, None))
        if known:
            self._counted[entity] = len(records)
        self.tombstones.append(
            {"entity": entity, "Id": record_id, "LastUpdatedTime": self.stamp(), "at": self.now()}
        )

    def numbered(self, entity: str, number: str) -> list[dict]:
        """The records of ``entity`` whose DocNumber is ``number``, case ignored."""
        records = self.records.get(entity, {})
        if self._counted.get(entity, 0) != len(records):  # written around put: read afresh
            self._numbers[entity] = {}
            for record in records.values():
                self._index(entity, record)
            self._counted[entity] = len(records)
        wanted = number.casefold()
        found = (records.get(pk) for pk in self._numbers.get(entity, {}).get(wanted, ()))
        same = [r for r in found if r and str(r.get("DocNumber", "")).casefold() == wanted]
        return sorted(same, key=lambda r: (len(r["Id"]), r["Id"]))  # oldest first

    def _index(self, entity: str, record: dict | None) -> None:
        if record is not None and record.get("DocNumber"):
            numbers = self._numbers.setdefault(entity, {})
            numbers.setdefault(str(record["DocNumber"]).casefold(), set()).add(record["Id"])

    def _unindex(self, entity: str, record: dict | None) -> None:
        if record is not None and record.get("DocNumber"):
            ids = self._numbers.get(entity, {}).get(str(record["DocNumber"]).casefold())
            if ids is not None:
                ids.discard(record["Id"])


def envelope(record_id: str, sync_token: str, body: dict, meta: dict) -> dict:
    """Id, SyncToken, domain and sparse first, MetaData last, as QuickBooks orders them."""
    return {
        "Id": record_id,
        "SyncToken": sync_token,
        "domain": "QBO",
        "sparse": False,
        **body,
        "MetaData": meta,
    }


def ref(record: dict, name_field: str = "DisplayName") -> dict:
    return {"value": record["Id"], "name": record.get(name_field) or record.get("Name", "")}
