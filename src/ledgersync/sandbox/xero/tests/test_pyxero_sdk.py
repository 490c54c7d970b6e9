"""The Xero sandbox driven by pyxero, the community Python client, over a real loopback
socket (issue #16). pyxero writes XML, sends If-Modified-Since as an HTTP date, IDs without
dashes and ``where`` with the string methods; the sandbox must take all of it as Xero does.

Each case names its evidence; docs/sandboxes.md ("Driven by the public SDKs") lists them.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
import xero.auth
from xero import Xero
from xero.auth import OAuth2Credentials

from ledgersync.providers.facts import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ledgersync.sandbox.tests.loopback import loopback_fixtures

server, plane = loopback_fixtures("xero")


@pytest.fixture
def credentials(server, plane, monkeypatch) -> OAuth2Credentials:
    # requests-oauthlib refuses plain http unless told this is a local test; pyxero's token
    # and API hosts go to the sandbox's root.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setattr(xero.auth, "XERO_OAUTH2_TOKEN_URL", f"{server.url}/connect/token")
    minted = plane.post("/_sandbox/tokens", json={}).json()
    token = {k: v for k, v in minted.items() if k != "company_id"}
    token["expires_at"] = time.time() + token["expires_in"]
    made = OAuth2Credentials(
        SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, token=token, scope=token["scope"].split()
    )
    made.base_url = server.url
    made.set_default_tenant()  # GET /connections
    return made


@pytest.fixture
def api(credentials) -> Xero:
    return Xero(credentials)


def harbour(api: Xero) -> dict:
    return api.contacts.filter(Name="Harbour Cafe")[0]


def invoice(api: Xero, number: str) -> dict:
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": harbour(api)["ContactID"]},
        "InvoiceNumber": number,
        "Date": date(2026, 3, 1),
        "DueDate": date(2026, 3, 31),
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Labour, 2 hours",
                "Quantity": "2",
                "UnitAmount": "75.00",
                "AccountCode": "4000",
                "TaxType": "OUTPUT2",
            }
        ],
    }


def test_the_default_tenant_comes_from_connections(credentials, plane):
    tenants = plane.get("/_sandbox/companies").json()
    assert credentials.tenant_id == tenants[0]["id"]


def test_organisations_answers_as_organisation(api):
    # pyxero's manager is named "Organisations": GET /api.xro/2.0/Organisations.
    (organisation,) = api.organisations.all()
    assert organisation["Name"]
    assert isinstance(organisation["CreatedDateUTC"], datetime)


def test_paths_ignore_case(server, credentials):
    # Xero's OpenAPI document links attachments at lower-case paths
    # (/api.xro/2.0/invoices/...); Xero routes without regard to case.
    headers = {
        "Authorization": f"Bearer {credentials.token['access_token']}",
        "xero-tenant-id": credentials.tenant_id,
        "Accept": "application/json",
    }
    for path in ("/api.xro/2.0/contacts", "/API.XRO/2.0/CONTACTS", "/api.xro/2.0/taxrates"):
        response = httpx.get(server.url + path, headers=headers)
        assert response.status_code == 200, path
    assert httpx.get(server.url + "/Connections", headers=headers).json()[0]["tenantId"] == (
        credentials.tenant_id
    )


def test_an_invoice_put_as_xml_is_created(api, plane):
    # pyxero writes every PUT and POST as XML (basemanager.dict_to_xml, Content-Type
    # application/xml); Xero staff in Xero-Net#271 say XML bodies are supported.
    (created,) = api.invoices.put(invoice(api, "S8001"))
    assert created["InvoiceNumber"] == "S8001"
    assert created["Total"] == Decimal("180.00") or created["Total"] == 180.0
    assert created["Date"] == date(2026, 3, 1) or created["Date"].date() == date(2026, 3, 1)
    sent = plane.get("/_sandbox/requests").json()[-1]
    assert sent["method"] == "PUT" and sent["status"] == 200
    (again,) = api.invoices.get(created["InvoiceID"])
    assert [line["LineAmount"] for line in again["LineItems"]] == [150.0]


def test_a_batch_put_as_xml_with_summarize_errors_off_answers_each_element(api):
    bad = {**invoice(api, "S8003"), "LineItems": [{**invoice(api, "x")["LineItems"][0]}]}
    bad["LineItems"][0]["AccountCode"] = "4090"  # no such account
    answers = api.invoices.put([invoice(api, "S8002"), bad], summarize_errors=False)
    assert [a.get("HasErrors", False) for a in answers] == [False, True]


def test_a_contact_saved_as_xml_is_created(api):
    (contact,) = api.contacts.put({"Name": "Quayside Lettings", "EmailAddress": "q@l.example"})
    assert contact["EmailAddress"] == "q@l.example"


def test_ids_without_dashes_match(api):
    # pyxero sends IDs as UUID(x).hex (basemanager._filter).
    contact_id = harbour(api)["ContactID"]
    found = api.contacts.filter(IDs=[contact_id])
    assert [c["ContactID"] for c in found] == [contact_id]


def test_if_modified_since_as_an_http_date_filters_the_list(api, server, plane):
    # pyxero sends since=datetime as "%a, %d %b %Y %H:%M:%S GMT" (RFC 1123).
    plane.post("/_sandbox/clock", json={"advance_seconds": 600}).raise_for_status()
    api.invoices.put(invoice(api, "S8004"))
    now = server.app.clock.now().replace(tzinfo=None)
    recent = api.invoices.filter(since=now - timedelta(minutes=1), page=1)
    assert [i["InvoiceNumber"] for i in recent] == ["S8004"]
    assert api.invoices.filter(since=now + timedelta(minutes=1), page=1) == []


def test_where_with_tolower_contains_and_startswith(api):
    # pyxero writes Name__tolower as Name.tolower()=="..", Name__contains as
    # Name.contains(".."), Name__startswith as Name.startswith("..").
    for query in (
        {"Name__tolower": "harbour cafe"},
        {"Name__contains": "Cafe"},
        {"Name__startswith": "Harbour"},
    ):
        assert [c["Name"] for c in api.contacts.filter(**query)] == ["Harbour Cafe"], query


def test_an_unpaged_all_has_no_lines_and_a_paged_filter_has_them(api):
    # pyxero#288 and #311: invoices.all() gives no lines; paging does (Xero's documented rule).
    api.invoices.put(invoice(api, "S8005"))
    unpaged = next(i for i in api.invoices.all() if i["InvoiceNumber"] == "S8005")
    assert not unpaged.get("LineItems")
    paged = api.invoices.filter(InvoiceNumber="S8005", page=1)
    assert len(paged[0]["LineItems"]) == 1


def test_the_token_refresh_goes_through_pyxero(credentials):
    old = credentials.token["refresh_token"]
    refreshed = credentials.refresh()
    assert refreshed["access_token"] and refreshed["refresh_token"] != old
