"""Invoice, CreditMemo and Bill: lines, tax, totals, balances and numbering (payments.py
holds Payment and BillPayment).

QuickBooks computes TotalAmt (lines + tax) and Balance (TotalAmt less what payments have
applied); a supplied value is overwritten. Sales transactions get a SubTotalLineDetail line
appended in responses. Line Ids restart at "1" per transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ledgersync.sandbox.quickbooks import errors, tax
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.settings import BillNumberScope
from ledgersync.sandbox.quickbooks.store import Company, ref
from ledgersync.sandbox.quickbooks.validate import (
    iso_date,
    money,
    number,
    ref_id,
    referenced,
    text,
    to_money,
)

ZERO = Decimal("0.00")
# What applies money to a transaction: customer payments (to invoices and credit memos) and
# bill payments (to bills).
PAYMENT_ENTITIES = ("Payment", "BillPayment")
# How a bill's LinkedTxn names the bill payment that paid it, by the payment's PayType.
BILL_PAYMENT_TXN_TYPES = {"Check": "BillPaymentCheck", "CreditCard": "BillPaymentCreditCard"}
DOC_NUMBER_MAX = 21
MAX_TAXABLE_LINES = 750
SALES_DETAILS = ("SalesItemLineDetail", "DescriptionOnly", "SubTotalLineDetail")
EXPENSE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
READ_ONLY = {
    "Id",
    "SyncToken",
    "domain",
    "sparse",
    "MetaData",
    "TotalAmt",
    "Balance",
    "HomeBalance",
    "HomeTotalAmt",
    "RemainingCredit",
    "LinkedTxn",
    "UnappliedAmt",
}


def _line_ids(raw_lines: list[dict], existing: dict | None) -> list[str]:
    """Keep the Id of a line that updates an existing one; number new lines after them."""
    known = {line.get("Id") for line in (existing or {}).get("Line", []) if line.get("Id")}
    taken = {str(line.get("Id")) for line in raw_lines if str(line.get("Id")) in known}
    next_id = max([int(i) for i in known | taken if str(i).isdigit()] or [0])
    ids = []
    for line in raw_lines:
        line_id = str(line.get("Id")) if line.get("Id") is not None else None
        if line_id in taken:
            ids.append(line_id)
        else:
            next_id += 1
            ids.append(str(next_id))
    return ids


def _lines(data: dict) -> list[dict]:
    lines = data.get("Line")
    if not isinstance(lines, list) or not lines:
        raise errors.required("Line")
    if not all(isinstance(line, dict) for line in lines):
        raise errors.bad_request_body("Line must be a list of objects")
    return lines


def _numbered(raw_lines: list[dict], existing: dict | None, allowed: tuple[str, ...]):
    """Each line as (LineNum, raw line, Id, DetailType), the DetailType checked: 2020, 2170."""
    line_ids = _line_ids(raw_lines, existing)
    for number_, (raw, line_id) in enumerate(zip(raw_lines, line_ids, strict=True), 1):
        detail_type = raw.get("DetailType")
        if detail_type is None:
            raise errors.required("Line.DetailType")
        if detail_type not in allowed:
            raise errors.invalid_enum("Line.DetailType", detail_type)
        yield number_, raw, line_id, detail_type


def _line(number_: int, raw: dict, line_id: str) -> dict:
    """A line's answer as far as every DetailType shares it."""
    line = {"Id": line_id, "LineNum": number_}
    if raw.get("Description") is not None:
        line["Description"] = raw["Description"]
    return line


def _tax_code(ctx: WriteContext, detail: dict, global_tax: str | None, out: dict) -> str | None:
    """The line's tax code, also written into its detail ``out`` when it has one."""
    code = tax.line_tax_code(ctx.company, detail, global_tax)
    if code is not None:
        out["TaxCodeRef"] = {"value": code}
    return code


def _qty_price(detail: dict, amount: Decimal, out: dict) -> None:
    """Amount must equal Qty x UnitPrice (to the penny) when both are given: 6070."""
    qty = number(detail["Qty"], "Qty") if detail.get("Qty") is not None else None
    price = (
        number(detail["UnitPrice"], "UnitPrice") if detail.get("UnitPrice") is not None else None
    )
    if qty == 0 and price == 0 and amount:
        # python-quickbooks' SalesItemLineDetail starts at Qty 0 and UnitPrice 0; QuickBooks
        # books such a line at its Amount (docs/sandboxes.md): the pair counts as not given.
        qty = price = None
    if qty is not None and price is not None and to_money(qty * price) != amount:
        raise errors.amount_mismatch(amount)
    if qty is not None:
        out["Qty"] = qty
    if price is not None:
        out["UnitPrice"] = price
    elif qty:
        out["UnitPrice"] = amount / qty


