"""Xero JSON in and out: the only place Xero's field names appear (reference/xero.md).

Sales invoices are ``ACCREC`` invoices, credit notes ``ACCRECCREDIT`` credit notes and
supplier invoices ``ACCPAY`` invoices; a nominal code is an Account ``Code`` and a line's
tax is a ``TaxType`` code. Money goes out as JSON numbers and comes back as Decimal.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import httpx

from ledgersync.providers.base import (
    Address,
    Contact,
    ContactKind,
    DocType,
    LedgerAccount,
    NewContact,
    OutboundDocument,
    OutboundLine,
    RemoteDocument,
    TaxCode,
    TrackingList,
    TrackingOption,
    TrackingSlot,
)
from ledgersync.providers.http import ErrorDetail, decode_json, wire_number

TYPE_FOR_DOC = {
    DocType.SALES_INVOICE: "ACCREC",
    DocType.SALES_CREDIT_NOTE: "ACCRECCREDIT",
    DocType.SUPPLIER_INVOICE: "ACCPAY",
}
COLLECTION_FOR_DOC = {
    DocType.SALES_INVOICE: "Invoices",
    DocType.SALES_CREDIT_NOTE: "CreditNotes",
    DocType.SUPPLIER_INVOICE: "Invoices",
}
ID_FIELD = {"Invoices": "InvoiceID", "CreditNotes": "CreditNoteID"}
NUMBER_FIELD = {"Invoices": "InvoiceNumber", "CreditNotes": "CreditNoteNumber"}
# An Addresses element's field for each part of an Address.
ADDRESS_FIELDS = {
    "line1": "AddressLine1",
    "line2": "AddressLine2",
    "city": "City",
    "region": "Region",
    "postcode": "PostalCode",
    "country": "Country",
}
# UK TaxTypes by ledgersync VAT code (notes/demo-data.md); custom rates have none.
VAT_CODES = {
    "OUTPUT2": "S",
    "INPUT2": "S",
    "RROUTPUT": "R",
    "RRINPUT": "R",
    "ZERORATEDOUTPUT": "Z",
    "ZERORATEDINPUT": "Z",
    "EXEMPTOUTPUT": "E",
    "EXEMPTINPUT": "E",
    "NONE": "NT",
}
ERROR_STATUS = "ERROR"


class Side(enum.StrEnum):
    """Which documents a tax rate may be used on."""

    SALES = "sales"
    PURCHASES = "purchases"


def side_of(doc_type: DocType) -> Side:
    return Side.PURCHASES if doc_type is DocType.SUPPLIER_INVOICE else Side.SALES


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


# --- errors ---------------------------------------------------------------------------------


def describe_error(response: httpx.Response) -> ErrorDetail:
    """Any Xero error body in plain words: a ValidationException's messages, an identity
    problem's Detail, an OAuth error code, or the 404's text."""
    try:
        body = decode_json(response.content)
    except ValueError:
        text = response.text.strip()
        return ErrorDetail(text[:300] or f"Xero answered {response.status_code}")
    if not isinstance(body, dict):
        return ErrorDetail(f"Xero answered {response.status_code}")
    if "ErrorNumber" in body:
        messages = [m for element in body.get("Elements") or [] for m in element_messages(element)]
        return ErrorDetail(
            "; ".join(messages) or str(body.get("Message", "")), str(body.get("Type", ""))
        )
    if "Detail" in body or "Title" in body:
        detail = str(body.get("Detail") or body.get("Title"))
        return ErrorDetail(detail, detail.split(":")[0].split()[0] if detail else "")
    if "error" in body:
        return ErrorDetail(f"Xero refused the request ({body['error']})", str(body["error"]))
    return ErrorDetail(f"Xero answered {response.status_code}")


def element_messages(element: Mapping[str, Any]) -> list[str]:
    """The ValidationErrors of one batch element (and of its lines)."""
    messages = [str(e.get("Message", "")) for e in element.get("ValidationErrors") or []]
    for line in element.get("LineItems") or []:
        messages += [str(e.get("Message", "")) for e in line.get("ValidationErrors") or []]
    return [m for m in dict.fromkeys(messages) if m]


def element_failed(element: Mapping[str, Any]) -> bool:
    return bool(
        element.get("StatusAttributeString") == ERROR_STATUS
        or element.get("HasErrors")
        or element.get("HasValidationErrors")
    )


# --- contacts ---------------------------------------------------------------------------------


def parse_contact(row: Mapping[str, Any], kind: ContactKind) -> Contact:
    phones = row.get("Phones") or []
    phone: Mapping[str, Any] = next((p for p in phones if p.get("PhoneType") == "DEFAULT"), {})
    number = " ".join(filter(None, (phone.get("PhoneAreaCode"), phone.get("PhoneNumber"))))
    return Contact(
        id=str(row["ContactID"]),
        name=str(row.get("Name", "")),
        kind=kind,
        email=str(row.get("EmailAddress") or ""),
        phone=number,
        address=_address(row.get("Addresses") or []),
        active=row.get("ContactStatus", "ACTIVE") == "ACTIVE",
        account_number=str(row.get("AccountNumber") or ""),
        tax_number=str(row.get("TaxNumber") or ""),
    )


def _address(rows: Sequence[Mapping[str, Any]]) -> Address | None:
    # Xero keeps a postal (POBOX) and a street address; invoices go to the postal one.
    for kind in ("POBOX", "STREET"):
        row = next((a for a in rows if a.get("AddressType") == kind), None)
        if row and any(row.get(k) for k in ("AddressLine1", "City", "PostalCode")):
            return Address.read(row, ADDRESS_FIELDS)
    return None


def contact_body(new: NewContact) -> dict[str, Any]:
    contact: dict[str, Any] = {"Name": new.name.strip()}
    if new.email:
        contact["EmailAddress"] = new.email
    if new.phone:
        contact["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": new.phone}]
    if new.address is not None:
        contact["Addresses"] = [{"AddressType": "POBOX", **new.address.fields(ADDRESS_FIELDS)}]
    return {"Contacts": [contact]}


# --- reference data ---------------------------------------------------------------------------


def parse_account(row: Mapping[str, Any]) -> LedgerAccount | None:
    """An account with a Code is a nominal; bank accounts may have none."""
    code = str(row.get("Code") or "").strip()
    if not code:
        return None
    return LedgerAccount(
        id=str(row["AccountID"]),
        code=code,
        name=str(row.get("Name", "")),
        account_type=str(row.get("Type", "")),
        tax_code_id=row.get("TaxType") or None,
        active=row.get("Status", "ACTIVE") == "ACTIVE",
    )


def parse_tax_rates(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[list[TaxCode], dict[str, frozenset[Side]]]:
    """Active tax rates as TaxCodes (id = TaxType), and which documents each may go on."""
    codes, sides = [], {}
    for row in rows:
        if row.get("Status", "ACTIVE") != "ACTIVE":
            continue
        tax_type = str(row["TaxType"])
        rate = row.get("EffectiveRate", row.get("DisplayTaxRate"))
        codes.append(
            TaxCode(
                tax_type,
                str(row.get("Name", "")),
                _decimal(rate) if rate is not None else None,
                VAT_CODES.get(tax_type),
            )
        )
        usable = {Side.SALES} if row.get("CanApplyToRevenue") else set()
        if row.get("CanApplyToExpenses"):
            usable.add(Side.PURCHASES)
        sides[tax_type] = frozenset(usable)
    return codes, sides


def parse_tracking_categories(rows: Sequence[Mapping[str, Any]]) -> list[TrackingList]:
    """GET /TrackingCategories: each category with its options (xero-accounting.yaml
    TrackingCategory / TrackingOption; archived ones are listed only when asked for)."""
    return [
        TrackingList(
            slot=TrackingSlot.CATEGORY,
            id=str(row.get("TrackingCategoryID", "")),
            name=str(row.get("Name", "")),
            active=row.get("Status", "ACTIVE") == "ACTIVE",
            options=tuple(
                TrackingOption(
                    id=str(option.get("TrackingOptionID", "")),
                    name=str(option.get("Name", "")),
                    active=option.get("Status", "ACTIVE") == "ACTIVE",
                )
                for option in row.get("Options") or []
            ),
        )
        for row in rows
    ]


# --- documents --------------------------------------------------------------------------------


def document_body(document: OutboundDocument, tax_types: Sequence[str]) -> dict[str, Any]:
    """One invoice or credit note element; ``tax_types`` has one TaxType per line. A line
    carrying ledgersync's VAT sends it as its TaxAmount, which Xero books instead of its own
    ("This value can be overriden if the calculated <TaxAmount> is not correct")."""
    collection = COLLECTION_FOR_DOC[document.doc_type]
    body: dict[str, Any] = {
        "Type": TYPE_FOR_DOC[document.doc_type],
        "Contact": {"ContactID": document.contact_id},
        NUMBER_FIELD[collection]: document.number,
        "Date": document.issue_date.isoformat(),
        "CurrencyCode": document.currency,
        "LineAmountTypes": "Inclusive" if document.amounts_include_tax else "Exclusive",
        "Status": "DRAFT" if document.draft else "AUTHORISED",
    }
    if document.doc_type is not DocType.SUPPLIER_INVOICE and document.reference:
        body["Reference"] = document.reference  # Xero keeps Reference on sales documents only
    if collection == "Invoices":
        # An approved invoice needs a due date; without one it is due on the day.
        body["DueDate"] = (document.due_date or document.issue_date).isoformat()
    body["LineItems"] = [
        _line_item(line, tax_type) for line, tax_type in zip(document.lines, tax_types, strict=True)
    ]
    # The same category option on every line, by name: a line's Tracking is a list of
    # {Name, Option} (xero-accounting.yaml LineItemTracking; reference/xero.md, at most 2).
    tracking = [
        {"Name": t.category, "Option": t.option}
        for t in document.tracking
        if t.slot is TrackingSlot.CATEGORY
    ]
    if tracking:
        for item in body["LineItems"]:
            item["Tracking"] = [dict(entry) for entry in tracking]
    return body


def _line_item(line: OutboundLine, tax_type: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Description": line.text,
        "Quantity": wire_number(line.quantity),
        "UnitAmount": wire_number(line.unit_price),
        "AccountCode": line.nominal_code,
        "TaxType": tax_type,
    }
    if line.tax is not None:
        item["TaxAmount"] = wire_number(line.tax)
    return item


def parse_document(row: Mapping[str, Any], doc_type: DocType) -> RemoteDocument:
    collection = COLLECTION_FOR_DOC[doc_type]
    balance = row.get("AmountDue") if collection == "Invoices" else row.get("RemainingCredit")
    return RemoteDocument(
        remote_id=str(row[ID_FIELD[collection]]),
        doc_type=doc_type,
        number=str(row.get(NUMBER_FIELD[collection]) or ""),
        total=_decimal(row.get("Total")),
        contact_id=str((row.get("Contact") or {}).get("ContactID", "")),
        tax_total=_decimal(row["TotalTax"]) if row.get("TotalTax") is not None else None,
        balance=_decimal(balance) if balance is not None else None,
        draft=row.get("Status") in ("DRAFT", "SUBMITTED"),
    )


def is_live(row: Mapping[str, Any], doc_type: DocType) -> bool:
    """A document of this type that still holds its number (not deleted)."""
    return row.get("Type") == TYPE_FOR_DOC[doc_type] and row.get("Status") != "DELETED"


def is_voided(row: Mapping[str, Any]) -> bool:
    return row.get("Status") == "VOIDED"


def removal(row: Mapping[str, Any], collection: str) -> dict[str, Any]:
    """The POST element that removes a document: Xero has no DELETE verb; a draft or
    submitted document becomes DELETED, an authorised one VOIDED (reference/xero.md)."""
    status = "VOIDED" if row.get("Status") == "AUTHORISED" else "DELETED"
    return {ID_FIELD[collection]: row[ID_FIELD[collection]], "Status": status}


def where_equals(field: str, values: Sequence[str]) -> str:
    """``Field=="a" OR Field=="b"`` with quotes and backslashes escaped."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return " OR ".join(f"{field}=={q}" for q in quoted)


def batch_key(keys: Sequence[str], namespace: uuid.UUID) -> str:
    """One Idempotency-Key for a batch: the document's own key for a batch of one, else a
    stable digest of the keys, so re-sending the same documents is replayed, not re-applied."""
    if len(keys) == 1:
        return keys[0]
    return str(uuid.uuid5(namespace, "|".join(keys)))
