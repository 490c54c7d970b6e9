"""Typed input for records: what the REST API, the importer and the services take.

They live here, below the API, so records code (records/services.py, records/importing.py)
can use them without importing the web framework; api/schemas.py reuses them as they are.
Strings are bounded to their columns and may not hold NUL or (in identifiers) control
characters, so no input can reach the database in a shape it refuses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from ledgersync.records.models import DocType, SentVia

NO_NUL = r"^[^\x00]*$"
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
# Line net is stored with 14 digits, 2 after the point.
MAX_NET = Decimal("999999999999.99")


def text_rule(
    max_length: int, *, min_length: int = 0, pattern: str = NO_CONTROL
) -> StringConstraints:
    """The constraints of a stripped string that fits its column: ``Annotated[str, rule]``."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern
    )


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(
                f"Email must be an address such as accounts@example.com, not {value!r}"
            ) from None
    return value


# Stripped, control-free strings by column width; NonBlankN must keep a character once
# stripped. Named aliases (not calls) so type checkers read them as ``str``.
Text10 = Annotated[str, text_rule(10)]
Text20 = Annotated[str, text_rule(20)]
Text21 = Annotated[str, text_rule(21)]
Text40 = Annotated[str, text_rule(40)]
Text100 = Annotated[str, text_rule(100)]
Text200 = Annotated[str, text_rule(200)]
NonBlank10 = Annotated[str, text_rule(10, min_length=1)]
NonBlank100 = Annotated[str, text_rule(100, min_length=1)]
NonBlank200 = Annotated[str, text_rule(200, min_length=1)]
# A line's free text may hold tabs and newlines; only NUL is refused (PostgreSQL would).
LineText = Annotated[str, text_rule(4000, pattern=NO_NUL)]
Ident = Annotated[str, text_rule(20, min_length=1)]
Email = Annotated[str, text_rule(254), AfterValidator(_email)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]


class DocTypeName(StrEnum):
    sales_invoice = "sales_invoice"
    sales_credit_note = "sales_credit_note"
    supplier_invoice = "supplier_invoice"


class AccountKind(StrEnum):
    company = "company"
    site = "site"


# Built from the model's choices so the two cannot drift; mypy cannot list such members.
SentViaName = StrEnum("SentViaName", {v: v for v in SentVia.values})  # type: ignore[misc]
# records.models.PostAs, or "" for the organisation's setting.
PostAsName = Literal["", "approved", "draft"]
POST_AS_HELP = (
    'Approved (final in the package), draft (waits there for approval), or "" for the '
    "organisation's setting. A package without drafts takes it as final."
)


# -- accounts and suppliers ------------------------------------------------------------------


class PartyFields(BaseModel):
    name: NonBlank200
    email: Email = ""
    phone: Text40 = ""
    address_line1: Text200 = ""
    address_line2: Text200 = ""
    city: Text100 = ""
    region: Text100 = ""
    postcode: Text20 = ""
    country: Country = "GB"
    vat_number: Text20 = ""


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


# -- documents -------------------------------------------------------------------------------


class LineIn(BaseModel):
    """One document line; ``service_dict()`` is what records.services takes."""

    text: LineText = ""
    quantity: Annotated[Decimal, Field(max_digits=12, decimal_places=4)] = Decimal(1)
    unit_price: Annotated[Decimal, Field(max_digits=14, decimal_places=4)]
    nominal: Ident
    tax_code: Text10 | None = None

    @model_validator(mode="after")
    def _net_fits(self):
        if abs(self.quantity * self.unit_price) > MAX_NET:
            raise ValueError("quantity × unit price is too large (at most 999,999,999,999.99)")
        return self

    def service_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "nominal": self.nominal,
            "tax_code": self.tax_code,
        }


# A supplier's VAT figure: pounds and pence, within what a line's VAT column holds.
SupplierVat = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]


class _DatesInRange(BaseModel):
    """Issue and due dates (declared by each subclass) the database and every package accept."""

    @model_validator(mode="after")
    def _dates_in_range(self):
        for date in (self.issue_date, self.due_date):
            if date is not None and not 1900 <= date.year <= 2999:
                raise ValueError("Dates must fall between the years 1900 and 2999")
        return self


class DocumentIn(_DatesInRange):
    type: DocTypeName
    number: Text21 = Field("", description="Blank for sales documents: the next number is taken.")
    account: Ident | None = Field(
        None, description="Sales documents: the customer's account number."
    )
    supplier: Ident | None = Field(None, description="Supplier invoices: the supplier's number.")
    care_of: Ident | None = None
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    currency: Currency = "GBP"
    reference: Text100 = ""
    job: Text100 = Field("", description="The job it was for; may be booked as tracking.")
    department: Text100 = Field(
        "", description="The department it was for; may be booked as tracking."
    )
    post_as: PostAsName = Field("", description=POST_AS_HELP)
    external_ref: Text100 | None = Field(
        None, description="Your own id for it; sending the same one again returns this document."
    )
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    prices_include_vat: bool = Field(
        False, description="Unit prices include VAT: each line's VAT is taken out of its amount."
    )
    supplier_vat: SupplierVat | None = Field(
        None,
        description="Supplier invoices: the VAT printed on the supplier's invoice, when it "
        "differs by a penny or so from the lines' VAT; it is what goes to the package.",
    )
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
            "job": self.job,
            "department": self.department,
            "post_as": self.post_as,
            "external_ref": self.external_ref,
            "lines": [line.service_dict() for line in self.lines],
            "prices_include_vat": self.prices_include_vat,
            "supplier_vat": str(self.supplier_vat) if self.supplier_vat is not None else None,
            "sent_via": self.sent_via.value if self.sent_via else None,
            "mark_for_sync": self.mark_for_sync,
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


class DocumentPatch(_DatesInRange):
    account: Ident | None = None
    supplier: Ident | None = None
    care_of: Text20 | None = Field(None, description='An account number, or "" to remove it.')
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    currency: Currency | None = None
    reference: Text100 | None = None
    job: Text100 | None = Field(None, description='The job it was for, or "" to clear it.')
    department: Text100 | None = Field(
        None, description='The department it was for, or "" to clear it.'
    )
    post_as: PostAsName | None = Field(None, description=POST_AS_HELP)
    lines: list[LineIn] | None = Field(None, min_length=1, max_length=500)
    prices_include_vat: bool | None = None
    supplier_vat: SupplierVat | None = Field(
        None, description="The supplier's VAT, or null to work it out from the lines again."
    )

    def service_changes(self) -> dict[str, Any]:
        """What records.services.update_document takes: the fields sent, where null means
        "leave it" except for care_of (removes the care-of account) and supplier_vat (the
        lines' VAT again)."""
        sent = self.model_dump(exclude_unset=True, exclude={"lines"})
        keep_null = ("care_of", "supplier_vat")
        changes = {k: v for k, v in sent.items() if v is not None or k in keep_null}
        if self.lines is not None:
            changes["lines"] = [line.service_dict() for line in self.lines]
        return changes
