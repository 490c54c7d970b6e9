"""In-memory Xero organisations: records by id, number sequences and stored
``Idempotency-Key`` replies.

Records keep Xero's field names with Python values inside (``Decimal`` money, ``date``
and ``datetime``); ``render`` turns one into wire JSON (MS-JSON dates, the ``...String``
twins Xero adds) on the way out.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ledgersync.sandbox.core.replay import Reply
from ledgersync.sandbox.core.webhooks import Webhooks
from ledgersync.sandbox.xero import wire
from ledgersync.sandbox.xero.settings import XeroSettings

# Seeded ids are uuid5 of a name under this namespace, so a reset gives the same ids.
SEED_NAMESPACE = uuid.UUID("3f0b8a52-6c1e-4d7a-9b2f-5e8c4a1d7f30")
# Fields written with a ...String twin in the answer (reference/xero.md section 2).
_STRING_TWINS = {"Date", "DueDate", "UpdatedDateUTC"}


def seed_id(*parts: str) -> str:
    return str(uuid.uuid5(SEED_NAMESPACE, ":".join(parts)))


@dataclass
class Organisation:
    tenant_id: str
    name: str
    short_code: str
    created: datetime
    now: Callable[[], datetime]
    lock: threading.RLock = field(default_factory=threading.RLock)
    contacts: dict[str, dict] = field(default_factory=dict)
    accounts: dict[str, dict] = field(default_factory=dict)
    tax_rates: dict[str, dict] = field(default_factory=dict)  # by TaxType
    invoices: dict[str, dict] = field(default_factory=dict)
    credit_notes: dict[str, dict] = field(default_factory=dict)
    payments: dict[str, dict] = field(default_factory=dict)
    # By TrackingCategoryID: {TrackingCategoryID, Name, Status, Options: [{TrackingOptionID,
    # Name, Status}]} (xero-accounting.yaml TrackingCategory / TrackingOption).
    tracking_categories: dict[str, dict] = field(default_factory=dict)
    replies: dict[tuple[str, str, str], Reply] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    # The sandbox's behaviour switches, shared with the app (what a supplied TaxAmount does).
    settings: XeroSettings = field(default_factory=XeroSettings)
    # The app's webhook sender, set once seeding is done (seed data sends none).
    webhooks: Webhooks | None = None

    def today(self) -> date:
        return self.now().date()

    def account_by_code(self, code: str) -> dict | None:
        wanted = code.strip().casefold()
        for account in self.accounts.values():
            if account["Status"] == "ACTIVE" and account["Code"].casefold() == wanted:
                return account
        return None

    def tracking_category_named(self, name: str) -> dict | None:
        """The active category with this name (case ignored), as Xero matches a line's."""
        wanted = name.strip().casefold()
        for category in self.tracking_categories.values():
            if category["Status"] == "ACTIVE" and category["Name"].strip().casefold() == wanted:
                return category
        return None

    def active_contact_named(self, name: str, *, other_than: str | None = None) -> dict | None:
        wanted = name.strip().casefold()
        for contact in self.contacts.values():
            if (
                contact["ContactStatus"] == "ACTIVE"
                and contact["Name"].strip().casefold() == wanted
                and contact["ContactID"] != other_than
            ):
                return contact
        return None

    def next_number(self, prefix: str) -> str:
        """Xero's own numbering for a document sent without one (INV-0001, CN-0001)."""
        self.sequences[prefix] = self.sequences.get(prefix, 0) + 1
        return f"{prefix}-{self.sequences[prefix]:04d}"


def render(record: dict, unitdp: int = 2) -> dict:
    """A record as Xero writes it: dates as MS-JSON, unit amounts at ``unitdp`` places."""
    out: dict = {}
    for key, value in record.items():
        if key.startswith("_"):
            continue  # sandbox bookkeeping, never on the wire
        if isinstance(value, datetime | date):
            out[key] = wire.ms_date(value)
            if key in _STRING_TWINS:
                twin = wire.utc_string(value) if isinstance(value, datetime) else None
                out[f"{key}String"] = twin or wire.date_string(value)
        elif key == "UnitAmount" and isinstance(value, Decimal):
            out[key] = value.quantize(Decimal(1).scaleb(-unitdp), rounding=ROUND_HALF_UP)
        elif isinstance(value, dict):
            out[key] = render(value, unitdp)
        elif isinstance(value, list):
            out[key] = [render(v, unitdp) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out