def _inclusive_amount(detail: dict, out: dict) -> Decimal | None:
    """The line's TaxInclusiveAmt (its gross under TaxInclusive), kept in its answer."""
    if detail.get("TaxInclusiveAmt") is None:
        return None
    out["TaxInclusiveAmt"] = money(detail["TaxInclusiveAmt"], "TaxInclusiveAmt")
    return out["TaxInclusiveAmt"]


def sales_lines(ctx: WriteContext, data: dict, existing: dict | None, global_tax: str | None):
    raw_lines = [line for line in _lines(data) if line.get("DetailType") != "SubTotalLineDetail"]
    lines, taxed, subtotal = [], [], ZERO
    for number_, raw, line_id, detail_type in _numbered(raw_lines, existing, SALES_DETAILS):
        text(raw, "Description", 4000)
        line = _line(number_, raw, line_id)
        detail = (
            raw.get(detail_type)
            if detail_type != "DescriptionOnly"
            else raw.get("DescriptionLineDetail")
        )
        item_id = ref_id(detail or {}, "ItemRef")
        if detail_type == "DescriptionOnly" or item_id is None:
            # No item: documentation only, and QuickBooks ignores Line.Amount.
            line.update(DetailType="DescriptionOnly", DescriptionLineDetail=dict(detail or {}))
            lines.append(line)
            continue
        if raw.get("Amount") is None:
            raise errors.required("Line.Amount")
        amount = money(raw["Amount"], "Line.Amount")
        item = referenced(ctx.company, "Item", item_id, "Items")
        out = {"ItemRef": ref(item, "Name")}
        if item.get("IncomeAccountRef"):
            out["ItemAccountRef"] = dict(item["IncomeAccountRef"])
        _qty_price(detail, amount, out)
        code = _tax_code(ctx, detail, global_tax, out)
        if detail.get("ServiceDate") is not None:
            out["ServiceDate"] = detail["ServiceDate"]
        _class_ref(ctx, detail, out)
        inclusive = _inclusive_amount(detail, out)
        line.update(Amount=amount, DetailType="SalesItemLineDetail", SalesItemLineDetail=out)
        lines.append(line)
        taxed.append(tax.Taxed(code, amount, inclusive))
        subtotal += amount
    return lines, taxed, subtotal


def expense_lines(ctx: WriteContext, data: dict, existing: dict | None, global_tax: str | None):
    lines, taxed, subtotal = [], [], ZERO
    for number_, raw, line_id, detail_type in _numbered(_lines(data), existing, EXPENSE_DETAILS):
        detail = raw.get(detail_type)
        if not isinstance(detail, dict):
            raise errors.required(f"Line.{detail_type}")
        if raw.get("Amount") is None:
            raise errors.required("Line.Amount")
        amount = money(raw["Amount"], "Line.Amount")
        text(raw, "Description", 4000)
        if detail_type == "AccountBasedExpenseLineDetail":
            account_id = ref_id(detail, "AccountRef")
            if account_id is None:
                raise errors.required("AccountRef")
            account = referenced(ctx.company, "Account", account_id, "Accounts")
            out = {"AccountRef": ref(account, "Name")}
        else:
            item_id = ref_id(detail, "ItemRef")
            if item_id is None:
                raise errors.required("ItemRef")
            out = {"ItemRef": ref(referenced(ctx.company, "Item", item_id, "Items"), "Name")}
            _qty_price(detail, amount, out)
        code = _tax_code(ctx, detail, global_tax, out)
        out["BillableStatus"] = detail.get("BillableStatus", "NotBillable")
        if detail.get("CustomerRef") is not None:
            out["CustomerRef"] = detail["CustomerRef"]
        _class_ref(ctx, detail, out)
        inclusive = _inclusive_amount(detail, out)
        line = _line(number_, raw, line_id)
        line.update(DetailType=detail_type, Amount=amount, **{detail_type: out})
        lines.append(line)
        taxed.append(tax.Taxed(code, amount, inclusive))
        subtotal += amount
    return lines, taxed, subtotal


def _class_ref(ctx: WriteContext, detail: dict, out: dict) -> None:
    """A line's ClassRef must name a class of the company: 2500 Invalid Reference Id when it
    does not, 610 when the class is inactive (validate.referenced, as for every Ref); kept
    with the class's full name, as QuickBooks answers it."""
    class_id = ref_id(detail, "ClassRef")
    if class_id is not None:
        found = referenced(ctx.company, "Class", class_id, "Class")
        out["ClassRef"] = ref(found, "FullyQualifiedName")


