"""Webhooks nudge the payments pull (#17), over real HTTP both ways: the sandbox, told
where ledgersync listens, POSTs its signed event when a payment is recorded, and ledgersync's
endpoint pulls (the queue runs tasks at once in tests, inside the webhook's request). The
same delivery again changes nothing more; a forged one is 401 and pulls nothing. Against
Xero alone: the intent-to-receive check, and the answers for an unknown company, a body
that is not JSON and an endpoint that is off."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import httpx
import pytest

from ledgersync.providers.webhooks import signature
from ledgersync.sync.models import PaidBalance, PaymentsPull
from ledgersync.sync.paid import PaidWord
from ledgersync.sync.tests.test_payments_come_back import paid, record_payment, synced_invoice

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "webhook-key-for-tests-0123456789"
HEADERS = {"quickbooks": "intuit-signature", "xero": "x-xero-signature"}


@pytest.fixture
def webhooks_on(settings, sandbox, live_server):
    """ledgersync's endpoint on, and the sandbox sending to it; returns the endpoint."""
    settings.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN = KEY
    settings.XERO_WEBHOOK_KEY = KEY
    url = f"{live_server.url}/webhooks/{sandbox.slug}/"
    # In tests the pull runs inside the webhook's request (the queue is immediate), so the
    # sandbox waits longer than its 3 s default for the answer on a busy machine.
    webhook = {"url": url, "key": KEY, "timeout_seconds": 30}
    httpx.put(f"{sandbox.url}/_sandbox/settings", json={"webhook": webhook}).raise_for_status()
    return url


def deliveries(sandbox, count: int) -> list[dict]:
    """The sandbox's deliveries once ``count`` have been answered (they run in the
    background)."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        sent = httpx.get(f"{sandbox.url}/_sandbox/webhooks").json()
        if len(sent) >= count:
            return sent
        time.sleep(0.05)
    raise AssertionError(f"the sandbox sent {len(sent)} webhooks, not {count}")


def post(url: str, header: str, body: bytes, key: str = KEY) -> httpx.Response:
    return httpx.post(url, content=body, headers={header: signature(key, body)}, timeout=20)


@pytest.mark.parametrize("sandbox_server", ["quickbooks", "xero"], indirect=True)
def test_a_payment_reaches_the_document_through_a_webhook(demo, sandbox, webhooks_on):
    organisation, connection = demo
    document = synced_invoice(organisation, connection)
    assert not PaidBalance.objects.filter(document=document).exists()

    record_payment(sandbox, connection, document, "40.00", "BACS 201", dt.date(2025, 4, 1))
    (sent,) = deliveries(sandbox, 1)
    assert (sent["status"], sent["body"]) == (200, "")
    state, outstanding, rows = paid(document)
    assert (state, rows) == (PaidWord.PART_PAID, [(Decimal("40.00"), "BACS 201")])
    kept = PaidBalance.objects.get(document=document)

    # The same delivery again: another pull, nothing more changed.
    body = json.dumps(sent["payload"]).encode()
    header = HEADERS[sandbox.slug]
    assert post(webhooks_on, header, body).status_code == 200
    pull = PaymentsPull.objects.get(connection=connection)
    assert (pull.error, pull.changed) == ("", 0)
    assert PaidBalance.objects.get(document=document).changed_at == kept.changed_at

    # Forged: the wrong key, or no signature at all. Refused, and nothing pulled.
    assert post(webhooks_on, header, body, key="not-the-key").status_code == 401
    assert httpx.post(webhooks_on, content=body, timeout=20).status_code == 401
    assert PaymentsPull.objects.get(connection=connection).tried_at == pull.tried_at


@pytest.mark.parametrize("sandbox_server", ["xero"], indirect=True)
def test_xero_intent_to_receive_and_what_else_is_refused(settings, sandbox, webhooks_on):
    check = httpx.post(f"{sandbox.url}/_sandbox/webhooks/intent", timeout=30).json()
    assert check["status"] == "OK"
    assert [d["status"] for d in check["deliveries"]] == [200, 401, 401, 200]

    header = HEADERS["xero"]
    stranger = {
        "events": [
            {
                "resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/1",
                "resourceId": "1",
                "eventDateUtc": "2026-12-04T10:00:00.000",
                "eventType": "UPDATE",
                "eventCategory": "INVOICE",
                "tenantId": "00000000-0000-0000-0000-000000000000",
                "tenantType": "ORGANISATION",
            }
        ],
        "firstEventSequence": 1,
        "lastEventSequence": 1,
        "entropy": "ABCDEFGHIJ",
    }
    answer = post(webhooks_on, header, json.dumps(stranger).encode())
    assert (answer.status_code, answer.content) == (200, b"")
    assert "set-cookie" not in answer.headers  # Xero: 200, an empty body and no cookies
    assert not PaymentsPull.objects.exists()
    assert post(webhooks_on, header, b"{not json").status_code == 400
    assert post(webhooks_on, header, b"x" * 300_000).status_code == 400
    assert httpx.get(webhooks_on).status_code == 405

    settings.XERO_WEBHOOK_KEY = ""
    assert post(webhooks_on, header, json.dumps(stranger).encode()).status_code == 404
    check = httpx.post(f"{sandbox.url}/_sandbox/webhooks/intent", timeout=30).json()
    assert check["status"] == "Intent to receive is required"
