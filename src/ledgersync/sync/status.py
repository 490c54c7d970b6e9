"""Why a document has not synced: one enum, and the words a person can act on.

The checks (1-7 of DESIGN.md) produce the first seven families; the push itself produces
the rest. Messages are built here and nowhere else, so the grid, the popup, the API and the
audit log all say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class StatusCode(models.TextChoices):
    NOT_SENT = "NOT_SENT", "Not marked as sent"
    ACCOUNT_NOT_LINKED = "ACCOUNT_NOT_LINKED", "Account not linked"
    ACCOUNT_ID_INVALID = "ACCOUNT_ID_INVALID", "AccsID not correct"
    CARE_OF_NOT_LINKED = "CARE_OF_NOT_LINKED", "Care-of account not linked"
    DUPLICATE_NUMBER = "DUPLICATE_NUMBER", "Number already used"
    NOMINAL_MISSING = "NOMINAL_MISSING", "Nominal code missing"
    NOMINAL_NO_TAX = "NOMINAL_NO_TAX", "Nominal code has no tax rate"
    BLANK_LINE = "BLANK_LINE", "Blank line"
    SYNCED = "SYNCED", "Synced"
    REJECTED = "REJECTED", "Rejected by the package"
    UNCERTAIN = "UNCERTAIN", "Waiting to confirm"
    RATE_LIMITED = "RATE_LIMITED", "Waiting for the package"
    NOT_CONNECTED = "NOT_CONNECTED", "Not connected"
    RELINK_NEEDED = "RELINK_NEEDED", "Relink needed"

    @property
    def check_number(self) -> int | None:
        return CHECK_NUMBERS.get(self)


CHECK_NUMBERS = {
    StatusCode.NOT_SENT: 1,
    StatusCode.ACCOUNT_NOT_LINKED: 2,
    StatusCode.ACCOUNT_ID_INVALID: 2,
    StatusCode.CARE_OF_NOT_LINKED: 3,
    StatusCode.DUPLICATE_NUMBER: 4,
    StatusCode.NOMINAL_MISSING: 5,
    StatusCode.NOMINAL_NO_TAX: 6,
    StatusCode.BLANK_LINE: 7,
}

# What the user does about each code (docs/sync.md says the same at more length).
REMEDIES = {
    StatusCode.NOT_SENT: "Email the invoice, or open its Print dialogue and set Sent to Yes.",
    StatusCode.ACCOUNT_NOT_LINKED: "Open the row: Link This, pick a suggestion, or Create New.",
    StatusCode.ACCOUNT_ID_INVALID: "Clear the AccsID on the account record, or type the right one.",
    StatusCode.CARE_OF_NOT_LINKED: "Open the row and link the care-of account.",
    StatusCode.DUPLICATE_NUMBER: "The number is taken in the package: check the package and "
    "renumber or remove one of them.",
    StatusCode.NOMINAL_MISSING: "Add the nominal code to the package's chart of accounts, or "
    "change the line's nominal code.",
    StatusCode.NOMINAL_NO_TAX: "Give the account a default tax rate in the package, or set a "
    "tax code on the line.",
    StatusCode.BLANK_LINE: "Give every line some text.",
    StatusCode.REJECTED: "Fix what the package says, then Sync again.",
    StatusCode.UNCERTAIN: "Nothing to do: ledgersync checks the package before sending again.",
    StatusCode.RATE_LIMITED: "Nothing to do: ledgersync waits and tries again.",
    StatusCode.NOT_CONNECTED: "Connect to your accounting package.",
    StatusCode.RELINK_NEEDED: "Connect again: the package no longer accepts ledgersync's access.",
}


@dataclass(frozen=True)
class Failure:
    """One reason a document cannot go (yet)."""

    code: StatusCode
    message: str

    def as_json(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Failure:
        return cls(StatusCode(data["code"]), data["message"])

    @property
    def remedy(self) -> str:
        return REMEDIES.get(self.code, "")


NOT_SENT_MESSAGE = "Cannot sync until marked as sent."

# Shown for a queued document that no run has checked yet (it has no status code).
NOT_CHECKED = "NOT_CHECKED"


def party_label(party, *, supplier: bool) -> str:
    return f"{'Supplier' if supplier else 'Customer Account'} '{party.name}' ({party.number})"
