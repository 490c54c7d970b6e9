"""Invoices (ACCREC sales, ACCPAY bills) and credit notes (ACCRECCREDIT, ACCPAYCREDIT):
validation with Xero's messages, totals (see ``tax.py``), numbering and status rules.

Sales numbers are unique ("Invoice # must be unique."); bill numbers are the supplier's
and may repeat. A line without a TaxType takes its account's default.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgersync.sandbox.core.supplied_tax import TaxOutOfTolerance
from ledgersync.sandbox.xero import contacts, tax
from ledgersync.sandbox.xero.errors import ElementInvalid, PostDataInvalid
from ledgersync.sandbox.xero.store import Organisation, render
from ledgersync.sandbox.xero.wire import BadValue, parse_date, parse_decimal

CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
ZERO_GUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class DocKind:
    collection: str  # "Invoices"
    singular: str  # "Invoice"
    id_field: str
    number_field: str
    types: tuple[str, str]  # (sales, purchase)
    attribute: str  # Organisation attribute holding the records
    prefix: str  # Xero's own numbering

    @property
    def sales_type(self) -> str:
        return self.types[0]

    def records(self, org: Organisation) -> dict[str, dict]:
        return getattr(org, self.attribute)


INVOICES = DocKind(
    "Invoices", "Invoice", "InvoiceID", "InvoiceNumber", ("ACCREC", "ACCPAY"), "invoices", "INV"
)
CREDIT_NOTES = DocKind(
    "CreditNotes",
    "CreditNote",
    "CreditNoteID",
    "CreditNoteNumber",
    ("ACCRECCREDIT", "ACCPAYCREDIT"),
    "credit_notes",
    "CN",
)
DUPLICATE_MESSAGE = {
    INVOICES: "Invoice # must be unique.",
    CREDIT_NOTES: "Credit Note # must be unique.",
}


def find(org: Organisation, kind: DocKind, id_or_number: str) -> dict | None:
    """A document by id, or (as Xero's path also allows) by number."""
    records = kind.records(org)
    if id_or_number.lower() in records:
        return records[id_or_number.lower()]
    wanted = id_or_number.casefold()
    return next(
        (r for r in records.values() if r.get(kind.number_field, "").casefold() == wanted), None
    )


def save(
    org: Organisation, kind: DocKind, data: dict, unitdp: int, existing: dict | None = None
) -> dict:
    """Create or update one document from a request element; ElementInvalid on refusal."""
    if existing is not None:
        _check_editable(kind, existing, data)
        if set(data) <= {kind.id_field, "Status"}:
            return _change_status(org, existing, data.get("Status", existing["Status"]))
    doc_type = data.get("Type", existing["Type"] if existing else None)
    if doc_type not in kind.types:
        raise ElementInvalid(f"{kind.singular} Type must be one of {', '.join(kind.types)}.")
    problems: list[str] = []
    contact = _contact(org, data, existing, problems)
    record = _header(org, kind, data, existing, doc_type, problems)
    lines = data.get("LineItems", existing["LineItems"] if existing else [])
    record["LineItems"] = _lines(org, lines, record["LineAmountTypes"], unitdp, problems)
    if not record["LineItems"] and record["Status"] == "AUTHORISED":
        problems.append(f"{kind.singular} must have at least one line item.")
    _check_number(org, kind, record, problems)
    if problems:
        raise ElementInvalid(*problems)
    assert contact is not None
    _settle(org, kind, record, contact)
    kind.records(org)[record[kind.id_field]] = record
    return record


def _check_editable(kind: DocKind, existing: dict, data: dict) -> None:
    if existing["Status"] in ("DELETED", "VOIDED", "PAID"):
        raise ElementInvalid(f"{kind.singular} not of valid status for modification")
    if existing.get("Payments") and set(data) - {kind.id_field, "Status"}:
        raise ElementInvalid(
            "This document cannot be edited as it has a payment or credit note allocated to it."
        )


def _change_status(org: Organisation, record: dict, status: Any) -> dict:
    allowed: dict[str, tuple[str, ...]] = {
        "DRAFT": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
        "SUBMITTED": ("SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"),
    }
    allowed["AUTHORISED"] = (
        ("AUTHORISED", "VOIDED") if not record.get("Payments") else ("AUTHORISED",)
    )
    if status not in allowed.get(record["Status"], ()):
        raise ElementInvalid(f"Cannot change the status from {record['Status']} to {status}.")
    record["Status"] = status
    record["UpdatedDateUTC"] = org.now()
    return record


def _contact(
    org: Organisation, data: dict, existing: dict | None, problems: list[str]
) -> dict | None:
    given = data.get("Contact", existing["Contact"] if existing else None)
    try:
        return contacts.for_document(org, given)
    except ElementInvalid as invalid:
        problems.extend(invalid.messages)
        return None


def _header(
    org: Organisation,
    kind: DocKind,
    data: dict,
    existing: dict | None,
    doc_type: str,
    problems: list,
) -> dict:
    record = dict(existing) if existing else _blank(kind, doc_type)
    record["Type"] = doc_type
    for name in (kind.number_field, "Reference", "Url"):
        if name in data:
            if not isinstance(data[name], str | None):
                raise PostDataInvalid(f"The value for {name} is not a string.")
            record[name] = (data[name] or "").strip()
    if doc_type != kind.sales_type:
        record.pop("Reference", None)  # Reference is a sales-only field
    else:
        # A sales document sent without a Reference answers "Reference": "" (the GET
        # /Invoices example in Xero's OpenAPI document), never leaves it out.
        record.setdefault("Reference", "")
    try:
        for name in ("Date", "DueDate"):
            if data.get(name):
                record[name] = parse_date(data[name])
    except BadValue as bad:
        raise PostDataInvalid(str(bad)) from None
    record.setdefault("Date", org.today())
    mode = data.get("LineAmountTypes", record["LineAmountTypes"])
    if mode not in tax.LineAmountTypes.__members__.values():
        problems.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
        mode = "Exclusive"
    record["LineAmountTypes"] = mode
    status = data.get("Status", record["Status"])
    if status not in CREATE_STATUSES:
        problems.append(f"{kind.singular} Status must be DRAFT, SUBMITTED or AUTHORISED.")
        status = "DRAFT"
    record["Status"] = status
    if status == "AUTHORISED" and kind is INVOICES and not record.get("DueDate"):
        problems.append("The document DueDate field must be specified.")
    currency = data.get("CurrencyCode", "GBP")
    if currency != "GBP":
        problems.append(f"Organisation is not subscribed to currency {currency}")
    return record


def _blank(kind: DocKind, doc_type: str) -> dict:
    record: dict = {
        "Type": doc_type,
        kind.id_field: str(uuid.uuid4()),
        "Status": "DRAFT",
        "LineAmountTypes": "Exclusive",
    }
    record.update(
        {
            "CurrencyCode": "GBP",
            "CurrencyRate": Decimal("1.000000"),
            "Payments": [],
            "HasAttachments": False,
            "HasErrors": False,
        }
    )
    if kind is INVOICES:
        record.update(
            {
                "CreditNotes": [],
                "Prepayments": [],
                "Overpayments": [],
                "IsDiscounted": False,
                "SentToContact": False,
            }
        )
    else:
        record["Allocations"] = []
    return record


def _lines(
    org: Organisation, given: Any, mode: str, unitdp: int, problems: list[str]
) -> list[dict]:
    if not isinstance(given, list):
        raise PostDataInvalid("LineItems must be a list.")
    lines = []
    for data in given:
        if not isinstance(data, dict):
            raise PostDataInvalid("Each line item must be an object.")
        lines.append(_line(org, data, tax.LineAmountTypes(mode), unitdp, problems))
    return lines


def _line(
    org: Organisation, data: dict, mode: tax.LineAmountTypes, unitdp: int, problems: list[str]
) -> dict:
    try:
        quantity = parse_decimal(data.get("Quantity", 1), "Quantity").quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )
        unit_given = data.get("UnitAmount")
        discount = (
            parse_decimal(data["DiscountRate"], "DiscountRate")
            if data.get("DiscountRate")
            else None
        )
        if unit_given is None and data.get("LineAmount") is not None and quantity:
            unit = parse_decimal(data["LineAmount"], "LineAmount") / quantity
        else:
            unit = parse_decimal(unit_given or 0, "UnitAmount")
        given_tax = (
            parse_decimal(data["TaxAmount"], "TaxAmount")
            if data.get("TaxAmount") is not None
            else None
        )
    except BadValue as bad:
        raise PostDataInvalid(str(bad)) from None
    unit = unit.quantize(Decimal(1).scaleb(-unitdp), ROUND_HALF_UP)
    line: dict[str, object] = {
        "LineItemID": str(uuid.uuid4()),
        "Description": str(data.get("Description") or "").strip(),
    }
    line.update({"Quantity": quantity, "UnitAmount": unit, "Tracking": [], "ValidationErrors": []})
    if not line["Description"]:
        problems.append("Description needs to be at least 1 char long")
    account = None
    code = data.get("AccountCode")
    if code:
        account = org.account_by_code(str(code))
        if account is None:
            problems.append(f"Account code '{code}' is not a valid code for this document.")
        else:
            line["AccountCode"], line["AccountID"] = account["Code"], account["AccountID"]
    line["Tracking"] = _tracking(org, data.get("Tracking"), problems)
    rate = _tax_rate(org, data.get("TaxType"), account, mode, problems)
    line["TaxType"] = rate["TaxType"] if rate else (data.get("TaxType") or "NONE")
    amount = tax.line_amount(quantity, unit, discount)
    if discount:
        line["DiscountRate"] = discount
    line["LineAmount"] = amount
    settings = org.settings
    try:
        line["TaxAmount"] = tax.line_tax(
            amount,
            rate["EffectiveRate"] if rate else Decimal(0),
            mode,
            given_tax,
            supplied=settings.supplied_tax,
            tolerance_pence=settings.supplied_tax_tolerance_pence,
        )
    except TaxOutOfTolerance as refused:
        problems.append(
            f"Tax amount {refused.supplied} is incorrect for {line['TaxType']} tax type, "
            f"should be {refused.computed}"
        )
        line["TaxAmount"] = refused.computed
    return line


