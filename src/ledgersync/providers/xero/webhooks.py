"""Xero webhooks (reference/xero.md section 8): signed with the app's webhook key in
``x-xero-signature``; which tenants a delivery names."""

from __future__ import annotations

from ledgersync.providers.webhooks import dicts

SIGNATURE_HEADER = "x-xero-signature"
# Xero has no payment category: a payment changes its invoice (an INVOICE UPDATE event).
PAYMENT_CATEGORIES = frozenset({"INVOICE", "CREDITNOTE"})


def companies(payload: object) -> set[str]:
    """The tenant ids of a delivery's invoice and credit-note events (none for the
    intent-to-receive check, whose ``events`` is empty)."""
    events = payload.get("events") if isinstance(payload, dict) else None
    tenants = {
        str(e.get("tenantId", ""))
        for e in dicts(events)
        if e.get("eventCategory") in PAYMENT_CATEGORIES
    }
    tenants.discard("")
    return tenants