def _department_ref(ctx: WriteContext, data: dict, body: dict) -> None:
    """The header's DepartmentRef (a location) must name one of the company's: as ClassRef."""
    department_id = ref_id(data, "DepartmentRef")
    if department_id is None:
        body.pop("DepartmentRef", None)
        return
    found = referenced(ctx.company, "Department", department_id, "Department")
    body["DepartmentRef"] = ref(found, "FullyQualifiedName")


def _doc_number(
    ctx: WriteContext, entity: str, data: dict, existing: dict | None, party: tuple[str, str] | None
):
    """The checked DocNumber (6140 on a duplicate unless include=allowduplicatedocnum)."""
    doc = text(data, "DocNumber", DOC_NUMBER_MAX)
    if doc is None or doc == "":
        if (
            entity in ("Invoice", "CreditMemo")
            and not ctx.settings.custom_txn_numbers
            and existing is None
        ):
            used = [
                int(r["DocNumber"])
                for r in ctx.company.all(entity)
                if str(r.get("DocNumber", "")).isdigit()
            ]
            return str(max(used or [1000]) + 1)
        return None
    if ctx.allow_duplicate_doc_number or (
        entity == "Bill" and ctx.settings.bill_number_scope is BillNumberScope.NONE
    ):
        return doc
    own = existing["Id"] if existing else None
    for other in ctx.company.numbered(entity, doc):
        if other["Id"] == own:
            continue
        if entity == "Bill" and ctx.settings.bill_number_scope is BillNumberScope.VENDOR:
            if party is None or other["VendorRef"]["value"] != party[1]:
                continue
        raise errors.duplicate_doc_number(doc, entity, other["Id"])
    return doc


def _global_tax(ctx: WriteContext, data: dict) -> str | None:
    if ctx.company.is_us:
        return None
    value = data.get("GlobalTaxCalculation", "TaxExcluded")
    if value not in tax.GLOBAL_TAX:
        raise errors.invalid_enum("GlobalTaxCalculation", value)
    if value == "NotApplicable" and (data.get("TxnTaxDetail") or {}).get("TaxLine"):
        raise errors.QBOFault(
            "Invalid TxnTaxDetail Error",
            "6170",
            "The TxnTaxDetail attribute isn't allowed when GlobalTaxCalculation is set to "
            "NotApplicable.",
        )
    return value


def party(ctx: WriteContext, data: dict, field: str, entity: str) -> dict:
    party_id = ref_id(data, field)
    if party_id is None:
        raise errors.required(field)
    return referenced(ctx.company, entity, party_id, "Names")


def header(ctx: WriteContext, data: dict, entity: str, party: dict, party_field: str) -> dict:
    body = {k: v for k, v in data.items() if k not in READ_ONLY}
    text(data, "PrivateNote", 4000)
    _department_ref(ctx, data, body)
    body["TxnDate"] = iso_date(data, "TxnDate") or ctx.company.today()
    body["CurrencyRef"] = ctx.company.currency
    body[party_field] = ref(party)
    return body


def _with_number(body: dict, doc: str | None) -> dict:
    """The header with the checked DocNumber, or with none when there is no number."""
    if doc is not None:
        body["DocNumber"] = doc
    else:
        body.pop("DocNumber", None)
    return body


def applied(
    company: Company, txn_id: str, txn_type: str, skip_payment: str | None = None
) -> Decimal:
    total = ZERO
    payments = [p for entity in PAYMENT_ENTITIES for p in company.all(entity)]
    for payment in payments:
        if payment["Id"] == skip_payment:
            continue
        for line in payment.get("Line", []):
            if any(
                k["TxnId"] == txn_id and k["TxnType"] == txn_type for k in line.get("LinkedTxn", [])
            ):
                total += line["Amount"]
    return total


