"""What the API takes and returns. Money goes out as strings ("95.00"), never floats.

The inputs records code shares (accounts, suppliers, documents and their lines) live in
records/inputs.py, with the string rules used here too; the importer reads JSON files with
them and the services take them, so the API, the importer and the web accept the same data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from ledgersync.api.paid import PaidFilter, PaidOut
from ledgersync.records.inputs import (
    AccountKind,
    Country,
    DocTypeName,
    Email,
    Ident,
    NonBlank10,
    NonBlank100,
    NonBlank200,
    SentViaName,
    Text10,
    Text20,
    Text21,
    Text40,
    Text100,
    Text200,
    text_rule,
)
from ledgersync.records.models import DocType
from ledgersync.sync.models import BulkKind
from ledgersync.sync.status import StatusCode


class NominalKind(StrEnum):
    sales = "sales"
    purchase = "purchase"


# Built from the status codes so the two cannot drift; mypy cannot list such members.
StatusName = StrEnum("StatusName", {v: v for v in StatusCode.values})  # type: ignore[misc]


class Page(Schema):
    count: int
    limit: int
    offset: int


class Paging(Schema):
    limit: int = Field(50, ge=1, le=200, description="At most this many items (1-200).")
    offset: int = Field(0, ge=0, le=1_000_000, description="Skip this many items.")


# -- accounts and suppliers ------------------------------------------------------------------


class PartyPatch(Schema):
    name: NonBlank200 | None = None
    email: Email | None = None
    phone: Text40 | None = None
    address_line1: Text200 | None = None
    address_line2: Text200 | None = None
    city: Text100 | None = None
    region: Text100 | None = None
    postcode: Text20 | None = None
    country: Country | None = None
    vat_number: Text20 | None = None
    accs_id: Text100 | None = Field(
        None,
        description="The AccsID, kept as given, as on the record page ('' or null unlinks). "
        "Not with Sage, whose ids cannot be typed: 422 accs_id_read_only.",
    )


class AccountPatch(PartyPatch):
    company: Ident | None = Field(None, description="A site's company (its account number).")


class PartyOut(Schema):
    id: int
    number: str
    name: str
    email: str
    phone: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postcode: str
    country: str
    vat_number: str
    accs_id: str | None = Field(description="The id in the connected package, when linked.")


class AccountOut(PartyOut):
    kind: AccountKind
    company: str | None


class SupplierOut(PartyOut):
    pass


class AccountPage(Page):
    items: list[AccountOut]


class SupplierPage(Page):
    items: list[SupplierOut]


class PartyFilter(Paging):
    number: Text20 | None = None
    q: Text200 | None = Field(None, description="Part of the name.")


class AccountFilter(PartyFilter):
    kind: AccountKind | None = None
    company: Text20 | None = Field(None, description="Sites of this company (account number).")


# -- nominal and tax codes -----------------------------------------------------------------

# A percentage: 0 to 100 with up to three places, as the tax_code.rate column holds.
TaxRate = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]


class TaxCodeIn(Schema):
    code: NonBlank10
    name: NonBlank100
    rate: TaxRate


class TaxCodePatch(Schema):
    name: NonBlank100 | None = None
    rate: TaxRate | None = None


class TaxCodeOut(Schema):
    id: int
    code: str
    name: str
    rate: str


class TaxCodePage(Page):
    items: list[TaxCodeOut]


class NominalCodeIn(Schema):
    code: Annotated[str, text_rule(20, min_length=1, pattern=r"^[A-Za-z0-9.\-]+$")]
    description: NonBlank200
    kind: NominalKind
    default_tax_code: Text10 | None = None


class NominalCodePatch(Schema):
    description: NonBlank200 | None = None
    kind: NominalKind | None = None
    default_tax_code: Text10 | None = None


class NominalCodeOut(Schema):
    id: int
    code: str
    description: str
    kind: NominalKind
    default_tax_code: str | None


class NominalCodePage(Page):
    items: list[NominalCodeOut]


class CodeFilter(Paging):
    code: Text20 | None = None


# -- documents -------------------------------------------------------------------------------


class LineOut(Schema):
    position: int
    text: str
    quantity: str
    unit_price: str
    nominal: str
    tax_code: str | None
    net: str
    tax: str
    gross: str


class FailureOut(Schema):
    code: StatusName
    message: str
    remedy: str


class SyncStateOut(Schema):
    status_code: StatusName | None
    message: str
    failures: list[FailureOut]
    remote_id: str | None
    remote_draft: bool = Field(
        description="The package holds it as a draft, waiting for a person there to approve it."
    )
    synced_at: dt.datetime | None


class DocumentOut(Schema):
    id: int
    type: DocTypeName
    number: str
    account: str | None
    supplier: str | None
    care_of: str | None
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    reference: str
    job: str
    department: str
    post_as: str = Field(
        description='"approved", "draft", or "" for the organisation\'s setting (post_as).'
    )
    external_ref: str | None
    sent_at: dt.datetime | None
    sent_via: str
    marked_for_sync: bool
    vat_rounding: str
    prices_include_vat: bool
    supplier_vat: str | None
    net_total: str
    tax_total: str
    gross_total: str
    lines: list[LineOut]
    sync: SyncStateOut
    paid: PaidOut | None


class DocumentPage(Page):
    items: list[DocumentOut]


class DocumentFilter(Paging):
    type: DocTypeName | None = None
    number: Text21 | None = None
    account: Text20 | None = None
    supplier: Text20 | None = None
    external_ref: Text100 | None = None
    marked_for_sync: bool | None = None
    sent: bool | None = None
    synced: bool | None = None
    status_code: StatusName | None = None
    paid: PaidFilter | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None


class SentIn(Schema):
    via: SentViaName = Field(SentViaName("email"), description="email, post or hand")


# -- sync ------------------------------------------------------------------------------------


class QueueItemOut(Schema):
    id: int
    number: str
    party: str
    party_name: str
    gross_total: str
    status_code: StatusName | None
    message: str
    failures: list[FailureOut]


class QueueOut(Page):
    type: DocTypeName
    counts: dict[str, int] = Field(
        description=(
            "Documents by status code; READY: every check passes, NOT_CHECKED: not judged yet."
        )
    )
    items: list[QueueItemOut]


class QueueFilter(Paging):
    status_code: StatusName | None = None


class ProblemFilter(Paging):
    type: DocTypeName | None = None
    account: Text20 | None = Field(None, description="Documents of this account (its number).")
    supplier: Text20 | None = Field(None, description="Documents of this supplier (its number).")
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None


class ProblemOut(Schema):
    id: int
    type: DocTypeName
    number: str
    party: str
    party_name: str
    issue_date: dt.date
    gross_total: str
    status_code: StatusName
    message: str
    failed_attempts: int = Field(description="Sends of it that the package refused or missed.")
    waiting_since: dt.datetime | None = Field(
        description="When this status code (last) came to it."
    )
    times: int = Field(
        description="How many times this problem has come to it (2 or more: fixed and back)."
    )


class ResolvedOut(Schema):
    document_id: int
    type: DocTypeName
    number: str
    status_code: StatusName
    first_seen_at: dt.datetime
    resolved_at: dt.datetime
    resolved_by: str | None = Field(description="The user; null when ledgersync itself did it.")
    times: int


class ResolvedPage(Page):
    items: list[ResolvedOut]


class ResolvedFilter(Paging):
    days: int = Field(30, ge=1, le=366, description="Resolved in the last this many days.")


class ProblemPage(Page):
    counts: dict[str, int] = Field(
        description="Documents by status code over the whole list, in the order the checks run."
    )
    items: list[ProblemOut]


class MatchOut(Schema):
    id: str
    name: str
    score: float
    exact: bool
    reasons: list[str] = Field(
        description="Why it was suggested, in words: 'same name', 'similar name (87% alike)', "
        "'account number A1001', 'e-mail …', 'VAT number …', 'postcode …'."
    )


class SuggestionsOut(Schema):
    accs_id: str | None
    link_this: MatchOut | None
    matches: list[MatchOut]


class LinkIn(Schema):
    method: Literal["link_this", "create_new", "accs_id"]
    remote_id: Text100 | None = Field(
        None, description="link_this: the suggestion to link (default: the exact name match)."
    )
    accs_id: Text100 | None = Field(None, description="accs_id: the AccsID to link by.")


class LinkOut(Schema):
    accs_id: str
    method: str
    linked_at: dt.datetime


class RunIn(Schema):
    type: DocTypeName
    auto: bool = False


class RunResultOut(Schema):
    document_id: int
    number: str
    status_code: StatusName | None
    message: str


class RunOut(Schema):
    id: int
    type: DocTypeName
    auto: bool
    state: Literal["queued", "running", "finished", "stopped", "failed"]
    trigger: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    deadline: dt.datetime | None
    stop_requested: bool
    synced_count: int
    failed_count: int
    left_count: int
    api_calls: int
    message: str
    stalled: str = Field(
        description="Why a live run is not moving when no worker is on it; empty otherwise."
    )
    results: list[RunResultOut]


class RunPage(Page):
    items: list[RunOut]


class RunFilter(Paging):
    type: DocTypeName | None = None
    live: bool | None = None


class ConnectionOut(Schema):
    provider: str
    provider_name: str
    status: Literal["connected", "relink_needed", "disconnected"]
    status_detail: str
    company_id: str | None
    company_name: str | None
    connected_at: dt.datetime | None
    last_used_at: dt.datetime | None


DOC_TYPES = {name: DocType(name.value) for name in DocTypeName}


BulkName = StrEnum("BulkName", {k.value: k.value for k in BulkKind})  # type: ignore[misc]


class BulkIn(Schema):
    """Which documents of Needs attention a bulk action acts on: ``documents`` (ids), every one
    of a status code's ``group``, or ``all`` of the list; the filters narrow any of them."""

    action: BulkName = Field(description=", ".join(f"{k.value}: {k.label}" for k in BulkKind))
    documents: list[int] | None = Field(None, max_length=10_000)
    group: StatusName | None = None
    all: bool = False
    type: DocTypeName | None = None
    account: Text20 | None = None
    supplier: Text20 | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None


BulkKey = Annotated[str, text_rule(64, min_length=1)]


class BulkStartIn(BulkIn):
    key: BulkKey = Field(
        description="Your own one-off key (up to 64 characters): the same key again "
        "returns the action it started."
    )


class PlannedOut(Schema):
    label: str
    documents: int
    acts: bool
    outcome: str
    warning: str


class BulkPreviewOut(Schema):
    action: BulkName
    documents: int
    acting: int
    summary: str
    problem: str
    items: list[PlannedOut]


class BulkItemOut(Schema):
    label: str
    document_id: int | None
    account: str | None
    supplier: str | None
    state: Literal["pending", "changed", "skipped", "failed"]
    message: str


class BulkOut(Schema):
    id: int
    action: BulkName
    state: Literal["queued", "running", "done", "failed"]
    progress: str = Field(description="Where it stands, in words (the web page's sentence).")
    total: int
    done: int
    changed: int
    skipped: int
    failed: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    items: list[BulkItemOut]
