"""The webhooks Xero sends (reference/xero.md section 8, specs/xero-webhooks.yaml): a
payment changes its invoice or credit note, so it is an INVOICE / CREDITNOTE UPDATE event
(Xero has no payment category); and the intent-to-receive check, a series of empty-events
payloads some signed right and some wrong, which a receiver passes by answering 200 (with an
empty body) and 401 respectively.

    POST /_sandbox/webhooks/intent   run the check now -> {"status", "deliveries"}
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.wire import json_response
from ledgersync.sandbox.xero import documents
from ledgersync.sandbox.xero.store import Organisation

if TYPE_CHECKING:
    from ledgersync.sandbox.xero.app import XeroSandbox

RESOURCE_URL = "https://api.xero.com/api.xro/2.0"
PASSED = "OK"
FAILED = "Intent to receive is required"


def document_updated(org: Organisation, kind: documents.DocKind, document: dict) -> None:
    """The event for a change to an invoice or credit note, when webhooks are set."""
    webhooks = org.webhooks
    if webhooks is None or not webhooks.on:
        return
    sequence = org.sequences.get("webhook", 0) + 1
    org.sequences["webhook"] = sequence
    resource_id = document[kind.id_field]
    event: dict = {
        "resourceUrl": f"{RESOURCE_URL}/{kind.collection}/{resource_id}",
        "resourceId": resource_id,
        "eventDateUtc": org.now().replace(tzinfo=None).isoformat(timespec="milliseconds"),
        "eventType": "UPDATE",
        "eventCategory": "INVOICE" if kind is documents.INVOICES else "CREDITNOTE",
        "tenantId": org.tenant_id,
        "tenantType": "ORGANISATION",
    }
    if kind is documents.CREDIT_NOTES:
        event["data"] = {"Type": document["Type"], "Status": document["Status"]}
    webhooks.send(
        {
            "events": [event],
            "firstEventSequence": sequence,
            "lastEventSequence": sequence,
            "entropy": _entropy(),
        }
    )


def intent_to_receive(app: XeroSandbox, request: Request) -> Response:
    webhooks = app.webhooks
    if webhooks is None or not webhooks.on:
        return json_response({"error": "set webhook.url and webhook.key first"}, 400)
    deliveries = []
    for signed_right in (True, False, False, True):
        body = {"events": [], "firstEventSequence": 0, "lastEventSequence": 0}
        raw = json.dumps({**body, "entropy": _entropy()}).encode()
        deliveries.append(webhooks.deliver(raw, signed_right=signed_right))
    passed = all(
        (d["status"], d.get("body", "")) == (200, "") if d["signed_right"] else d["status"] == 401
        for d in deliveries
    )
    return json_response({"status": PASSED if passed else FAILED, "deliveries": deliveries})


def _entropy() -> str:
    return "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(20))
