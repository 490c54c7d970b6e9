"""The webhook QuickBooks sends when a payment is written (reference/qbo.md section 9):
CloudEvents by default (Intuit's mandatory shape since 2026), the legacy
``eventNotifications`` shape when ``webhook_payload`` is "legacy". Ids only: the receiver
reads the change through CDC. Verbs other than "created" follow the same
``qbo.<entity>.<verb>.v1`` pattern (UNCONFIRMED beyond the documented example).
"""

from __future__ import annotations

import uuid

from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.settings import WebhookPayload

VERBS = {"Create": "created", "Update": "updated", "Delete": "deleted"}


def notify(ctx: WriteContext, entity: str, record_id: str, operation: str) -> None:
    """Send the event for a write to ``entity``, when the sandbox has webhooks set."""
    webhooks = ctx.company.webhooks
    if webhooks is None or not webhooks.on:
        return
    now = ctx.company.now()
    if ctx.settings.webhook_payload is WebhookPayload.LEGACY:
        entities = [
            {
                "id": record_id,
                "operation": operation,
                "name": entity,
                "lastUpdated": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
        ]
        payload: object = {
            "eventNotifications": [
                {"realmId": ctx.company.realm_id, "dataChangeEvent": {"entities": entities}}
            ]
        }
    else:
        payload = [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "intuit.ledgersync-sandbox",
                "type": f"qbo.{entity.lower()}.{VERBS[operation]}.v1",
                "datacontenttype": "application/json",
                "time": now.isoformat().replace("+00:00", "Z"),
                "intuitentityid": record_id,
                "intuitaccountid": ctx.company.realm_id,
                "data": {},
            }
        ]
    webhooks.send(payload)
