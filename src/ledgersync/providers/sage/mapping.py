"""The only place Sage Accounting JSON is built or read (reference/sage.md).

Pure functions from ledgersync values to Sage request bodies and from Sage answers back,
tested on the payloads in ``fixtures/`` without a server. Sage answers decimals as strings
("180.0") and takes numbers; every write carries an ``idempotency_id`` inside the resource.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from ledgersync.providers.base import (
    Address,
    Company,
    Contact,
    ContactKind,
    DocType,
    LedgerAccount,
    NewContact,
    OutboundDocument,
    OutboundLine,
    RemoteDocument,
    TaxCode,
)
from ledgersync.providers.http import ErrorDetail, decode_json, wire_number
from ledgersync.records.money import line_net, line_tax

COLLECTION_FOR_DOC = {
    DocType.SALES_INVOICE: "sales_invoices",
    DocType.SALES_CREDIT_NOTE: "sales_credit_notes",
    DocType.SUPPLIER_INVOICE: "purchase_invoices",
}
RESOURCE_FOR_DOC = {
    DocType.SALES_INVOICE: "sales_invoice",
    DocType.SALES_CREDIT_NOTE: "sales_credit_note",
    DocType.SUPPLIER_INVOICE: "purchase_invoice",
}
LINES_FOR_DOC = {
    DocType.SALES_INVOICE: "invoice_lines",
    DocType.SALES_CREDIT_NOTE: "credit_note_lines",
    DocType.SUPPLIER_INVOICE: "invoice_lines",
}
# Sales lines need ledger accounts visible in sales, purchase lines in expenses.
SCOPE_FOR_DOC = {
    DocType.SALES_INVOICE: "sales",
    DocType.SALES_CREDIT_NOTE: "sales",
    DocType.SUPPLIER_INVOICE: "expenses",
}
CONTACT_TYPE_FOR_KIND = {ContactKind.CUSTOMER: "CUSTOMER", ContactKind.SUPPLIER: "VENDOR"}
# main_address's field for each part of an Address; Sage answers the country as an object
# ({"id": "GB", ...}) but takes it as country_id.
ADDRESS_FIELDS = {
    "line1": "address_line_1",
    "line2": "address_line_2",
    "city": "city",
    "region": "region",
    "postcode": "postal_code",
    "country": "country_id",
}
# Sage's fixed UK tax rate ids and ledgersync's VAT codes.
VAT_CODE_FOR_RATE = {
    "GB_STANDARD": "S",
    "GB_LOWER": "R",
    "GB_ZERO": "Z",
    "GB_EXEMPT": "E",
    "GB_NO_TAX": "NT",
}
REFERENCE_MAX = 25  # sales reference; purchase reference
DRAFT = "DRAFT"  # the artefact status of a document not yet released
VENDOR_REFERENCE_MAX = 31
DESCRIPTION_MAX = 2000
NOTES_MAX = 2000
NAME_MAX = 100
_HEX_ID = re.compile(r"^[0-9a-f]{32}$")
_IDEMPOTENCY_NAMESPACE = uuid.UUID("f0d5b1a4-92a6-4a63-8f58-3c5b0f7e2d19")

# What list reads ask for (``attributes``); everything else stays on Sage's side.
CONTACT_ATTRIBUTES = (
    "name,contact_types,email,main_contact_person,main_address,is_active,links,reference,tax_number"
)
# Sage shows nested entities (the main contact person and address) as {id, displayed_as,
# $path} stubs unless nested_attributes names their fields, even under attributes=all
# (docs/sandboxes.md, "Nested entities"): every contact read asks for the ones parse_contact
# reads.
CONTACT_NESTED_ATTRIBUTES = ",".join(
    ["telephone", "mobile", "email", *(f for f in ADDRESS_FIELDS.values() if f != "country_id")]
    + ["country"]
)
STUB_KEYS = frozenset({"id", "displayed_as", "$path"})
ACCOUNT_ATTRIBUTES = (
    "name,nominal_code,ledger_account_type,tax_rate,visible_in_sales,visible_in_expenses"
)
TAX_RATE_ATTRIBUTES = "name,percentage"
DOCUMENT_ATTRIBUTES = (
    "reference,vendor_reference,contact,total_amount,tax_amount,outstanding_amount,date,void_reason"
)


def is_sage_id(value: str) -> bool:
    return bool(_HEX_ID.match(value))


def idempotency_id(key: str) -> str:
    """Sage wants a 32-character hyphenless GUID; the same key always gives the same id."""
    try:
        return uuid.UUID(key).hex
    except ValueError:
        return uuid.uuid5(_IDEMPOTENCY_NAMESPACE, key).hex


# --- errors --------------------------------------------------------------------------------


def describe_error(response: httpx.Response) -> ErrorDetail:
    """Sage errors are an array of ``{$severity, $dataCode, $message, $source}``; every
    item is kept, with the field it names, so a person can see all that is wrong."""
    try:
        body = decode_json(response.content)
    except ValueError:
        return ErrorDetail(f"Sage answered {response.status_code}")
    if isinstance(body, dict):
        body = [body]  # some gateways answer a single object
    items = [i for i in body if isinstance(i, dict)] if isinstance(body, list) else []
    if not items:
        return ErrorDetail(f"Sage answered {response.status_code}")
    parts = []
    for entry in items:
        message = str(entry.get("$message") or entry.get("error") or "").strip()
        source = str(entry.get("$source") or "").strip()
        if message and source and source != "base":
            message = f"{_field(source)}: {message}"
        if message and message not in parts:
            parts.append(message)
    code = str(items[0].get("$dataCode") or items[0].get("error") or "")
    return ErrorDetail("; ".join(parts) or f"Sage answered {response.status_code}", code)


def _field(source: str) -> str:
    return source.replace("_", " ").replace(".", " ")


# --- reading -------------------------------------------------------------------------------


def items(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of a ``$items`` list answer."""
    return list(body.get("$items") or [])


