"""Which companies a webhook delivery nudges (providers/<slug>/webhooks.py): both QuickBooks
payload shapes, only changes that can move a payment, and Xero's intent-to-receive check
naming none. No database, no HTTP: the end-to-end runs are in sync/tests/test_webhooks.py."""

from __future__ import annotations

from ledgersync.providers.quickbooks.webhooks import companies as quickbooks_realms
from ledgersync.providers.webhooks import signed_right
from ledgersync.providers.xero.webhooks import companies as xero_tenants


def test_quickbooks_both_shapes_and_only_payment_changes():
    legacy = {
        "eventNotifications": [
            {"realmId": "1", "dataChangeEvent": {"entities": [{"name": "Payment", "id": "9"}]}},
            {"realmId": "2", "dataChangeEvent": {"entities": [{"name": "Customer", "id": "3"}]}},
        ]
    }
    cloud = [
        {"type": "qbo.billpayment.created.v1", "intuitaccountid": "3"},
        {"type": "qbo.account.created.v1", "intuitaccountid": "4"},
        {"type": "qbo.invoice.updated.v1", "intuitaccountid": "5"},
    ]
    assert quickbooks_realms(legacy) == {"1"}
    assert quickbooks_realms(cloud) == {"3", "5"}
    assert quickbooks_realms({"eventNotifications": "x"}) == quickbooks_realms(7) == set()


def test_xero_invoice_and_credit_note_events_only():
    events = [
        {"eventCategory": "INVOICE", "tenantId": "a"},
        {"eventCategory": "CONTACT", "tenantId": "b"},
        {"eventCategory": "CREDITNOTE", "tenantId": "c"},
    ]
    assert xero_tenants({"events": events}) == {"a", "c"}
    assert xero_tenants({"events": [], "firstEventSequence": 0, "entropy": "X"}) == set()
    assert not signed_right("key", b"{}", None) and not signed_right("key", b"{}", "")