def _tracking(org: Organisation, given: Any, problems: list[str]) -> list[dict]:
    """A line's Tracking: up to two {Name, Option} (or TrackingCategoryID /
    TrackingOptionID) entries, kept with both names and ids (reference/xero.md).

    By name, a category or option the organisation does not have (or has archived) is
    dropped and the line is booked without it: Xero does not create them and does not refuse
    (calcinai/xero-php#84, "If the category and option don't exist in Xero, then they won't
    be added to the line item"; xero-php#636, xero-node#86). Ids that name nothing are a
    validation error (xero-node#516: with wrong ids "usually I'd get an error").
    """
    if given in (None, []):
        return []
    if not isinstance(given, list) or not all(isinstance(t, dict) for t in given):
        raise PostDataInvalid("Tracking must be a list of tracking categories.")
    kept: list[dict] = []
    for entry in given:
        category, option = _tracking_pair(org, entry, problems)
        if category is None or option is None:
            continue
        if any(k["TrackingCategoryID"] == category["TrackingCategoryID"] for k in kept):
            problems.append("A line item can have only one option per tracking category.")
            continue
        kept.append(
            {
                "Name": category["Name"],
                "Option": option["Name"],
                "TrackingCategoryID": category["TrackingCategoryID"],
                "TrackingOptionID": option["TrackingOptionID"],
            }
        )
    if len(kept) > 2:
        problems.append("A line item can have at most 2 tracking categories.")
    return kept


