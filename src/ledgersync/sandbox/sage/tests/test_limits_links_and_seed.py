"""Rate limits per business, error shapes outside validation, the numeric web links of
contacts, the web view, and the demo seed."""

from __future__ import annotations

from ledgersync.sandbox.sage.seed import DEMO_ID, SECOND_ID
from ledgersync.sandbox.sage.tests.conftest import ROOT, Api


def test_about_200_requests_a_minute_per_business_then_429(app, api):
    statuses = [api.get("/tax_rates").status_code for _ in range(200)]
    assert set(statuses) == {200}
    over = api.get("/tax_rates")
    assert over.status_code == 429
    assert over.json()[0]["$dataCode"] == "TooManyRequests"
    assert Api(app, SECOND_ID).get("/tax_rates").status_code == 200  # its own allowance
    app.clock.advance(61)
    assert api.get("/tax_rates").status_code == 200


def test_a_bad_token_is_a_401_error_array(api):
    answer = api.http.get("/v3.1/contacts", headers={"Authorization": "Bearer nonsense"})
    assert answer.status_code == 401
    assert answer.json() == [
        {
            "$severity": "error",
            "$dataCode": "AuthorizationFailure",
            "$message": "The access token is not valid.",
            "$source": "",
        }
    ]


def test_without_x_business_the_lead_business_answers(app, api):
    del api.http.headers["X-Business"]
    assert api.get("/businesses").json()["$items"] == [
        {"id": DEMO_ID, "displayed_as": "Demo Trades Ltd", "$path": f"/businesses/{DEMO_ID}"}
    ]
    assert api.get("/businesses").json()["$items_per_page"] == 20


def test_contact_links_use_a_numeric_id_the_api_does_not_take(api):
    contact = api.get(f"/contacts/{api.contact('Harbour Cafe')}").json()
    link = contact["links"][0]
    assert (link["rel"], link["type"]) == ("alternate", "text/html")
    web_id = link["href"].rsplit("/", 1)[1]
    assert link["href"] == f"{ROOT}/contacts/customers/{web_id}" and web_id.isdigit()
    assert len(contact["id"]) == 32 and contact["id"] != web_id
    assert api.get(f"/contacts/{web_id}").status_code == 404
    page = api.http.get(f"/contacts/customers/{web_id}")
    assert page.status_code == 200 and "Harbour Cafe" in page.text


def test_the_web_view_shows_a_document(api):
    invoice = api.one("/sales_invoices", "reference", "S1003")
    page = api.http.get(f"/invoicing/sales_invoices/{invoice['id']}")
    assert page.status_code == 200
    assert "<td class='num' id='total'>180.00</td>" in page.text


def test_the_seed_matches_the_demo_data(app, api):
    assert app.companies() == [
        {"id": DEMO_ID, "name": "Demo Trades Ltd"},
        {"id": SECOND_ID, "name": "Second Fix Plumbing Ltd"},
    ]
    accounts = {row["nominal_code"]: row for row in api.items("/ledger_accounts")}
    assert accounts[4030]["tax_rate"] is None and 4090 not in accounts
    assert accounts[4000]["tax_rate"]["id"] == "GB_STANDARD"
    invoices = {row["reference"]: row for row in api.items("/sales_invoices")}
    assert sorted(invoices) == ["S0990", "S0995", "S0999", "S1003"]
    assert [invoices[r]["status"]["id"] for r in sorted(invoices)] == [
        "PAID",
        "PAID",
        "UNPAID",
        "UNPAID",
    ]
    assert invoices["S1003"]["contact_name"] == "Oakfield Primary School"
    bill = api.items("/purchase_invoices")[0]
    assert (bill["contact_name"], bill["vendor_reference"]) == (
        "Builders Merchants Direct",
        "BMD-5521",
    )


def test_a_reset_gives_the_same_ids(app, api):
    before = api.contact("Harbour Cafe")
    app.reset()
    assert Api(app).contact("Harbour Cafe") == before
