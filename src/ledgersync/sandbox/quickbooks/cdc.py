"""GET /cdc?entities=Invoice,Payment&changedSince=...: what changed, deletions last."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.app import Call
from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.store import ENTITIES

if TYPE_CHECKING:
    from ledgersync.sandbox.quickbooks.app import QuickBooksSandbox

LOOK_BACK = timedelta(days=30)
MAX_OBJECTS = 1000
NOT_SUPPORTED = ("TaxCode", "TaxRate", "CompanyInfo", "Preferences")


def cdc_view(app: QuickBooksSandbox, request: Request, call: Call) -> Response:
    def produce(ctx: WriteContext) -> dict:
        names = [n.strip() for n in request.args.get("entities", "").split(",") if n.strip()]
        if not names:
            raise errors.required("entities")
        raw_since = request.args.get("changedSince")
        if not raw_since:
            raise errors.required("changedSince")
        try:
            since = datetime.fromisoformat(raw_since.replace("Z", "+00:00"))
        except ValueError:
            raise errors.invalid_date("changedSince", raw_since) from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=ctx.company.local_now().tzinfo)
        if since < ctx.company.now() - LOOK_BACK:
            raise errors.business("changedSince can be at most 30 days ago.", "changedSince")
        responses = []
        for name in names:
            entity = ENTITIES.get(name.lower())
            if entity is None or entity in NOT_SUPPORTED:
                raise errors.unsupported(f"cdc for {name}")
            changed = [r for r in ctx.company.all(entity) if _updated(r) >= since]
            deleted = [
                {
                    "status": "Deleted",
                    "domain": "QBO",
                    "Id": t["Id"],
                    "MetaData": {"LastUpdatedTime": t["LastUpdatedTime"]},
                }
                for t in ctx.company.tombstones
                if t["entity"] == entity and t["at"] >= since
            ]
            found = (changed + deleted)[:MAX_OBJECTS]
            part = {entity: found, "startPosition": 1, "maxResults": len(found)} if found else {}
            responses.append(part)
        return {"CDCResponse": [{"QueryResponse": responses}]}

    return app.answer(request, call, produce)


def _updated(record: dict) -> datetime:
    return datetime.fromisoformat(record["MetaData"]["LastUpdatedTime"])
