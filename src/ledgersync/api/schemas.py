"""What the API takes and returns. The importer reads JSON files with the same input schemas.

Strings are bounded to their columns and may not hold NUL or (in identifiers) control
characters, so no input can reach the database in a shape it refuses. Money goes out as
strings ("95.00"), never floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ledgersync.records.models import DocType, SentVia
from ledgersync.sync.status import StatusCode

NO_NUL = r"^[^\x00]*$"
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
# Line net is stored with 14 digits, 2 after the point.
MAX_NET = Decimal("999999999999.99")


def _text(max_length: int, *, min_length: int = 0, pattern: str = NO_CONTROL):
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern
        ),
    ]


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(f"{value!r} is not an email address") from None
    return value


Ident = _text(20, min_length=1)
Email = Annotated[_text(254), AfterValidator(_email)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class DocTypeName(StrEnum):
    sales_invoice = "sales_invoice"
    sales_credit_note = "sales_credit_note"
    supplier_invoice = "supplier_invoice"


class AccountKind(StrEnum):
    company = "company"
    site = "site"


class NominalKind(StrEnum):
    sales = "sales"
    purchase = "purchase"


SentViaName = StrEnum("SentViaName", {v: v for v in SentVia.values})
StatusName = StrEnum("StatusName", {v: v for v in StatusCode.values})


class Page(Schema):
    count: int
    limit: int
    offset: int


class Paging(Schema):
    limit: int = Field(50, ge=1, le=200, description="At most this many items (1-200).")
    offset: int = Field(0, ge=0, le=1_000_000, description="Skip this many items.")


# -- accounts and suppliers ------------------------------------------------------------------


class PartyFields(Schema):
    name: _text(200, min_length=1)
    email: Email = ""
    phone: _text(40) = ""
    address_line1: _text(200) = ""
    address_line2: _text(200) = ""
    city: _text(100) = ""
    region: _text(100) = ""
    postcode: _text(20) = ""
    country: Country = "GB"
    vat_number: _text(20) = ""


class SupplierIn(PartyFields):
    number: Ident


class AccountIn(PartyFields):
    number: Ident
    kind: AccountKind = AccountKind.company
    company: Ident | None = Field(None, description="A site's company (its account number).")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"number": "A2001", "name": "Seaview Hotel", "email": "accounts@seaview.example"},
                {
                    "number": "A2002",
                    "name": "Seaview Hotel - Annexe",
                    "kind": "site",
                    "company": "A1001",
                },
            ]
        }
    }


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


class LineIn(Schema):
    """One document line; ``service_dict()`` is what records.services takes."""

    text: _text(4000, pattern=NO_NUL) = ""
    quantity: Annotated[Decimal, Field(max_digits=12, decimal_places=4)] = Decimal(1)
    unit_price: Annotated[Decimal, Field(max_digits=14, decimal_places=4)]
    nominal: _text(20, min_length=1)
    tax_code: _text(10) | None = None

    @model_validator(mode="after")
    def _net_fits(self):
        if abs(self.quantity * self.unit_price) > MAX_NET:
            raise ValueError("quantity x unit_price is too large (at most 999,999,999,999.99)")
        return self

    def service_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "nominal": self.nominal,
            "tax_code": self.tax_code,
        }


class DocumentIn(Schema):
    type: DocTypeName
    number: _text(21) = Field(
        "", description="Blank for sales documents: the next number is taken."
    )
    account: Ident | None = Field(
        None, description="Sales documents: the customer's account number."
    )
    supplier: Ident | None = Field(None, description="Supplier invoices: the supplier's number.")
    care_of: Ident | None = None
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] = "GBP"
    reference: _text(100) = ""
    external_ref: _text(100) | None = Field(
        None, description="Your own id for it; sending the same one again returns this document."
    )
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    sent_via: SentViaName | None = Field(None, description="Mark it sent on creation.")
    mark_for_sync: bool = False

    def service_payload(self) -> dict[str, Any]:
        """The dict records.services.create_document takes; ValidationError when the party
        does not fit the type."""
        doc_type = DocType(self.type.value)
        if doc_type == DocType.SUPPLIER_INVOICE and self.account:
            raise DjangoValidationError(
                {"account": ["A supplier invoice names a supplier, not an account"]}
            )
        if doc_type != DocType.SUPPLIER_INVOICE and self.supplier:
            raise DjangoValidationError(
                {"supplier": [f"A {doc_type.label.lower()} names an account, not a supplier"]}
            )
        return {
            "type": doc_type.value,
            "number": self.number,
            "account": self.account,
            "supplier": self.supplier,
            "care_of": self.care_of,
            "issue_date": self.issue_date,
            "due_date": self.due_date,
            "currency": self.currency,
            "reference": self.reference,
            "external_ref": self.external_ref,
            "lines": [line.service_dict() for line in self.lines],
        }

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": "sales_invoice",
                    "account": "A1001",
                    "external_ref": "job-4411",
                    "reference": "Job 4411",
                    "lines": [
                        {
                            "text": "Boiler service",
                            "quantity": "1",
                            "unit_price": "95.00",
                            "nominal": "4000",
                        }
                    ],
                }
            ]
        }
    }

    @model_validator(mode="after")
    def _dates_in_range(self):
        for date in (self.issue_date, self.due_date):
            if date is not None and not 1900 <= date.year <= 2999:
                raise ValueError("dates must fall between the years 1900 and 2999")
        return self


class DocumentPatch(Schema):
    account: Ident | None = None
    supplier: Ident | None = None
    care_of: _text(20) | None = Field(None, description='An account number, or "" to remove it.')
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] | None = None
    reference: _text(100) | None = None
    lines: list[LineIn] | None = Field(None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _dates_in_range(self):
        for date in (self.issue_date, self.due_date):
            if date is not None and not 1900 <= date.year <= 2999:
                raise ValueError("dates must fall between the years 1900 and 2999")
        return self


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
