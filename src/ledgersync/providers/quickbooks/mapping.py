"""The only place QuickBooks Online JSON is built or read (reference/qbo.md).

Everything here is a pure function from ledgersync values to QBO JSON or back, so it is
tested on the payloads in ``fixtures/`` without a server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

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
    TrackingList,
    TrackingOption,
    TrackingSlot,
)
from ledgersync.providers.http import ErrorDetail, decode_json, wire_number
from ledgersync.records.money import line_net

ENTITY_FOR_DOC = {
    DocType.SALES_INVOICE: "Invoice",
    DocType.SALES_CREDIT_NOTE: "CreditMemo",
    DocType.SUPPLIER_INVOICE: "Bill",
}
DOC_FOR_ENTITY = {entity: doc_type for doc_type, entity in ENTITY_FOR_DOC.items()}
ENTITY_FOR_KIND = {ContactKind.CUSTOMER: "Customer", ContactKind.SUPPLIER: "Vendor"}
# BillAddr's field for each part of an Address.
ADDRESS_FIELDS = {
    "line1": "Line1",
    "line2": "Line2",
    "city": "City",
    "region": "CountrySubDivisionCode",
    "postcode": "PostalCode",
    "country": "Country",
}

# Fault.type -> the HTTP status the same failure has outside a batch, so per-item faults go
# through the one status mapping in http.py.
_STATUS_FOR_FAULT_TYPE = {
    "validationfault": 400,
    "authenticationfault": 401,
    "authentication": 401,
    "authorizationfault": 403,
    "systemfault": 500,
}
THROTTLE_CODE = "3001"
ITEM_NAME_MAX = 100
_NAME_FORBIDDEN = re.compile(r"[:\t\n]")
_VAT_LETTER = re.compile(r"\b(S|R|Z)$")


# --- queries -------------------------------------------------------------------------------


def quote(value: str) -> str:
    """A string literal for the QBO query language: backslash escapes (``'Amy\\'s'``)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def select(entity: str, where: str = "", *, start: int = 1, page: int = 1000) -> str:
    clause = f" WHERE {where}" if where else ""
    # Not SQL: QBO's query language, with every value passed through quote().
    return f"SELECT * FROM {entity}{clause} STARTPOSITION {start} MAXRESULTS {page}"  # noqa: S608


def in_list(field: str, values: Iterable[str]) -> str:
    return f"{field} IN ({', '.join(quote(v) for v in values)})"


def query_rows(body: Mapping[str, Any], entity: str) -> list[dict[str, Any]]:
    """The rows of a query answer; QBO leaves the entity key out when nothing matched."""
    return list(body.get("QueryResponse", {}).get(entity, []))


# --- errors --------------------------------------------------------------------------------


def describe_error(response: httpx.Response) -> ErrorDetail:
    """An error response in plain words. QBO answers JSON ``Fault`` (also lower-case
    ``fault`` on 401s) and, for throttling, XML whatever we asked for (qbo.md section 6, 7)."""
    text = response.text
    if text.lstrip().startswith("<"):
        return _describe_xml(text)
    try:
        body = decode_json(response.content)
    except ValueError:
        return ErrorDetail(f"QuickBooks answered {response.status_code}")
    fault = body.get("Fault") or body.get("fault") if isinstance(body, dict) else None
    if isinstance(body, dict) and "error" in body and not fault:
        return ErrorDetail(
            f"QuickBooks refused the request ({body['error']})", code=str(body["error"])
        )
    if not fault:
        return ErrorDetail(f"QuickBooks answered {response.status_code}")
    return fault_detail(fault, http_status=response.status_code)


def fault_detail(fault: Mapping[str, Any], http_status: int | None = None) -> ErrorDetail:
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0]
    code = str(first.get("code") or "")
    message = _plain_message(
        first.get("Message") or first.get("message") or "",
        first.get("Detail") or first.get("detail") or "",
    )
    if code == THROTTLE_CODE:
        return ErrorDetail(message or "QuickBooks asked us to slow down", code, 429)
    status = (
        None if http_status else _STATUS_FOR_FAULT_TYPE.get(str(fault.get("type", "")).lower(), 400)
    )
    return ErrorDetail(message or "QuickBooks refused the request", code, status)


