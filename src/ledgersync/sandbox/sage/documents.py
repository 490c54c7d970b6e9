"""Sales invoices, sales credit notes and purchase invoices: validation, tax, totals and
numbering, as POST /sales_invoices, /sales_credit_notes and /purchase_invoices do them.

Sage numbers sales documents itself (``SI-n``, one counter shared with credit notes unless
separate numbering is on); a client's own number belongs in ``reference``. Lines need an
explicit ``tax_amount`` unless their rate is zero, exempt or no tax; a line without a
``tax_rate_id`` takes its ledger account's default rate. The amount is booked, recomputed
or refused beyond a tolerance as the settings say (``supplied_tax``). A line with
``unit_price_includes_tax`` prices gross: its total is quantity x unit price (less any
discount), its net that total less its tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledgersync.sandbox.core.supplied_tax import TaxOutOfTolerance, booked_tax
from ledgersync.sandbox.sage.contacts import contact_types
from ledgersync.sandbox.sage.errors import Problems, invalid, not_found
from ledgersync.sandbox.sage.ledger import UNTAXED_KINDS
from ledgersync.sandbox.sage.settings import SageSettings
from ledgersync.sandbox.sage.store import GBP, Business

CENT = Decimal("0.01")
REFERENCE_MAX, VENDOR_REFERENCE_MAX, NOTES_MAX = 25, 31, 2000


@dataclass(frozen=True)
class Kind:
    collection: str  # also the URL path
    resource: str  # the body's wrapper key
    lines: str
    contact_type: str
    contact_word: str  # as in Sage's "Couldn't find Supplier."
    visible: str  # ledger accounts must be visible_in_<this>
    transaction_type: tuple[str, str]
    web: str


SALES_INVOICE = Kind(
    "sales_invoices",
    "sales_invoice",
    "invoice_lines",
    "CUSTOMER",
    "Customer",
    "sales",
    ("SALES_INVOICE", "Sales Invoice"),
    "/invoicing/sales_invoices",
)
SALES_CREDIT_NOTE = Kind(
    "sales_credit_notes",
    "sales_credit_note",
    "credit_note_lines",
    "CUSTOMER",
    "Customer",
    "sales",
    ("SALES_CREDIT_NOTE", "Sales Credit Note"),
    "/invoicing/sales_credit_notes",
)
PURCHASE_INVOICE = Kind(
    "purchase_invoices",
    "purchase_invoice",
    "invoice_lines",
    "VENDOR",
    "Supplier",
    "expenses",
    ("PURCHASE_INVOICE", "Purchase Invoice"),
    "/invoicing/purchase_invoices",
)
KINDS = {k.collection: k for k in (SALES_INVOICE, SALES_CREDIT_NOTE, PURCHASE_INVOICE)}
STATUSES = {
    "DRAFT": "Draft",
    "UNPAID": "Unpaid",
    "PART_PAID": "Part Paid",
    "PAID": "Paid",
    "VOID": "Void",
}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: object, source: str, problems: Problems) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        problems.add("is not a number", source)
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        problems.add("is not a number", source)
        return None


def _date(value: object, source: str, problems: Problems) -> str | None:
    if value is None or value == "":
        problems.required(source)
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        problems.add("is not a valid date", source)
        return None


def status(record_id: str) -> dict:
    return {
        "id": record_id,
        "displayed_as": STATUSES[record_id],
        "$path": f"/artefact_statuses/{record_id}",
    }


def create(business: Business, settings: SageSettings, kind: Kind, data: object) -> dict:
    """Validate a POST body and store the document; raises SageError listing the problems."""
    problems = Problems()
    body = problems.wrapped(data, kind.resource)
    contact = _contact(business, kind, body, problems)
    issued = _date(body.get("date"), "date", problems)
    due = body.get("due_date")
    if kind is PURCHASE_INVOICE or due not in (None, ""):
        due = _date(due, "due_date", problems)
    reference = problems.text(body, "reference", REFERENCE_MAX)
    vendor_reference = problems.text(body, "vendor_reference", VENDOR_REFERENCE_MAX)
    notes = problems.text(body, "notes", NOTES_MAX)
    lines = _lines(business, settings, kind, body.get(kind.lines), problems)
    # Created as a draft, or (the default) posted: UNPAID.
    draft = body.get("status_id") == "DRAFT"
    if body.get("status_id") not in (None, "", "DRAFT", "UNPAID"):
        problems.add("is not a valid status for a new document", "status_id")
    if kind is PURCHASE_INVOICE and vendor_reference and settings.unique_vendor_reference:
        taken = any(
            d["vendor_reference"] == vendor_reference
            and d["contact"]["id"] == body.get("contact_id")
            for d in business.all(kind.collection)
        )
        if taken:
            problems.add("has already been taken", "vendor_reference")
    problems.raise_any()
    assert contact is not None and issued is not None
    record = _store(
        business, settings, kind, contact, issued, due, reference, vendor_reference, notes, lines
    )
    if draft:
        record["status"] = status("DRAFT")
    return record


def _contact(business: Business, kind: Kind, body: dict, problems: Problems) -> dict | None:
    contact_id = body.get("contact_id")
    if not contact_id:
        problems.required("contact_id")
        return None
    contact = business.get("contacts", contact_id)
    if contact is None:
        raise not_found("contact_id")
    if kind.contact_type not in contact_types(contact):
        # Sage staff, sageone_api_php_sample #29: a non-vendor on a purchase invoice.
        problems.add(f"Couldn't find {kind.contact_word}.", "")
    return contact


def _lines(
    business: Business, settings: SageSettings, kind: Kind, raw: object, problems: Problems
) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        problems.required(kind.lines)
        return []
    lines = []
    for line in raw:
        if not isinstance(line, dict):
            problems.add("is invalid", kind.lines)
            continue
        built = _line(business, settings, kind, line, problems)
        if built is not None:
            lines.append(built)
    return lines


def _line(
    business: Business, settings: SageSettings, kind: Kind, line: dict, problems: Problems
) -> dict | None:
    src = kind.lines
    description = line.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.required(f"{src}.description")
    unit_price = _decimal(line.get("unit_price"), f"{src}.unit_price", problems)
    if line.get("unit_price") is None:
        problems.required(f"{src}.unit_price")
    quantity = _decimal(line.get("quantity"), f"{src}.quantity", problems)
    if quantity is None and kind is PURCHASE_INVOICE and line.get("quantity") is None:
        problems.required(f"{src}.quantity")
    account = _ledger_account(business, kind, line.get("ledger_account_id"), problems)
    rate = _tax_rate(business, line.get("tax_rate_id"), account, src, problems)
    tax_amount = _decimal(line.get("tax_amount"), f"{src}.tax_amount", problems)
    if rate is not None and tax_amount is None and rate["_kind"] not in UNTAXED_KINDS:
        problems.add(
            "is required unless the tax rate is of a 'zero', 'exempt' or 'no_tax' type",
            f"{src}.tax_amount",
        )
    discount = _decimal(line.get("discount_amount"), f"{src}.discount_amount", problems) or Decimal(
        "0"
    )
    given_net = _decimal(line.get("net_amount"), f"{src}.net_amount", problems)
    inclusive = line.get("unit_price_includes_tax") is True
    if unit_price is None or account is None or rate is None:
        return None
    quantity = Decimal("1") if quantity is None else quantity
    priced = money(quantity * unit_price - discount)
    percent = Decimal(str(rate["percentage"]))
    if inclusive:
        own = priced * percent / (Decimal(100) + percent)
    else:
        own = (money(given_net) if given_net is not None else priced) * percent / Decimal(100)
    try:
        tax = booked_tax(
            own, tax_amount, settings.supplied_tax, settings.supplied_tax_tolerance_pence
        )
    except TaxOutOfTolerance as refused:
        problems.add(
            f"is more than {refused.tolerance_pence}p from the tax the rate gives "
            f"({refused.computed})",
            f"{src}.tax_amount",
        )
        return None
    if given_net is not None:
        net = money(given_net)
    else:
        net = priced - tax if inclusive else priced
    return {
        "id": business.new_id("lines"),
        "displayed_as": description,
        "description": description,
        "ledger_account": business.base("ledger_accounts", account),
        "quantity": quantity,
        "unit_price": unit_price,
        "net_amount": net,
        "tax_rate": business.base("tax_rates", rate),
        "tax_amount": tax,
        "total_amount": net + tax,
        "discount_amount": discount,
        "tax_breakdown": [
            {
                "tax_rate": business.base("tax_rates", rate),
                "percentage": rate["percentage"],
                "amount": tax,
            }
        ],
        "unit_price_includes_tax": inclusive,
    }


def _ledger_account(
    business: Business, kind: Kind, account_id: object, problems: Problems
) -> dict | None:
    if not account_id:
        problems.required(f"{kind.lines}.ledger_account_id")
        return None
    account = business.get("ledger_accounts", account_id)
    if account is None:
        raise not_found(f"{kind.lines}.ledger_account_id")
    if not account[f"visible_in_{kind.visible}"]:
        # Sage staff (sageone_api_php_sample #32): sales lines need accounts visible in
        # sales, purchase lines accounts visible in expenses.
        problems.add(
            f"The ledger account {account['displayed_as']} is not visible in {kind.visible}",
            f"{kind.lines}.ledger_account_id",
        )
        return None
    return account


def _tax_rate(
    business: Business, rate_id: object, account: dict | None, src: str, problems: Problems
) -> dict | None:
    if rate_id:
        rate = business.get("tax_rates", rate_id)
        if rate is None:
            raise not_found(f"{src}.tax_rate_id")
        return rate
    default = (account or {}).get("tax_rate")
    if default is None:
        if account is not None:
            problems.required(f"{src}.tax_rate_id")
        return None
    return business.get("tax_rates", default["id"])


def _store(
    business: Business,
    settings: SageSettings,
    kind: Kind,
    contact: dict,
    issued: str,
    due: str | None,
    reference: str,
    vendor_reference: str,
    notes: str,
    lines: list[dict],
) -> dict:
    record_id = business.new_id(kind.collection)
    net = sum((line["net_amount"] for line in lines), Decimal("0"))
    tax = sum((line["tax_amount"] for line in lines), Decimal("0"))
    body: dict[str, Any] = {
        "_web": [("alternate", f"{kind.web}/{record_id}")],
        "editable": True,
        "transaction": {"id": business.new_id("transactions"), "displayed_as": "", "$path": ""},
        "transaction_type": {
            "id": kind.transaction_type[0],
            "displayed_as": kind.transaction_type[1],
            "$path": f"/transaction_types/{kind.transaction_type[0]}",
        },
        "deleted_at": None,
        "contact": business.base("contacts", contact),
        **_numbering(business, settings, kind),
        "contact_name": contact["name"],
        "contact_reference": contact["reference"],
        "date": issued,
        "due_date": due,
        "reference": reference,
        "notes": notes,
        "net_amount": net,
        "tax_amount": tax,
        "total_amount": net + tax,
        "payments_allocations_total_amount": Decimal("0"),
        "payments_allocations_total_discount": Decimal("0"),
        "total_paid": Decimal("0"),
        "outstanding_amount": net + tax,
        "currency": GBP,
        "exchange_rate": Decimal("1"),
        "status": status("UNPAID"),
        "void_reason": None,
        kind.lines: lines,
        "last_paid": "",
    }
    body["transaction"]["$path"] = f"/transactions/{body['transaction']['id']}"
    if kind is PURCHASE_INVOICE:
        body["vendor_reference"] = vendor_reference
        shown = reference or vendor_reference
    else:
        body["sent"] = False
        # _numbering gave a sales invoice its invoice_number, a credit note the other.
        shown = body.get("invoice_number") or body["credit_note_number"]
    record = business.stamped(kind.collection, record_id, shown, body)
    record["transaction"]["displayed_as"] = shown
    return business.add(kind.collection, record)


def _numbering(business: Business, settings: SageSettings, kind: Kind) -> dict:
    if kind is PURCHASE_INVOICE:
        return {}
    if kind is SALES_INVOICE or not settings.separate_credit_note_numbering:
        number = business.next("sales-number")
    else:
        number = business.next("credit-note-number")
    if kind is SALES_INVOICE:
        return {"invoice_number_prefix": "SI-", "invoice_number": f"SI-{number}"}
    return {"credit_note_number_prefix": "SCN-", "credit_note_number": f"SCN-{number}"}


def pay(business: Business, data: object) -> dict:
    """POST /contact_payments: a receipt or payment allocated against documents."""
    problems = Problems()
    body = problems.wrapped(data, "contact_payment")
    for key in ("transaction_type_id", "contact_id", "bank_account_id", "date", "total_amount"):
        if body.get(key) in (None, ""):
            problems.required(key)
    total = _decimal(body.get("total_amount"), "total_amount", problems)
    problems.raise_any()
    contact = business.get("contacts", body["contact_id"])
    if contact is None:
        raise not_found("contact_id")
    bank_account = business.get("bank_accounts", body["bank_account_id"])
    if bank_account is None:
        raise not_found("bank_account_id")
    record_id = business.new_id("contact_payments")
    link = {
        "id": record_id,
        "displayed_as": body.get("reference") or "",
        "$path": f"/contact_payments/{record_id}",
    }
    paid = {"date": body["date"], "reference": body.get("reference") or "", "link": link}
    allocated = []
    with business.lock:
        for entry in body.get("allocated_artefacts") or []:
            allocated.append(_allocate(business, entry, problems, paid))
        problems.raise_any()
        record = business.stamped(
            "contact_payments",
            record_id,
            body.get("reference") or "",
            {
                "transaction_type": {
                    "id": body["transaction_type_id"],
                    "displayed_as": "",
                    "$path": "",
                },
                "contact": business.base("contacts", contact),
                "bank_account": business.base("bank_accounts", bank_account),
                "date": body["date"],
                "total_amount": total,
                "reference": body.get("reference") or "",
                "allocated_artefacts": allocated,
            },
        )
        return business.add("contact_payments", record)


def _allocate(business: Business, entry: object, problems: Problems, paid: dict) -> dict:
    """Apply one ``allocated_artefacts`` entry to its document, which then lists it among
    its ``payments_allocations`` (shown with ``show_payments_allocations=true``)."""
    if not isinstance(entry, dict) or not entry.get("artefact_id"):
        problems.required("allocated_artefacts.artefact_id")
        return {}
    amount = _decimal(entry.get("amount"), "allocated_artefacts.amount", problems) or Decimal("0")
    for kind in KINDS.values():
        document = business.get(kind.collection, entry["artefact_id"])
        if document is not None:
            break
    else:
        raise not_found("allocated_artefacts.artefact_id")
    if document["status"]["id"] == "DRAFT":
        # Not yet posted: nothing is owed on it (the wording is UNCONFIRMED).
        raise invalid("can't be allocated to a draft", "allocated_artefacts.artefact_id")
    if amount <= 0 or amount > document["outstanding_amount"]:
        # The wording is UNCONFIRMED; Sage refuses an allocation above what is outstanding.
        raise invalid(
            "must be greater than 0 and no more than the outstanding amount",
            "allocated_artefacts.amount",
        )
    document["total_paid"] += amount
    document["payments_allocations_total_amount"] += amount
    document["outstanding_amount"] = document["total_amount"] - document["total_paid"]
    document["status"] = status("PAID" if document["outstanding_amount"] <= 0 else "PART_PAID")
    document["last_paid"] = paid["date"]
    document["updated_at"] = business.stamp()
    document["_payments_allocations"] = [
        *document.get("_payments_allocations", []),
        {
            "date": paid["date"],
            "type": {"id": "PAYMENT", "displayed_as": "Payment", "$path": "/payment_types/PAYMENT"},
            "reference": paid["reference"],
            "amount": amount,
            "discount": Decimal("0"),
            "contact_payment": paid["link"],
            "contact_allocation": None,
            "artefact": business.base(kind.collection, document),
            "negative_payment": False,
        },
    ]
    return {
        "artefact": business.base(kind.collection, document),
        "amount": amount,
        "discount": Decimal("0"),
    }


def remove(business: Business, kind: Kind, record_id: str, void_reason: str | None) -> dict | None:
    """``DELETE /<collection>/{key}``: voids a sales document (``void_reason`` required once
    past draft), deletes a purchase document (sage-swagger). Returns the voided record, or
    None for a deletion (204). A document with money allocated to it is refused (the
    wording is UNCONFIRMED)."""
    record = business.get(kind.collection, record_id)
    if record is None or record.get("void_reason"):
        raise not_found()
    with business.lock:
        if record["total_paid"] or record["outstanding_amount"] != record["total_amount"]:
            raise invalid(
                "This transaction has payments or credits allocated and cannot be removed."
            )
        if kind is PURCHASE_INVOICE or record["status"]["id"] == "DRAFT":
            # A draft was never posted: it goes, reason or not.
            del business.records[kind.collection][record_id]
            return None
        if not void_reason:
            raise invalid("can't be blank", "void_reason")
        record.update(
            void_reason=void_reason,
            status=status("VOID"),
            outstanding_amount=Decimal("0"),
            editable=False,
        )
        return record
