"""Why a document has not synced: one enum, and the words a person can act on.

The checks (1-7 of DESIGN.md) produce the first seven families; the push itself produces
the rest. Messages are built here and nowhere else, so the grid, the popup, the API, the
command line and the audit log all say the same thing.

Trouble with the package is decided once, in ``RULES``: the error's class names its status
code, its sentence (with the package's display name) and the API's answer. Everything else
asks ``failure_for(error, provider_name)`` or ``rule_for(error)``::

    error class        status code          API answer
    NotConnected       NOT_CONNECTED        409 not_connected
    AuthError          RELINK_NEEDED        409 relink_needed
    RateLimited        RATE_LIMITED         429 provider_rate_limited (+ Retry-After)
    RetriableError     RATE_LIMITED         502 provider_unavailable
    UncertainError     UNCERTAIN            502 provider_unavailable
    InvalidAccsId      ACCOUNT_ID_INVALID   422 provider_rejected
    ProviderError      REJECTED             422 provider_rejected
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils import timezone

from ledgersync.providers.errors import (
    AuthError,
    InvalidAccsId,
    ProviderError,
    RateLimited,
    RetriableError,
    UncertainError,
)


class StatusCode(models.TextChoices):
    NOT_SENT = "NOT_SENT", "Not marked as sent"
    ACCOUNT_NOT_LINKED = "ACCOUNT_NOT_LINKED", "Account not linked"
    ACCOUNT_ID_INVALID = "ACCOUNT_ID_INVALID", "AccsID not correct"
    CARE_OF_NOT_LINKED = "CARE_OF_NOT_LINKED", "Care-of account not linked"
    DUPLICATE_NUMBER = "DUPLICATE_NUMBER", "Number already used"
    NOMINAL_MISSING = "NOMINAL_MISSING", "Nominal code missing"
    NOMINAL_NO_TAX = "NOMINAL_NO_TAX", "Nominal code has no tax rate"
    BLANK_LINE = "BLANK_LINE", "Blank line"
    # Only where a connection maps tracking (sync/tracking.py); not one of DESIGN.md's seven.
    TRACKING_MISSING = "TRACKING_MISSING", "Tracking option missing"
    SYNCED = "SYNCED", "Synced"
    TOTAL_MISMATCH = "TOTAL_MISMATCH", "Package figures differ"
    EXTRA_COPY = "EXTRA_COPY", "Extra copy in the package"
    # Voided (or deleted, where the package has no void for it) after it synced, from here.
    VOIDED = "VOIDED", "Voided in the package"
    REJECTED = "REJECTED", "Rejected by the package"
    UNCERTAIN = "UNCERTAIN", "Waiting to confirm"
    RATE_LIMITED = "RATE_LIMITED", "Waiting for the package"
    NOT_CONNECTED = "NOT_CONNECTED", "Not connected"
    RELINK_NEEDED = "RELINK_NEEDED", "Relink needed"
    # A check that needs the package's data, while ledgersync is still reading it.
    CHECKING = "CHECKING", "Being checked"

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
    StatusCode.NOMINAL_MISSING: "Add the nominal code to the package's chart of accounts, map "
    "it to one of the package's accounts on Nominal mapping, or change the line's nominal code.",
    StatusCode.NOMINAL_NO_TAX: "Give the account a default tax rate in the package, or set a "
    "tax code on the line.",
    StatusCode.BLANK_LINE: "Give every line some text.",
    StatusCode.TRACKING_MISSING: "Create it in the package (then press Refresh on the Sync "
    "page), or change the document's value; or stop booking it in the connection's tracking "
    "settings.",
    StatusCode.TOTAL_MISMATCH: "It is in the package, with other figures: correct it there and "
    "press Check again on the document's page, or press Accept to keep the package's figures. "
    "It is never sent again.",
    StatusCode.EXTRA_COPY: "The package holds it twice (an unanswered send landed late) and "
    "ledgersync could not remove the extra copy: remove the copy named here in the package, "
    "then press Check again on the document's page. It is never sent again.",
    StatusCode.VOIDED: "Nothing: it is voided in the package and never sent again. Make a new "
    "document if the work is still to be charged.",
    StatusCode.REJECTED: "Fix what the package says, then Sync again.",
    StatusCode.UNCERTAIN: "Nothing to do: ledgersync checks the package before sending again.",
    StatusCode.RATE_LIMITED: "Nothing to do: ledgersync waits and tries again.",
    StatusCode.NOT_CONNECTED: "Connect to your accounting package.",
    StatusCode.RELINK_NEEDED: "Connect again: the package no longer accepts ledgersync's access.",
    StatusCode.CHECKING: "Nothing to do: the row updates as soon as the package's data is read.",
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


# The words of checks 1-7 (DESIGN.md gives an example of each); check_failure fills them in.
CHECK_TEMPLATES = {
    StatusCode.NOT_SENT: "Cannot sync until marked as sent.",
    StatusCode.ACCOUNT_NOT_LINKED: "{party} does not exist in {provider}",
    StatusCode.ACCOUNT_ID_INVALID: (
        "AccountsID ({accs_id}) is not correct, {provider} requires the ID of an existing {noun}"
    ),
    StatusCode.CARE_OF_NOT_LINKED: (
        "Care of account '{name}' ({number}) is not linked to {provider}"
    ),
    StatusCode.DUPLICATE_NUMBER: "{label} {number} already exists in {provider}",
    StatusCode.NOMINAL_MISSING: "Nominal code {code} (line {line}) does not exist in {provider}",
    StatusCode.NOMINAL_NO_TAX: "Nominal code {code} has no tax rate in {provider}",
    StatusCode.BLANK_LINE: "Line {line} has no text",
    # what: "Class 'J-1001'", "Location 'Bristol'", "Tracking option 'J-1001' of 'Job'",
    # "Tracking category 'Job'"; field: "job", "site" or "department".
    StatusCode.TRACKING_MISSING: (
        "{what} (the document's {field}) does not exist in {provider}: create it there "
        "or change the document's {field}"
    ),
}
NOT_SENT_MESSAGE = CHECK_TEMPLATES[StatusCode.NOT_SENT]


def check_failure(status_code: StatusCode, /, **values: object) -> Failure:
    """A failed check in its words: ``check_failure(StatusCode.BLANK_LINE, line=3)``."""
    return Failure(status_code, CHECK_TEMPLATES[status_code].format(**values))


# The package holds a copy of a document with one of these codes: it is never sent again, and
# it cannot change here. Only SYNCED counts as synced; the others wait for a person.
WAITS_FOR_PERSON = (StatusCode.TOTAL_MISMATCH, StatusCode.EXTRA_COPY)
HOLDS_REMOTE_COPY = (StatusCode.SYNCED, StatusCode.VOIDED, *WAITS_FOR_PERSON)

# A queued document that cannot go now and needs someone to look (the error centre): a failed
# check, a refusal or trouble with the package, or a copy in the package waiting for a person.
# Not SYNCED (gone), not CHECKING (not judged yet), and a blank code is READY or NOT_CHECKED.
# In StatusCode's order: the checks in the order they run, then what the push ended in.
NEEDS_ATTENTION = tuple(
    code
    for code in StatusCode
    if code not in (StatusCode.SYNCED, StatusCode.VOIDED, StatusCode.CHECKING)
)


@dataclass(frozen=True)
class Figures:
    """A document's total and VAT, as ledgersync or the package has them (VAT None where the
    package does not say), and the contact it is under."""

    total: object
    tax: object
    contact: str = ""


def total_mismatch(provider: str, theirs: Figures, ours: Figures) -> Failure | None:
    """TOTAL_MISMATCH with both sets of figures, or None when the package has ours: the same
    total, the same VAT (where it reports VAT) and the same contact (where both are known)."""
    differs = theirs.total != ours.total or (theirs.tax is not None and theirs.tax != ours.tax)
    other_contact = bool(theirs.contact and ours.contact and theirs.contact != ours.contact)
    if not differs and not other_contact:
        return None
    parts = []
    if differs:
        vat = f" (VAT {theirs.tax})" if theirs.tax is not None else ""
        parts.append(
            f"{provider} booked total {theirs.total}{vat}; ledgersync has {ours.total} "
            f"(VAT {ours.tax})"
        )
    if other_contact:
        parts.append(Mismatch.CONTACT.text(provider=provider, contact=theirs.contact))
    return Failure(StatusCode.TOTAL_MISMATCH, "; ".join(parts))


# Shown for a document no check has looked at (it has no state: one outside the queue), and
# for one whose every check passed (its status code is blank but it has been checked).
NOT_CHECKED = "NOT_CHECKED"
NOT_CHECKED_MESSAGE = "Not checked yet."
READY = "READY"
READY_MESSAGE = "Every check passes: Sync will send it."

# -- the package's data the checks read (sync/reference.py keeps it per connection) -----------

CHECKING_NOW = "Being checked against {provider} now."
CHECKING_HELD_UP = "Not checked against {provider} yet: {detail} Use Refresh from {provider}."


def checking_failure(provider_name: str, problem: str = "") -> Failure:
    """A check that needs the package's data while it is not read yet: being read now, or
    held up by ``problem`` (the last read's trouble, in status.py's words)."""
    if problem:
        return Failure(
            StatusCode.CHECKING, CHECKING_HELD_UP.format(provider=provider_name, detail=problem)
        )
    return Failure(StatusCode.CHECKING, CHECKING_NOW.format(provider=provider_name))


READING_NOW = "Reading {provider}'s accounts, tax rates, contacts and numbers now."


def data_age(provider_name: str, fetched_at: dt.datetime | None, now: dt.datetime) -> str:
    """How old the package's data behind the grid is, as the Sync page says it:
    "Checked against QuickBooks data from 10:42 today." (local time)."""
    if fetched_at is None:
        return f"Not checked against {provider_name} data yet."
    local, today = timezone.localtime(fetched_at), timezone.localtime(now).date()
    if local.date() == today:
        when = f"{local:%H:%M} today"
    elif local.date() == today - dt.timedelta(days=1):
        when = f"{local:%H:%M} yesterday"
    else:
        when = f"{local:%H:%M} on {local.day} {local:%B %Y}"
    return f"Checked against {provider_name} data from {when}."


# A finished Sync (not Auto Sync) leaves nobody to retry what the package turned away.
PRESS_SYNC_AGAIN = (
    "Not sent yet: the package was busy or could not be reached. Press Sync to try again."
)


def shown_code(code: str | None, checked: bool) -> str:
    """The code a queue summary shows for a document: its status code, else READY once
    checked (every check passed), NOT_CHECKED before."""
    return code or (READY if checked else NOT_CHECKED)


def count_codes(states: Iterable[tuple[str | None, object]]) -> dict[str, int]:
    """Documents per shown code (queue summaries), from (status code, checked_at) pairs."""
    return dict(Counter(shown_code(code, checked is not None) for code, checked in states))


class NotConnected(Exception):
    """The organisation has no live connection to its package."""


@dataclass(frozen=True)
class Rule:
    """What one kind of trouble with the package means, everywhere it is shown.

    ``template`` may use ``{provider}`` (the package's display name), ``{detail}`` (the
    error's own words) and ``{wait}`` (whole seconds the package asked us to wait).
    """

    code: StatusCode
    template: str
    api_code: str
    http_status: int


# Looked up along the error's class hierarchy, so RateLimited finds its own row before that of
# RetriableError, and InvalidAccsId its own before ProviderError's.
RULES: dict[type[Exception], Rule] = {
    NotConnected: Rule(
        StatusCode.NOT_CONNECTED,
        "Not connected to {provider}: connect on the Sync Accounts API page first.",
        "not_connected",
        409,
    ),
    AuthError: Rule(
        StatusCode.RELINK_NEEDED,
        "{provider} no longer accepts ledgersync's access: connect again.",
        "relink_needed",
        409,
    ),
    RateLimited: Rule(
        StatusCode.RATE_LIMITED,
        "{provider} asked ledgersync to slow down for {wait} s.",
        "provider_rate_limited",
        429,
    ),
    # Unreachable is RATE_LIMITED for a document (ledgersync tries again), but the API tells
    # it apart from being asked to slow down, as docs/api.md promises.
    RetriableError: Rule(
        StatusCode.RATE_LIMITED,
        "{provider} could not be asked just now ({detail}).",
        "provider_unavailable",
        502,
    ),
    UncertainError: Rule(
        StatusCode.UNCERTAIN,
        "No answer from {provider}; ledgersync will check before sending it again.",
        "provider_unavailable",
        502,
    ),
    # The connector's own words already name the package and the shape it wants.
    InvalidAccsId: Rule(StatusCode.ACCOUNT_ID_INVALID, "{detail}", "provider_rejected", 422),
    ProviderError: Rule(
        StatusCode.REJECTED, "{provider} rejected it: {detail}", "provider_rejected", 422
    ),
}


def rule_for(error: Exception) -> Rule:
    """The row of RULES for ``error``; TypeError for an exception that is not trouble with
    the package (a bug should surface, not be shown as a status)."""
    for cls in type(error).__mro__:
        if cls in RULES:
            return RULES[cls]
    raise TypeError(f"no status rule for {type(error).__name__}") from error


def wait_seconds(error: Exception) -> int:
    """Whole seconds to wait after a RateLimited (at least 1); 0 for any other error."""
    if not isinstance(error, RateLimited):
        return 0
    return max(1, int(error.retry_after or 1))


def failure_for(error: Exception, provider_name: str) -> Failure:
    """The status code and sentence for ``error`` met while talking to ``provider_name``."""
    rule = rule_for(error)
    detail = getattr(error, "message", "") or str(error)
    message = rule.template.format(provider=provider_name, detail=detail, wait=wait_seconds(error))
    return Failure(rule.code, message)


def not_configured(provider_name: str, problem: object) -> str:
    """This server has no (or a malformed) client set up for the package."""
    return f"{provider_name} is not configured on this server: {problem}"


def posting(document, state) -> str:
    """How the document goes to its package, or how the package holds it: the document
    page's "Posts as" (records.models.PostAs; Capabilities.supports_drafts)."""
    from ledgersync.providers.registry import PROVIDERS  # models import this module

    facts = PROVIDERS.get(state.provider if state is not None and state.provider else "")
    facts = facts or PROVIDERS.get(document.organisation.provider)
    name = facts.name if facts else document.organisation.provider
    if state is not None and state.remote_id and state.status_code in HOLDS_REMOTE_COPY:
        if state.status_code == StatusCode.VOIDED:
            return f"Voided in {name}"
        if state.remote_draft:
            return f"Draft in {name}, waiting for a person there to approve it"
        return f"Approved in {name}"
    if facts is not None and not facts.capabilities.supports_drafts:
        return f"Final ({name} has no draft state)"
    chosen = document.effective_post_as
    return f"{chosen.label}{'' if document.post_as else ' (as the settings say)'}"


def party_label(party, *, supplier: bool) -> str:
    return f"{'Supplier' if supplier else 'Customer Account'} '{party.name}' ({party.number})"


# -- what differs between the package and ledgersync (DocumentState.mismatch) ----------------


class Mismatch(StrEnum):
    """One reason the package and ledgersync disagree about a document in the package, in
    its words; ``Mismatch.CONTACT.text(provider=..., contact=...)`` fills one in. Figures that
    differ from what was sent are TOTAL_MISMATCH (``total_mismatch`` above)."""

    CONTACT = "{provider} has it under another contact ({contact})"
    # Edited after it was sent (by a path around the edit lock, such as the admin): the
    # package has the version sent, ledgersync shows the edit.
    CHANGED = "changed since it was sent to {provider}: {detail}"
    CHANGED_TOTAL = "{provider} has the total {remote}, ledgersync {local}"
    CHANGED_DETAILS = "its details were edited here while it was being sent"

    def text(self, **values: object) -> str:
        return self.value.format(**values)
