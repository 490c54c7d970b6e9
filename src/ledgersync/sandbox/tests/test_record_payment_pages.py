"""Each sandbox's web view records a payment from a document's page, as the package's own
app does: the form is there while money is owed, a payment in part lowers what is
outstanding (the API then says so), and too much is refused in words, changing nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.test import Client

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