def parse_company(body: Mapping[str, Any]) -> Company:
    return Company(id=str(body["id"]), name=body.get("name") or body.get("displayed_as", ""))


def contact_type_ids(row: Mapping[str, Any]) -> set[str]:
    return {str(t.get("id")) for t in row.get("contact_types") or []}


def _filled(nested: Any) -> Mapping[str, Any] | None:
    """A nested entity with its fields, or None for a missing one or a bare stub."""
    if not isinstance(nested, Mapping) or set(nested) <= STUB_KEYS:
        return None
    return nested


def parse_contact(row: Mapping[str, Any], kind: ContactKind) -> Contact:
    person = _filled(row.get("main_contact_person")) or {}
    address = _filled(row.get("main_address"))
    return Contact(
        id=str(row["id"]),
        name=row.get("name") or "",
        kind=kind,
        email=row.get("email") or person.get("email") or "",
        phone=person.get("telephone") or person.get("mobile") or "",
        address=_parse_address(address) if address else None,
        active=bool(row.get("is_active", True)),
        account_number=row.get("reference") or "",
        tax_number=row.get("tax_number") or "",
    )


def _parse_address(address: Mapping[str, Any]) -> Address:
    country = address.get("country") or {}
    country_id = country.get("id", "") if isinstance(country, dict) else str(country)
    return Address.read({**address, "country_id": country_id}, ADDRESS_FIELDS)


def web_link(row: Mapping[str, Any]) -> str | None:
    """The record's page in the web app (``links[rel=alternate]``); contacts use a numeric
    id there that the API never takes, so this link is the only way to it."""
    for link in row.get("links") or []:
        if link.get("rel") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


@dataclass(frozen=True)
class AccountRow:
    account: LedgerAccount
    scopes: frozenset[str]  # "sales", "expenses": where Sage lets the account be used


def parse_account(row: Mapping[str, Any]) -> AccountRow:
    tax = row.get("tax_rate") or {}
    scopes = frozenset(s for s in ("sales", "expenses") if row.get(f"visible_in_{s}"))
    account = LedgerAccount(
        id=str(row["id"]),
        code=str(row.get("nominal_code") or ""),
        name=row.get("name") or "",
        account_type=(row.get("ledger_account_type") or {}).get("id", ""),
        tax_code_id=tax.get("id") or None,
    )
    return AccountRow(account, scopes)


def parse_tax_rate(row: Mapping[str, Any]) -> TaxCode:
    percentage = row.get("percentage")
    return TaxCode(
        id=str(row["id"]),
        name=row.get("name") or row.get("displayed_as", ""),
        rate=Decimal(str(percentage)) if percentage is not None else None,
        code=VAT_CODE_FOR_RATE.get(str(row["id"])),
    )


def document_number(row: Mapping[str, Any], doc_type: DocType) -> str:
    """Our number: the purchase invoice's ``vendor_reference``, else the ``reference``
    (Sage numbers sales documents itself, SI-n)."""
    if doc_type is DocType.SUPPLIER_INVOICE:
        return row.get("vendor_reference") or ""
    return row.get("reference") or ""