def _sales(ctx: WriteContext, data: dict, existing: dict | None, entity: str) -> dict:
    customer = party(ctx, data, "CustomerRef", "Customer")
    global_tax = _global_tax(ctx, data)
    doc = _doc_number(ctx, entity, data, existing, None)
    lines, taxed, subtotal = sales_lines(ctx, data, existing, global_tax)
    if sum(1 for line in taxed if line.code) > MAX_TAXABLE_LINES:
        raise errors.business("A taxable transaction can have at most 750 lines.", "Line")
    body = _with_number(header(ctx, data, entity, customer, "CustomerRef"), doc)
    detail = tax.compute(
        ctx.company,
        taxed,
        purchase=False,
        global_tax=global_tax,
        header=data,
        settings=ctx.settings,
    )
    total = tax.transaction_total(detail, subtotal, global_tax)
    paid = applied(ctx.company, existing["Id"], entity) if existing else ZERO
    body.update(
        Line=[
            *lines,
            {"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        ],
        TxnTaxDetail=detail,
        TotalAmt=total,
    )
    if global_tax is not None:
        body["GlobalTaxCalculation"] = global_tax
    if "BillAddr" not in body and customer.get("BillAddr"):
        body["BillAddr"] = dict(customer["BillAddr"])
    body["Balance"] = total - paid
    return body


def save_invoice(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    body = _sales(ctx, data, existing, "Invoice")
    due = (
        iso_date(data, "DueDate")
        or (date.fromisoformat(body["TxnDate"]) + timedelta(days=30)).isoformat()
    )
    body.update(
        DueDate=due,
        Deposit=money(data.get("Deposit", 0), "Deposit"),
        ApplyTaxAfterDiscount=False,
        PrintStatus=data.get("PrintStatus", "NeedToPrint"),
        EmailStatus=data.get("EmailStatus", "NotSet"),
        LinkedTxn=_links(ctx.company, existing),
    )
    return body


def save_creditmemo(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    body = _sales(ctx, data, existing, "CreditMemo")
    body.update(
        LinkedTxn=_links(ctx.company, existing),
        RemainingCredit=body["Balance"],
        PrintStatus=data.get("PrintStatus", "NeedToPrint"),
        EmailStatus=data.get("EmailStatus", "NotSet"),
    )
    return body


def save_bill(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    vendor = party(ctx, data, "VendorRef", "Vendor")
    global_tax = _global_tax(ctx, data)
    doc = _doc_number(ctx, "Bill", data, existing, ("Vendor", vendor["Id"]))
    lines, taxed, subtotal = expense_lines(ctx, data, existing, global_tax)
    body = _with_number(header(ctx, data, "Bill", vendor, "VendorRef"), doc)
    detail = tax.compute(
        ctx.company, taxed, purchase=True, global_tax=global_tax, header=data, settings=ctx.settings
    )
    total = tax.transaction_total(detail, subtotal, global_tax)
    ap_id = ref_id(data, "APAccountRef")
    if ap_id is not None:
        ap = referenced(ctx.company, "Account", ap_id, "Accounts")
    else:
        ap = next(a for a in ctx.company.all("Account") if a["AccountType"] == "Accounts Payable")
    paid = applied(ctx.company, existing["Id"], "Bill") if existing else ZERO
    body.update(
        DueDate=iso_date(data, "DueDate") or body["TxnDate"],
        APAccountRef=ref(ap, "Name"),
        Line=lines,
        TxnTaxDetail=detail,
        TotalAmt=total,
        Balance=total - paid,
        LinkedTxn=list((existing or {}).get("LinkedTxn", [])),
    )
    if global_tax is not None:
        body["GlobalTaxCalculation"] = global_tax
    return body


def _links(company: Company, existing: dict | None) -> list[dict]:
    if existing is None:
        return []
    return [k for k in existing.get("LinkedTxn", []) if k.get("TxnType") == "Payment"]


def linked_txn_ids(payment: dict | None) -> set[tuple[str, str]]:
    if not payment:
        return set()
    return {
        (k["TxnType"], k["TxnId"])
        for line in payment.get("Line", [])
        for k in line.get("LinkedTxn", [])
    }


def refresh_balances(company: Company, targets: set[tuple[str, str]]) -> None:
    """After a payment changes: each linked invoice or credit memo's Balance and LinkedTxn."""
    for txn_type, txn_id in targets:
        record = company.get(txn_type, txn_id)
        if record is None:
            continue
        paid = applied(company, txn_id, txn_type)
        payments = [
            {"TxnId": p["Id"], "TxnType": _link_type(p)}
            for entity in PAYMENT_ENTITIES
            for p in company.all(entity)
            if (txn_type, txn_id) in linked_txn_ids(p)
        ]
        record["Balance"] = record["TotalAmt"] - paid
        if txn_type == "CreditMemo":
            record["RemainingCredit"] = record["Balance"]
        # A credit memo applied by a Payment names it too, as an invoice does.
        record["LinkedTxn"] = payments
        record["SyncToken"] = str(int(record["SyncToken"]) + 1)
        record["MetaData"] = {**record["MetaData"], "LastUpdatedTime": company.stamp()}


def _link_type(payment: dict) -> str:
    """How a paid transaction's LinkedTxn names this payment."""
    if "VendorRef" in payment:
        return BILL_PAYMENT_TXN_TYPES.get(payment.get("PayType", "Check"), "BillPaymentCheck")
    return "Payment"
