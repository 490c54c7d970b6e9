"""Create, read, update (full or sparse), delete and void: the same steps for every entity,
with each entity's own rules in its writer. Used by the REST endpoints and by /batch.
"""

from __future__ import annotations

from collections.abc import Callable

from ledgersync.sandbox.quickbooks import contacts, documents, errors, ledger, payments, webhooks
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.store import envelope
from ledgersync.sandbox.quickbooks.validate import sync_token_ok, without_blanks

Writer = Callable[[WriteContext, dict, "dict | None"], dict]

WRITERS: dict[str, Writer] = {
    "Customer": contacts.save_customer,
    "Vendor": contacts.save_vendor,
    "Account": ledger.save_account,
    "Item": ledger.save_item,
    "Class": ledger.save_class,
    "Department": ledger.save_department,
    "Invoice": documents.save_invoice,
    "CreditMemo": documents.save_creditmemo,
    "Bill": documents.save_bill,
    "Payment": payments.save_payment,
    "BillPayment": payments.save_billpayment,
}
DELETABLE = ("Invoice", "CreditMemo", "Bill", "Payment", "BillPayment")
VOIDABLE = ("Invoice", "CreditMemo", "Payment")


def read(ctx: WriteContext, entity: str, record_id: str) -> dict:
    record = ctx.company.get(entity, record_id)
    if record is None:
        raise errors.object_not_found()
    return record


def save(ctx: WriteContext, entity: str, data: object, operation: str = "create") -> dict:
    """Create, or update when the body has an Id (``operation`` update/create alike)."""
    if entity not in WRITERS:
        raise errors.unsupported(f"{operation} for {entity}")
    if not isinstance(data, dict):
        raise errors.bad_request_body(f"The request body must be a {entity} object.")
    data = without_blanks(data)
    if data.get("Id") is None:
        if operation == "update":
            raise errors.required("Id")
        return _create(ctx, entity, data)
    return _update(ctx, entity, data)


def _create(ctx: WriteContext, entity: str, data: dict) -> dict:
    body = WRITERS[entity](ctx, data, None)
    now = ctx.company.stamp()
    record = envelope(
        ctx.company.next_id(entity), "0", body, {"CreateTime": now, "LastUpdatedTime": now}
    )
    ctx.company.put(entity, record)
    _after(ctx, entity, None, record)
    return record


def _update(ctx: WriteContext, entity: str, data: dict) -> dict:
    existing = ctx.company.get(entity, str(data["Id"]))
    if existing is None:
        raise errors.object_not_found()
    sync_token_ok(existing, data)
    if data.get("sparse") is True:
        merged = {**existing, **data}
    else:
        # A full update replaces every writable field; what is left out is cleared.
        merged = {**data}
    body = WRITERS[entity](ctx, merged, existing)
    meta = {**existing["MetaData"], "LastUpdatedTime": ctx.company.stamp()}
    record = envelope(existing["Id"], str(int(existing["SyncToken"]) + 1), body, meta)
    ctx.company.put(entity, record)
    _after(ctx, entity, existing, record)
    return record


def _after(ctx: WriteContext, entity: str, before: dict | None, after: dict | None) -> None:
    if entity in documents.PAYMENT_ENTITIES:
        targets = documents.linked_txn_ids(before) | documents.linked_txn_ids(after)
        documents.refresh_balances(ctx.company, targets)
        operation = "Create" if before is None else "Delete" if after is None else "Update"
        webhooks.notify(ctx, entity, (after or before or {}).get("Id", ""), operation)


def delete(ctx: WriteContext, entity: str, data: object) -> dict:
    existing = _for_change(ctx, entity, data, DELETABLE, "delete")
    if entity in ("Invoice", "CreditMemo", "Bill") and documents.applied(
        ctx.company, existing["Id"], entity
    ):
        raise errors.business("This transaction has payments applied. Delete the payments first.")
    ctx.company.remove(entity, existing["Id"])
    _after(ctx, entity, existing, None)
    return {"status": "Deleted", "domain": "QBO", "Id": existing["Id"]}


def void(ctx: WriteContext, entity: str, data: object) -> dict:
    """Void keeps the record with every amount at zero."""
    existing = _for_change(ctx, entity, data, VOIDABLE, "void")
    if entity != "Payment" and documents.applied(ctx.company, existing["Id"], entity):
        raise errors.business("This transaction has payments applied. Delete the payments first.")
    record = {**existing}
    zero = documents.ZERO
    record["Line"] = [
        {**line, "Amount": zero} if "Amount" in line else line for line in existing.get("Line", [])
    ]
    if "TxnTaxDetail" in record:
        record["TxnTaxDetail"] = {"TotalTax": zero}
    record.update(
        TotalAmt=zero,
        PrivateNote=f"Voided - {note}" if (note := existing.get("PrivateNote")) else "Voided",
    )
    if "Balance" in record:
        record["Balance"] = zero
    if entity == "CreditMemo":
        record["RemainingCredit"] = zero
    if entity == "Payment":
        record["UnappliedAmt"] = zero
    record["SyncToken"] = str(int(existing["SyncToken"]) + 1)
    record["MetaData"] = {**existing["MetaData"], "LastUpdatedTime": ctx.company.stamp()}
    ctx.company.put(entity, record)
    _after(ctx, entity, existing, record)
    return record


def _for_change(
    ctx: WriteContext, entity: str, data: object, allowed: tuple[str, ...], operation: str
) -> dict:
    if entity not in allowed:
        raise errors.unsupported(f"{operation} for {entity}")
    if not isinstance(data, dict) or data.get("Id") in (None, ""):
        raise errors.required("Id")
    existing = ctx.company.get(entity, str(data["Id"]))
    if existing is None:
        raise errors.object_not_found()
    sync_token_ok(existing, data)
    return existing
