"""POST /batch: up to 30 independent operations, each answered on its own.

Per-item failures come back as a Fault inside the item with an overall HTTP 200; more
than 30 items is a 1040 Fault for the whole call. Items run in the order sent (QuickBooks
promises no order, so a connector must not make one item depend on another).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.app import Call
from ledgersync.sandbox.core.wire import BadJson, read_json
from ledgersync.sandbox.quickbooks import errors, operations, query
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.store import ENTITIES

if TYPE_CHECKING:
    from ledgersync.sandbox.quickbooks.app import QuickBooksSandbox

MAX_ITEMS = 30
MAX_REQUEST_ID = 36
ITEM_KEYS = {"bId", "operation", "optionsData", "Query"}


def batch_view(app: QuickBooksSandbox, request: Request, call: Call) -> Response:
    def produce(ctx: WriteContext) -> dict:
        try:
            body = read_json(request)
        except BadJson as exc:
            raise errors.bad_request_body(str(exc)) from None
        items = body.get("BatchItemRequest") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise errors.required("BatchItemRequest")
        if len(items) > MAX_ITEMS:
            raise errors.batch_too_large(len(items))
        return {"BatchItemResponse": [run_item(ctx, item) for item in items]}

    return app.answer(request, call, produce, max_request_id=MAX_REQUEST_ID)


def run_item(ctx: WriteContext, item: object) -> dict:
    if not isinstance(item, dict):
        return {
            "Fault": errors.bad_request_body("BatchItemRequest entries must be objects").fault()
        }
    answer: dict = {"bId": item.get("bId")}
    try:
        answer.update(_perform(ctx, item))
    except errors.QBOFault as fault:
        answer["Fault"] = fault.fault()
    return answer


def _perform(ctx: WriteContext, item: dict) -> dict:
    if "Query" in item:
        return {"QueryResponse": query.run(ctx.company, str(item["Query"]))}
    keys = [k for k in item if k not in ITEM_KEYS]
    if len(keys) != 1 or keys[0].lower() not in ENTITIES:
        raise errors.bad_request_body("Each batch item needs exactly one entity object or a Query.")
    entity = ENTITIES[keys[0].lower()]
    options = item.get("optionsData") or []
    options = [options] if isinstance(options, str) else list(options)
    item_ctx = WriteContext(
        ctx.company, ctx.settings, ctx.include | {str(o).lower() for o in options}
    )
    operation = str(item.get("operation", "create")).lower()
    data = item[keys[0]]
    if operation == "delete":
        return {entity: operations.delete(item_ctx, entity, data)}
    if operation == "update" and "void" in item_ctx.include:
        return {entity: operations.void(item_ctx, entity, data)}
    if operation not in ("create", "update"):
        raise errors.unsupported(f"{operation} for {entity}")
    return {entity: operations.save(item_ctx, entity, data, operation)}