def _plain_message(message: str, detail: str) -> str:
    detail = " ".join(detail.split())
    if message.startswith("message="):
        message = ""  # "message=AuthenticationFailed; errorCode=003200; ..." reads badly
    if not detail:
        return message
    if not message or detail.startswith(message):
        return detail
    return f"{message}: {detail}"


def _describe_xml(text: str) -> ErrorDetail:
    try:
        root = ElementTree.fromstring(text)  # noqa: S314  (our own provider's error body)
    except ElementTree.ParseError:
        return ErrorDetail("QuickBooks answered with an unreadable error")
    error = next((el for el in root.iter() if el.tag.endswith("Error")), None)
    if error is None:
        return ErrorDetail("QuickBooks answered with an error")
    code = error.get("code", "")
    parts = {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in error}
    message = _plain_message(parts.get("Message", ""), parts.get("Detail", ""))
    return ErrorDetail(message, code, 429 if code == THROTTLE_CODE else None)


# --- reading entities ------------------------------------------------------------------------


def parse_company(body: Mapping[str, Any]) -> Company:
    info = body["CompanyInfo"]
    return Company(
        id=str(info.get("Id") or ""), name=info.get("CompanyName") or info.get("LegalName", "")
    )


def parse_contact(row: Mapping[str, Any], kind: ContactKind) -> Contact:
    addr = row.get("BillAddr")
    return Contact(
        id=str(row["Id"]),
        name=row.get("DisplayName", ""),
        kind=kind,
        email=(row.get("PrimaryEmailAddr") or {}).get("Address", ""),
        phone=(row.get("PrimaryPhone") or {}).get("FreeFormNumber", ""),
        address=Address.read(addr, ADDRESS_FIELDS) if addr else None,
        parent_id=(row.get("ParentRef") or {}).get("value"),
        active=bool(row.get("Active", True)),
        # Only a Vendor has an account number in QuickBooks (a Customer has none).
        account_number=str(row.get("AcctNum") or ""),
    )


def parse_account(row: Mapping[str, Any]) -> LedgerAccount | None:
    """A ledger account, or None for accounts without a number (no nominal code to match)."""
    code = (row.get("AcctNum") or "").strip()
    if not code:
        return None
    return LedgerAccount(
        id=str(row["Id"]),
        code=code,
        name=row.get("Name", ""),
        account_type=row.get("AccountType", ""),
        tax_code_id=(row.get("TaxCodeRef") or {}).get("value"),
        active=bool(row.get("Active", True)),
    )


# QBO's entity for each tracking slot: classes are ``Class``, and what the UI calls
# locations is the ``Department`` entity (Intuit's API reference, Department: "Location" in
# the QuickBooks UI). A class goes on each line (ClassRef in SalesItemLineDetail /
# AccountBasedExpenseLineDetail, reference/qbo.md); a location on the header (DepartmentRef).
TRACKING_ENTITIES = {TrackingSlot.CLASS: "Class", TrackingSlot.LOCATION: "Department"}


def parse_tracking(slot: TrackingSlot, rows: Sequence[Mapping[str, Any]]) -> TrackingList:
    """Every class (or location) as one list; a sub-class answers to its full name
    ("Parent:Child"), as QuickBooks shows it."""
    options = tuple(
        TrackingOption(
            id=str(row["Id"]),
            name=str(row.get("FullyQualifiedName") or row.get("Name") or ""),
            active=bool(row.get("Active", True)),
        )
        for row in rows
    )
    return TrackingList(slot=slot, id=slot.value, name=slot.label, options=options)


