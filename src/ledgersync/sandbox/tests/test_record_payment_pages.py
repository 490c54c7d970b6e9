"""Each sandbox's web view records a payment from a document's page, as the package's own
app does: the form is there while money is owed, a payment in part lowers what is
outstanding (the API then says so), and too much is refused in words, changing nothing; with
a webhook URL set, QuickBooks and Xero then send their signed event in the background."""

from __future__ import annotations

import http.server
import json
import threading
import time
from decimal import Decimal

import pytest
from werkzeug.test import Client

from ledgersync.providers.webhooks import signature
from ledgersync.sandbox import make_app


def quickbooks(app):
    company = next(iter(app.store.values()))
    invoice = next(r for r in company.all("Invoice") if r.get("Balance"))
    page = f"/app/invoice?txnId={invoice['Id']}&realmId={company.realm_id}"
    post = (f"/app/recordpayment?realmId={company.realm_id}", {"txnType": "Invoice"})
    return (
        page,
        post,
        {"txnId": invoice["Id"]},
        lambda: company.get("Invoice", invoice["Id"])["Balance"],
    )


def xero(app):
    org = next(iter(app.orgs.values()))
    invoice = next(
        r for r in org.invoices.values() if r["Status"] == "AUTHORISED" and r["Type"] == "ACCREC"
    )
    page = f"/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}"
    post = (f"/AccountsReceivable/RecordPayment?shortcode={org.short_code}", {})
    return page, post, {"InvoiceID": invoice["InvoiceID"]}, lambda: invoice["AmountDue"]


def sage(app):
    business = next(iter(app.store.values()))
    invoice = next(r for r in business.all("sales_invoices") if r["outstanding_amount"] > 0)
    page = f"/invoicing/sales_invoices/{invoice['id']}?business={business.id}"
    post = (f"/invoicing/sales_invoices/{invoice['id']}/payment?business={business.id}", {})
    return page, post, {}, lambda: invoice["outstanding_amount"]


@pytest.mark.parametrize("slug, find", [("quickbooks", quickbooks), ("xero", xero), ("sage", sage)])
def test_a_payment_recorded_on_the_page_lowers_what_is_outstanding(slug, find):
    app = make_app(slug)
    client = Client(app)
    page, (action, extra), ids, outstanding = find(app)
    before = Decimal(outstanding())
    assert 'id="record-payment"' in client.get(page).text

    paid = client.post(action, data={**extra, **ids, "amount": "10.00", "reference": "WEB 1"})
    assert paid.status_code == 303
    assert Decimal(outstanding()) == before - Decimal("10.00")

    refused = client.post(action, data={**extra, **ids, "amount": "99999.00"})
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert Decimal(outstanding()) == before - Decimal("10.00")


class SlowReceiver:
    """A webhook receiver on loopback that takes its time, keeping what it was sent."""

    DELAY = 1.0

    def __init__(self) -> None:
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers.items()), body))
                time.sleep(SlowReceiver.DELAY)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.mark.parametrize(
    "slug, find, settings, header",
    [
        ("quickbooks", quickbooks, {"webhook_payload": "legacy"}, "intuit-signature"),
        ("xero", xero, {}, "x-xero-signature"),
    ],
)
def test_a_payment_on_the_page_sends_a_signed_webhook_without_waiting(slug, find, settings, header):
    app = make_app(slug)
    client = Client(app)
    receiver = SlowReceiver()
    webhook = {"webhook": {"url": receiver.url, "key": "k3y"}, **settings}
    assert client.put("/_sandbox/settings", json=webhook).status_code == 200
    page, (action, extra), ids, outstanding = find(app)

    started = time.monotonic()
    paid = client.post(action, data={**extra, **ids, "amount": "10.00", "reference": "WEB 2"})
    assert paid.status_code == 303 and time.monotonic() - started < SlowReceiver.DELAY

    deadline = time.monotonic() + 10
    while not app.webhooks.deliveries() and time.monotonic() < deadline:
        time.sleep(0.05)
    (delivery,) = app.webhooks.deliveries()
    assert delivery["status"] == 200 and delivery["signed_right"]
    (headers, body), *_ = receiver.received
    assert {k.lower(): v for k, v in headers.items()}[header] == signature("k3y", body)
    payload = json.loads(body)
    if slug == "quickbooks":
        (note,) = payload["eventNotifications"]
        assert note["dataChangeEvent"]["entities"][0]["name"] == "Payment"
        assert note["realmId"] == next(iter(app.store))
    else:
        (event,) = payload["events"]
        assert (event["eventCategory"], event["eventType"]) == ("INVOICE", "UPDATE")
        assert event["resourceId"] == ids["InvoiceID"] and event["tenantId"] in app.orgs
    receiver.server.shutdown()