def _tracking_pair(
    org: Organisation, entry: dict, problems: list[str]
) -> tuple[dict | None, dict | None]:
    category_id = str(entry.get("TrackingCategoryID") or "").lower()
    if category_id:
        category = org.tracking_categories.get(category_id)
        if category is None or category["Status"] != "ACTIVE":
            problems.append("The TrackingCategoryID is not valid.")
            return None, None
    else:
        category = org.tracking_category_named(str(entry.get("Name") or ""))
        if category is None:
            return None, None  # unknown by name: dropped
    option_id = str(entry.get("TrackingOptionID") or "").lower()
    active = [o for o in category["Options"] if o["Status"] == "ACTIVE"]
    if option_id:
        option = next((o for o in active if o["TrackingOptionID"] == option_id), None)
        if option is None:
            problems.append("The TrackingOptionID is not valid.")
        return category, option
    wanted = str(entry.get("Option") or "").strip().casefold()
    option = next((o for o in active if o["Name"].strip().casefold() == wanted), None)
    return category, option  # None (unknown by name): dropped


def _tax_rate(
    org: Organisation,
    given: Any,
    account: dict | None,
    mode: tax.LineAmountTypes,
    problems: list[str],
) -> dict | None:
    code = given or (account or {}).get("TaxType")
    if mode is tax.LineAmountTypes.NO_TAX and not given:
        return org.tax_rates.get("NONE")
    if not code:
        if account is not None:
            problems.append("Tax rate must be valid.")
        return None
    rate = org.tax_rates.get(str(code))
    if rate is None or rate["Status"] != "ACTIVE":
        problems.append(
            f"The TaxType code {code} does not exist or cannot be used for this type of "
            "transaction."
        )
        return None
    if account is not None and not rate[f"CanApplyTo{_class_word(account)}"]:
        problems.append(
            f"The TaxType code '{code}' cannot be used with account code '{account['Code']}'."
        )
    return rate