def parse_tax_codes(
    codes: Sequence[Mapping[str, Any]], rates: Sequence[Mapping[str, Any]]
) -> list[TaxCode]:
    rate_values = {str(r["Id"]): Decimal(str(r.get("RateValue", 0))) for r in rates}
    result = []
    for row in codes:
        details = ((row.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []) or (
            (row.get("PurchaseTaxRateList") or {}).get("TaxRateDetail") or []
        )
        rate = None
        if details:
            rate = rate_values.get(str(details[0].get("TaxRateRef", {}).get("value")))
        name = row.get("Name", "")
        result.append(TaxCode(id=str(row["Id"]), name=name, rate=rate, code=vat_code_for(name)))
    return result


@dataclass(frozen=True)
class RateRef:
    """One TaxRate a TaxCode applies: its Id and percentage."""

    id: str
    percent: Decimal


def rate_refs(
    codes: Sequence[Mapping[str, Any]], rates: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, bool], tuple[RateRef, ...]]:
    """The TaxRates of each TaxCode on sales (False) and on purchases (True); the US
    pseudo-codes TAX and NON name none."""
    percents = {str(r["Id"]): Decimal(str(r.get("RateValue", 0))) for r in rates}
    refs: dict[tuple[str, bool], tuple[RateRef, ...]] = {}
    for row in codes:
        for purchase, field in ((False, "SalesTaxRateList"), (True, "PurchaseTaxRateList")):
            details = (row.get(field) or {}).get("TaxRateDetail") or []
            ids = [str((d.get("TaxRateRef") or {}).get("value")) for d in details]
            refs[(str(row["Id"]), purchase)] = tuple(
                RateRef(rate_id, percents[rate_id]) for rate_id in ids if rate_id in percents
            )
    return refs


def vat_code_for(name: str) -> str | None:
    """ledgersync's VAT code for a UK QBO tax code name ("20.0% S" -> "S", "No VAT" -> "NT")."""
    clean = name.strip()
    if clean.casefold() == "exempt":
        return "E"
    if clean.casefold() == "no vat":
        return "NT"
    match = _VAT_LETTER.search(clean)
    return match.group(1) if match else None


def parse_document(row: Mapping[str, Any], doc_type: DocType) -> RemoteDocument:
    contact = (
        row.get("VendorRef") if doc_type is DocType.SUPPLIER_INVOICE else row.get("CustomerRef")
    )
    tax = (row.get("TxnTaxDetail") or {}).get("TotalTax")
    balance = row.get("Balance")
    return RemoteDocument(
        remote_id=str(row["Id"]),
        doc_type=doc_type,
        number=row.get("DocNumber") or "",
        total=Decimal(str(row.get("TotalAmt", 0))),
        contact_id=str((contact or {}).get("value", "")),
        tax_total=Decimal(str(tax)) if tax is not None else None,
        balance=Decimal(str(balance)) if balance is not None else None,
        issue_date=date.fromisoformat(row["TxnDate"]) if row.get("TxnDate") else None,
    )


def voided(row: Mapping[str, Any]) -> bool:
    """A voided transaction keeps its number with every amount zero and "Voided" in front
    of its PrivateNote (reference/qbo.md section 2)."""
    note = str(row.get("PrivateNote") or "")
    return note.startswith("Voided") and Decimal(str(row.get("TotalAmt", 0))) == 0


def parse_item_account(row: Mapping[str, Any]) -> str | None:
    """The income account a Service item posts to, or None for other items."""
    if row.get("Type") != "Service" or not row.get("Active", True):
        return None
    return (row.get("IncomeAccountRef") or {}).get("value")


# --- building entities ---------------------------------------------------------------------


def check_display_name(name: str) -> str | None:
    """Why QBO would refuse this DisplayName, or None when it is fine."""
    if not name.strip():
        return "A name is required"
    if _NAME_FORBIDDEN.search(name):
        return f"QuickBooks names cannot contain ':', tabs or line breaks ({name!r})"
    if len(name) > 500:
        return "QuickBooks names are at most 500 characters"
    return None