def parse_document(row: Mapping[str, Any], doc_type: DocType) -> RemoteDocument:
    tax, outstanding = row.get("tax_amount"), row.get("outstanding_amount")
    return RemoteDocument(
        remote_id=str(row["id"]),
        doc_type=doc_type,
        number=document_number(row, doc_type),
        total=Decimal(str(row.get("total_amount") or "0")),
        contact_id=str((row.get("contact") or {}).get("id", "")),
        tax_total=Decimal(str(tax)) if tax is not None else None,
        balance=Decimal(str(outstanding)) if outstanding is not None else None,
        issue_date=date.fromisoformat(str(row["date"])[:10]) if row.get("date") else None,
        draft=(row.get("status") or {}).get("id") == DRAFT,
    )


def is_voided(row: Mapping[str, Any]) -> bool:
    """A voided sales document stays listed with its ``void_reason``; it counts as no copy."""
    return bool(row.get("void_reason"))


# --- building ------------------------------------------------------------------------------


def contact_body(new: NewContact, key: str) -> dict[str, Any]:
    contact: dict[str, Any] = {
        "name": new.name.strip()[:NAME_MAX],
        "contact_type_ids": [CONTACT_TYPE_FOR_KIND[new.kind]],
        "idempotency_id": idempotency_id(key),
    }
    if new.email or new.phone:
        person = {"name": new.name.strip()[:NAME_MAX], "is_main_contact": True}
        if new.email:
            person["email"] = new.email
        if new.phone:
            person["telephone"] = new.phone
        contact["main_contact_person"] = person
    if new.address:
        contact["main_address"] = new.address.fields(ADDRESS_FIELDS)
    return {"contact": contact}


@dataclass(frozen=True)
class LineTax:
    """The tax rate chosen for one line and its percentage."""

    rate_id: str
    percentage: Decimal


def document_body(
    document: OutboundDocument,
    *,
    account_ids: Sequence[str],
    taxes: Sequence[LineTax],
) -> dict[str, Any]:
    """A sales_invoice, sales_credit_note or purchase_invoice. ``account_ids`` and
    ``taxes`` are per line. Each line's VAT is always sent (ledgersync's own where the line
    carries it): Sage v3.1 requires ``tax_amount`` on every line with a non-zero rate."""
    doc_type = document.doc_type
    body: dict[str, Any] = {
        "contact_id": document.contact_id,
        "date": document.issue_date.isoformat(),
        "idempotency_id": idempotency_id(document.idempotency_key),
    }
    if document.draft:
        body["status_id"] = DRAFT
    if doc_type is DocType.SUPPLIER_INVOICE:
        # The supplier's own invoice number; Sage requires a due date on purchases.
        body["vendor_reference"] = document.number
        body["due_date"] = (document.due_date or document.issue_date).isoformat()
        if document.reference:
            body["reference"] = document.reference[:REFERENCE_MAX]
    else:
        body["reference"] = document.number
        if document.due_date and doc_type is DocType.SALES_INVOICE:
            body["due_date"] = document.due_date.isoformat()
        if document.reference:
            body["notes"] = document.reference[:NOTES_MAX]
    if document.currency and document.currency != "GBP":
        body["currency_id"] = document.currency
    body[LINES_FOR_DOC[doc_type]] = [
        _line(line, account_id, tax, document.amounts_include_tax)
        for line, account_id, tax in zip(document.lines, account_ids, taxes, strict=True)
    ]
    return {RESOURCE_FOR_DOC[doc_type]: body}


def _line(line: OutboundLine, account_id: str, tax: LineTax, inclusive: bool) -> dict[str, Any]:
    """A line with ledgersync's net and VAT where it carries them (else worked out here per
    line, as Sage rounds); with VAT-inclusive prices, ``unit_price_includes_tax``."""
    net = line.net if line.net is not None else line_net(line.quantity, line.unit_price)
    vat = line.tax if line.tax is not None else line_tax(net, tax.percentage)
    body = {
        "description": line.text[:DESCRIPTION_MAX],
        "ledger_account_id": account_id,
        "quantity": wire_number(line.quantity),
        "unit_price": wire_number(line.unit_price),
        "net_amount": wire_number(net),
        "tax_rate_id": tax.rate_id,
        "tax_amount": wire_number(vat),
    }
    if inclusive:
        body["unit_price_includes_tax"] = True
    return body