def _class_word(account: dict) -> str:
    return {
        "ASSET": "Assets",
        "EQUITY": "Equity",
        "EXPENSE": "Expenses",
        "LIABILITY": "Liabilities",
    }.get(account["Class"], "Revenue")


def _check_number(org: Organisation, kind: DocKind, record: dict, problems: list[str]) -> None:
    if record["Type"] != kind.sales_type:
        return  # a supplier's numbers are theirs: Xero does not keep them unique
    number = record.get(kind.number_field, "")
    taken = {
        r.get(kind.number_field, "").casefold()
        for r in kind.records(org).values()
        if r["Type"] == kind.sales_type
        and r["Status"] != "DELETED"
        and r[kind.id_field] != record[kind.id_field]
    }
    if not number:
        while not number or number.casefold() in taken:
            number = org.next_number(kind.prefix)
        record[kind.number_field] = number
    elif number.casefold() in taken:
        problems.append(DUPLICATE_MESSAGE[kind])


def _settle(org: Organisation, kind: DocKind, record: dict, contact: dict) -> None:
    """Totals, amounts due and the contact link, once the element is known to be valid."""
    mode = tax.LineAmountTypes(record["LineAmountTypes"])
    sums = tax.totals(
        [tax.LineTotal(ln["LineAmount"], ln["TaxAmount"]) for ln in record["LineItems"]], mode
    )
    record.update({"SubTotal": sums.sub_total, "TotalTax": sums.total_tax, "Total": sums.total})
    paid = sum((p["Amount"] for p in record.get("Payments", [])), Decimal("0.00"))
    if kind is INVOICES:
        record["AmountPaid"] = paid
        record.setdefault("AmountCredited", Decimal("0.00"))
        record["AmountDue"] = sums.total - paid - record["AmountCredited"]
    else:
        record["RemainingCredit"] = sums.total - paid
    record["Contact"] = contacts.summary(contact)
    record["UpdatedDateUTC"] = org.now()
    if record["Status"] == "AUTHORISED":
        flag = "IsCustomer" if record["Type"] == kind.sales_type else "IsSupplier"
        contact[flag] = True


# What ``summaryOnly=true`` leaves out of a listed document: its lines and what is
# allocated to it (the "computation-heavy fields"; which ones exactly is UNCONFIRMED).
SUMMARY_ONLY_DROPS = ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments")


def present(org: Organisation, record: dict, unitdp: int = 2) -> dict:
    """A document for the wire, with its contact as it is now."""
    contact = org.contacts.get(record["Contact"]["ContactID"])
    shown = {**record, "Contact": contacts.summary(contact) if contact else record["Contact"]}
    return render(shown, unitdp)


def listed(kind: DocKind, *, paged: bool, summary_only: bool) -> Callable[[dict], dict]:
    """How a GET on the collection trims each presented document. Unpaged, invoices come
    without their lines: "When you retrieve multiple invoices ... no line details are
    returned ... The line item details will be returned when you retrieve an individual
    invoice ... or by using the optional paging parameter" (Xero's Invoices page, quoted in
    xero-node#200 and xero-php#253)."""
    drops = set(SUMMARY_ONLY_DROPS if summary_only else ())
    if kind is INVOICES and not paged:
        drops.add("LineItems")
    return lambda shown: {k: v for k, v in shown.items() if k not in drops}


def failed_element(kind: DocKind, data: Any, messages: list[str]) -> dict:
    """A refused element as Xero echoes it: what could be read back, plus the errors."""
    element: dict = {}
    if isinstance(data, dict):
        for name in (
            "Type",
            kind.number_field,
            "Reference",
            "Status",
            "LineAmountTypes",
            "CurrencyCode",
        ):
            if isinstance(data.get(name), str):
                element[name] = data[name]
        if element.get("Type") not in kind.types:
            element.pop("Type", None)
        if element.get("Status") not in (*CREATE_STATUSES, "DELETED", "VOIDED", "PAID"):
            element.pop("Status", None)
        if element.get("LineAmountTypes") not in tax.LineAmountTypes.__members__.values():
            element.pop("LineAmountTypes", None)
        given = data.get("Contact")
        if isinstance(given, dict):
            element["Contact"] = {
                k: v for k, v in given.items() if k in ("ContactID", "Name") and isinstance(v, str)
            }
    element.update({kind.id_field: ZERO_GUID, "HasErrors": True, "StatusAttributeString": "ERROR"})
    element["ValidationErrors"] = [{"Message": message} for message in messages]
    return element