def contact_body(new: NewContact) -> dict[str, Any]:
    body: dict[str, Any] = {"DisplayName": new.name.strip()}
    if new.kind is ContactKind.CUSTOMER:
        body["CompanyName"] = new.name.strip()[:100]
    if new.email:
        body["PrimaryEmailAddr"] = {"Address": new.email}
    if new.phone:
        body["PrimaryPhone"] = {"FreeFormNumber": new.phone[:30]}
    if new.address:
        body["BillAddr"] = new.address.fields(ADDRESS_FIELDS)
    if new.parent_id and new.kind is ContactKind.CUSTOMER:
        body.update(Job=True, ParentRef={"value": new.parent_id}, BillWithParent=True)
    return body


def care_of_update(customer: Contact, parent_id: str, sync_token: str) -> dict[str, Any]:
    """A sparse update putting ``customer`` under its care-of account (billed to the parent)."""
    return {
        "Id": customer.id,
        "SyncToken": sync_token,
        "sparse": True,
        "Job": True,
        "ParentRef": {"value": parent_id},
        "BillWithParent": True,
    }


def item_body(account: LedgerAccount) -> dict[str, Any]:
    return {
        "Name": item_name(account),
        "Type": "Service",
        "IncomeAccountRef": {"value": account.id},
    }


def item_name(account: LedgerAccount) -> str:
    # Item names are unique and <= 100 chars; the code keeps ours apart from the user's.
    return f"{account.code} {account.name}".replace(":", " ")[:ITEM_NAME_MAX].strip()


def document_body(
    document: OutboundDocument,
    *,
    accounts: Mapping[str, LedgerAccount],
    items: Mapping[str, str],
    tax_ids: Sequence[str],
    line_rates: Sequence[Sequence[RateRef]] = (),
    tracking_ids: Mapping[TrackingSlot, str] | None = None,
) -> dict[str, Any]:
    """An Invoice, CreditMemo or Bill. ``items`` maps nominal code -> Service Item id (sales
    lines post through the item's income account); ``tax_ids`` is the TaxCode id per line
    and ``line_rates`` the TaxRates each line's code applies (non-US). Where every line
    carries ledgersync's VAT and applies one rate, the VAT goes too: one TxnTaxDetail
    TaxLine per rate, so QuickBooks books our figures rather than its own. ``tracking_ids``
    holds the Class id (ClassRef on every line) and the location's Department id
    (DepartmentRef on the header) to book, where the connection maps them."""
    inclusive = document.amounts_include_tax
    body: dict[str, Any] = {
        "DocNumber": document.number,
        "TxnDate": document.issue_date.isoformat(),
        "CurrencyRef": {"value": document.currency},
        # UK companies must say how line amounts relate to tax.
        "GlobalTaxCalculation": "TaxInclusive" if inclusive else "TaxExcluded",
    }
    if document.due_date:
        body["DueDate"] = document.due_date.isoformat()
    if document.reference:
        body["PrivateNote"] = document.reference[:4000]
    if document.doc_type is DocType.SUPPLIER_INVOICE:
        body["VendorRef"] = {"value": document.contact_id}
        body["Line"] = [
            _expense_line(line, accounts[line.nominal_code].id, tax_id, inclusive)
            for line, tax_id in zip(document.lines, tax_ids, strict=True)
        ]
    else:
        body["CustomerRef"] = {"value": document.contact_id}
        body["Line"] = [
            _sales_line(line, items[line.nominal_code], tax_id, inclusive)
            for line, tax_id in zip(document.lines, tax_ids, strict=True)
        ]
    tracking_ids = tracking_ids or {}
    if TrackingSlot.LOCATION in tracking_ids:
        body["DepartmentRef"] = {"value": tracking_ids[TrackingSlot.LOCATION]}
    if TrackingSlot.CLASS in tracking_ids:
        for line in body["Line"]:
            line[line["DetailType"]]["ClassRef"] = {"value": tracking_ids[TrackingSlot.CLASS]}
    tax_lines = _tax_lines(document.lines, line_rates)
    if tax_lines is not None:
        body["TxnTaxDetail"] = {
            "TotalTax": wire_number(sum((t.tax for t in tax_lines), Decimal("0.00"))),
            "TaxLine": [t.body() for t in tax_lines],
        }
    return body


