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
from pydantic import Field, StringConstraints

from ledgersync.records.inputs import (
    AccountKind,
    Country,
    DocTypeName,
    Email,
    Ident,
    SentViaName,
)
from ledgersync.records.inputs import bounded_text as _text
from ledgersync.records.models import DocType
from ledgersync.sync.status import StatusCode


class NominalKind(StrEnum):
    sales = "sales"
    purchase = "purchase"


StatusName = StrEnum("StatusName", {v: v for v in StatusCode.values})


class Page(Schema):
    count: int
    limit: int
    offset: int


class Paging(Schema):
    limit: int = Field(50, ge=1, le=200, description="At most this many items (1-200).")
    offset: int = Field(0, ge=0, le=1_000_000, description="Skip this many items.")


# -- accounts and suppliers ------------------------------------------------------------------


class PartyPatch(Schema):
    name: _text(200, min_length=1) | None = None
    email: Email | None = None
    phone: _text(40) | None = None
    address_line1: _text(200) | None = None
    address_line2: _text(200) | None = None
    city: _text(100) | None = None
    region: _text(100) | None = None
    postcode: _text(20) | None = None
    country: Country | None = None
    vat_number: _text(20) | None = None


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
    number: _text(20) | None = None
    q: _text(200) | None = Field(None, description="Part of the name.")


class AccountFilter(PartyFilter):
    kind: AccountKind | None = None
    company: _text(20) | None = Field(None, description="Sites of this company (account number).")


# -- nominal and tax codes -----------------------------------------------------------------


class TaxCodeIn(Schema):
    code: _text(10, min_length=1)
    name: _text(100, min_length=1)
    rate: Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]


class TaxCodePatch(Schema):
    name: _text(100, min_length=1) | None = None
    rate: Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)] | None = None


class TaxCodeOut(Schema):
    id: int
    code: str
    name: str
    rate: str


class TaxCodePage(Page):
    items: list[TaxCodeOut]


class NominalCodeIn(Schema):
    code: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9.\-]+$"
        ),
    ]
    description: _text(200, min_length=1)
    kind: NominalKind
    default_tax_code: _text(10) | None = None


class NominalCodePatch(Schema):
    description: _text(200, min_length=1) | None = None
    kind: NominalKind | None = None
    default_tax_code: _text(10) | None = None


class NominalCodeOut(Schema):
    id: int
    code: str
    description: str
    kind: NominalKind
    default_tax_code: str | None


class NominalCodePage(Page):
    items: list[NominalCodeOut]


class CodeFilter(Paging):
    code: _text(20) | None = None


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
    external_ref: str | None
    sent_at: dt.datetime | None
    sent_via: str
    marked_for_sync: bool
    net_total: str
    tax_total: str
    gross_total: str
    lines: list[LineOut]
    sync: SyncStateOut


class DocumentPage(Page):
    items: list[DocumentOut]


class DocumentFilter(Paging):
    type: DocTypeName | None = None
    number: _text(21) | None = None
    account: _text(20) | None = None
    supplier: _text(20) | None = None
    external_ref: _text(100) | None = None
    marked_for_sync: bool | None = None
    sent: bool | None = None
    synced: bool | None = None
    status_code: StatusName | None = None
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
        description="Documents by status code (NOT_CHECKED: not tried yet)."
    )
    items: list[QueueItemOut]


class QueueFilter(Paging):
    status_code: StatusName | None = None


class MatchOut(Schema):
    id: str
    name: str
    score: float
    exact: bool


class SuggestionsOut(Schema):
    accs_id: str | None
    link_this: MatchOut | None
    matches: list[MatchOut]


class LinkIn(Schema):
    method: Literal["link_this", "create_new", "accs_id"]
    remote_id: _text(100) | None = Field(
        None, description="link_this: the suggestion to link (default: the exact name match)."
    )
    accs_id: _text(100) | None = Field(None, description="accs_id: the AccsID to link by.")


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
