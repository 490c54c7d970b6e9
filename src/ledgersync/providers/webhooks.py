"""The webhook wire facts of QuickBooks and Xero, written once for the receiver
(sync/webhooks.py) and for the sandboxes that send them.

Both sign the raw request body the same way, base64(HMAC-SHA256(secret, body)), in their
own header: QuickBooks with the app's verifier token in ``intuit-signature``, Xero with the
app's webhook key in ``x-xero-signature`` (reference/qbo.md section 9, reference/xero.md
section 8). Their payloads carry only ids, so a webhook is a nudge to pull, never data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

QUICKBOOKS_SIGNATURE_HEADER = "intuit-signature"
XERO_SIGNATURE_HEADER = "x-xero-signature"

# The QuickBooks entities whose change can change what has been paid on our documents.
QUICKBOOKS_PAYMENT_ENTITIES = frozenset({"payment", "billpayment", "invoice", "creditmemo", "bill"})
# Xero has no payment category: a payment changes its invoice (an INVOICE UPDATE event).
XERO_PAYMENT_CATEGORIES = frozenset({"INVOICE", "CREDITNOTE"})


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signed_right(secret: str, body: bytes, given: str | None) -> bool:
    """The header matches the body signed with the secret (compared in constant time)."""
    return bool(given) and hmac.compare_digest(signature(secret, body), given or "")


def quickbooks_realms(payload: object) -> set[str]:
    """The realm ids whose payments may have changed, from either shape Intuit sends: the
    legacy ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities"}}]}`` or
    the CloudEvents array (``intuitaccountid``, ``type`` "qbo.<entity>.<verb>.v1")."""
    realms: set[str] = set()
    if isinstance(payload, dict):
        for note in _dicts(payload.get("eventNotifications")):
            change = note.get("dataChangeEvent")
            entities = _dicts(change.get("entities")) if isinstance(change, dict) else []
            if any(str(e.get("name", "")).lower() in QUICKBOOKS_PAYMENT_ENTITIES for e in entities):
                realms.add(str(note.get("realmId", "")))
    else:
        for event in _dicts(payload):
            parts = str(event.get("type", "")).split(".")
            if len(parts) > 1 and parts[1].lower() in QUICKBOOKS_PAYMENT_ENTITIES:
                realms.add(str(event.get("intuitaccountid", "")))
    realms.discard("")
    return realms


def xero_tenants(payload: object) -> set[str]:
    """The tenant ids of a Xero delivery's invoice and credit-note events (none for the
    intent-to-receive check, whose ``events`` is empty)."""
    events = payload.get("events") if isinstance(payload, dict) else None
    tenants = {
        str(e.get("tenantId", ""))
        for e in _dicts(events)
        if e.get("eventCategory") in XERO_PAYMENT_CATEGORIES
    }
    tenants.discard("")
    return tenants


def _dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