@dataclass
class _RateSum:
    rate: RateRef
    net: Decimal
    tax: Decimal

    def body(self) -> dict[str, Any]:
        return {
            "Amount": wire_number(self.tax),
            "DetailType": "TaxLineDetail",
            "TaxLineDetail": {
                "TaxRateRef": {"value": self.rate.id},
                "PercentBased": True,
                "TaxPercent": wire_number(self.rate.percent),
                "NetAmountTaxable": wire_number(self.net),
            },
        }


def _tax_lines(
    lines: Sequence[OutboundLine], line_rates: Sequence[Sequence[RateRef]]
) -> list[_RateSum] | None:
    """Our VAT summed per TaxRate, or None where it cannot be said per rate (a line without
    our figures, a US company, a code applying several rates)."""
    if len(line_rates) != len(lines) or not lines:
        return None
    sums: dict[str, _RateSum] = {}
    for line, rates in zip(lines, line_rates, strict=True):
        if line.net is None or line.tax is None or len(rates) != 1:
            return None
        rate = rates[0]
        found = sums.setdefault(rate.id, _RateSum(rate, Decimal("0.00"), Decimal("0.00")))
        found.net += line.net
        found.tax += line.tax
    return list(sums.values())


def _amounts(line: OutboundLine, inclusive: bool) -> tuple[Decimal, Decimal | None]:
    """The line's Amount (its net) and, tax inclusive, its TaxInclusiveAmt (its gross)."""
    priced = line_net(line.quantity, line.unit_price)
    if line.net is None or line.tax is None:
        return priced, None
    return line.net, (line.net + line.tax if inclusive else None)


def _priced(line: OutboundLine, amount: Decimal, detail: dict[str, Any]) -> None:
    # QBO rejects Amount != Qty x UnitPrice (6070); when rounding (or VAT taken out of an
    # inclusive price) made them differ, the amount goes alone.
    if line.quantity * line.unit_price == amount:
        detail["Qty"] = wire_number(line.quantity)
        detail["UnitPrice"] = wire_number(line.unit_price)


def _sales_line(line: OutboundLine, item_id: str, tax_id: str, inclusive: bool) -> dict[str, Any]:
    amount, gross = _amounts(line, inclusive)
    detail: dict[str, Any] = {"ItemRef": {"value": item_id}, "TaxCodeRef": {"value": tax_id}}
    _priced(line, amount, detail)
    if gross is not None:
        detail["TaxInclusiveAmt"] = wire_number(gross)
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": wire_number(amount),
        "Description": line.text[:4000],
        "SalesItemLineDetail": detail,
    }


def _expense_line(
    line: OutboundLine, account_id: str, tax_id: str, inclusive: bool
) -> dict[str, Any]:
    amount, gross = _amounts(line, inclusive)
    detail: dict[str, Any] = {
        "AccountRef": {"value": account_id},
        "TaxCodeRef": {"value": tax_id},
    }
    if gross is not None:
        detail["TaxInclusiveAmt"] = wire_number(gross)
    return {
        "DetailType": "AccountBasedExpenseLineDetail",
        "Amount": wire_number(amount),
        "Description": line.text[:4000],
        "AccountBasedExpenseLineDetail": detail,
    }


# --- batch ---------------------------------------------------------------------------------


def batch_body(operations: Sequence[tuple[str, str, Mapping[str, Any]]]) -> dict[str, Any]:
    """``operations`` is (bId, entity, body) for creates; bIds are <= 10 chars with requestid."""
    return {
        "BatchItemRequest": [
            {"bId": bid, "operation": "create", entity: dict(body)}
            for bid, entity, body in operations
        ]
    }


def query_batch_body(queries: Mapping[str, str]) -> dict[str, Any]:
    return {"BatchItemRequest": [{"bId": bid, "Query": query} for bid, query in queries.items()]}


def batch_items(body: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Batch answers by bId (QBO does not promise to keep the order)."""
    return {str(item.get("bId")): item for item in body.get("BatchItemResponse", [])}
