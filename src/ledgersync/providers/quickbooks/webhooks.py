"""QuickBooks webhooks (reference/qbo.md section 9): signed with the app's verifier token in
``intuit-signature``; which realms a delivery names."""

from __future__ import annotations

from ledgersync.providers.webhooks import dicts

SIGNATURE_HEADER = "intuit-signature"
# The entities whose change can change what has been paid on our documents.
PAYMENT_ENTITIES = frozenset({"payment", "billpayment", "invoice", "creditmemo", "bill"})


def companies(payload: object) -> set[str]:
    """The realm ids whose payments may have changed, from either shape Intuit sends: the
    legacy ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities"}}]}`` or
    the CloudEvents array (``intuitaccountid``, ``type`` "qbo.<entity>.<verb>.v1")."""
    realms: set[str] = set()
    if isinstance(payload, dict):
        for note in dicts(payload.get("eventNotifications")):
            change = note.get("dataChangeEvent")
            entities = dicts(change.get("entities")) if isinstance(change, dict) else []
            if any(str(e.get("name", "")).lower() in PAYMENT_ENTITIES for e in entities):
                realms.add(str(note.get("realmId", "")))
    else:
        for event in dicts(payload):
            parts = str(event.get("type", "")).split(".")
            if len(parts) > 1 and parts[1].lower() in PAYMENT_ENTITIES:
                realms.add(str(event.get("intuitaccountid", "")))
    realms.discard("")
    return realms
