"""The read-only web view shows customers, vendors and synced documents."""

from __future__ import annotations

import httpx


def test_a_customer_page_has_the_real_deep_link_shape(app, api):
    web = httpx.Client(transport=app.transport(), base_url="http://qbo.sandbox.test")
    customer = api.one("Customer", "DisplayName", "Oakfield Primary School")
    page = web.get("/app/customerdetail", params={"nameId": customer["Id"]})
    assert page.status_code == 200
    assert "Oakfield Primary School" in page.text and "S1003" in page.text


def test_a_synced_invoice_shows_its_lines_and_totals(app, api):
    web = httpx.Client(transport=app.transport(), base_url="http://qbo.sandbox.test")
    invoice = api.one("Invoice", "DocNumber", "S1003")
    page = web.get("/app/invoice", params={"txnId": invoice["Id"]})
    assert "Labour: replace classroom lighting" in page.text
    assert "<td class='num' id='total'>180.00</td>" in page.text
    assert web.get("/app/invoice", params={"txnId": "99999"}).status_code == 404


def test_lists_and_the_company_picker_render(app):
    web = httpx.Client(transport=app.transport(), base_url="http://qbo.sandbox.test")
    assert "Second Fix Plumbing Ltd" in web.get("/app/").text
    assert "Marlow Homes" in web.get("/app/customers", params={"realmId": "9341452168453013"}).text
    assert "Marlow Homes" in web.get("/app/customers").text  # the chosen company is remembered
    assert (
        "Builders Merchants Direct"
        in web.get("/app/vendors", params={"realmId": "9341452168453012"}).text
    )
    assert "BMD-5521" in web.get("/app/bills").text
    assert app.log.entries() == []
