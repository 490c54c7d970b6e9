"""The OAuth dance and token lifecycle as Sage's endpoints behave (sage.md section 1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ledgersync.sandbox.sage.seed import DEMO_ID, SECOND_ID
from ledgersync.sandbox.sage.tests.conftest import ROOT

CLIENT = {"client_id": "ledgersync-sandbox", "client_secret": "ledgersync-sandbox-secret"}
REDIRECT = "http://127.0.0.1:8000/connections/sage/callback"
AUTHORIZE = {
    "client_id": CLIENT["client_id"],
    "response_type": "code",
    "scope": "full_access",
    "redirect_uri": REDIRECT,
    "state": "st-1",
}


@pytest.fixture
def http(app) -> httpx.Client:
    return httpx.Client(transport=app.transport(), base_url=ROOT)


def connect(http: httpx.Client, business: str = DEMO_ID) -> dict[str, str]:
    response = http.post(
        "/oauth2/auth/central?filter=apiv3.1",
        data={**AUTHORIZE, "company": business, "action": "connect"},
    )
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def token(http: httpx.Client, **form) -> httpx.Response:
    return http.post("/token", data={**CLIENT, **form}, headers={"Accept": "application/json"})


def exchange(http: httpx.Client, code: str) -> httpx.Response:
    return token(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)


def lead(http: httpx.Client, access: str) -> httpx.Response:
    return http.get("/v3.1/businesses/lead", headers={"Authorization": f"Bearer {access}"})


def test_the_consent_page_offers_both_businesses(http):
    page = http.get("/oauth2/auth/central", params={**AUTHORIZE, "filter": "apiv3.1"})
    assert page.status_code == 200
    assert page.text.count('type="radio" name="company"') == 2
    assert "Demo Trades Ltd" in page.text and "Second Fix Plumbing Ltd" in page.text


def test_the_callback_carries_code_and_state_only(http):
    params = connect(http)
    assert sorted(params) == ["code", "state"]
    assert params["state"] == "st-1"


def test_a_form_encoded_code_exchange_returns_sages_token_json(http):
    answer = exchange(http, connect(http)["code"])
    assert answer.status_code == 200
    body = answer.json()
    assert sorted(body) == [
        "access_token",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
        "requested_by_id",
        "scope",
        "token_type",
    ]
    assert (body["expires_in"], body["refresh_token_expires_in"]) == (300, 2678400)
    assert (body["token_type"], body["scope"]) == ("bearer", "full_access")
    assert len(body["requested_by_id"]) == 36  # a dashed UUID


def test_a_code_works_once(http):
    code = connect(http)["code"]
    assert exchange(http, code).status_code == 200
    again = exchange(http, code)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_a_code_expires_after_60_seconds(app, http):
    code = connect(http)["code"]
    app.clock.advance(61)
    answer = exchange(http, code)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_a_json_token_request_is_not_understood(http):
    answer = http.post(
        "/token", json={**CLIENT, "grant_type": "authorization_code", "code": connect(http)["code"]}
    )
    # The client credentials are looked for in the form, so a JSON body has none.
    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")


def test_the_access_token_lasts_five_minutes(app, http):
    access = exchange(http, connect(http)["code"]).json()["access_token"]
    assert lead(http, access).status_code == 200
    app.clock.advance(301)
    expired = lead(http, access)
    assert expired.status_code == 401
    assert expired.json()[0]["$dataCode"] == "AuthorizationFailure"


def test_refresh_rotates_and_the_old_refresh_token_dies(http):
    first = exchange(http, connect(http)["code"]).json()
    second = token(http, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    reused = token(http, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    assert lead(http, second["access_token"]).status_code == 200


def test_a_refresh_token_dies_after_31_days_unused(app, http):
    first = exchange(http, connect(http)["code"]).json()
    app.clock.advance(2678400 + 1)
    late = token(http, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")


def test_revoke_ends_the_grant(http):
    body = exchange(http, connect(http)["code"]).json()
    assert http.post("/revoke", data={**CLIENT, "token": body["refresh_token"]}).status_code == 200
    assert lead(http, body["access_token"]).status_code == 401
    again = token(http, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert again.json()["error"] == "invalid_grant"


def test_the_chosen_business_is_the_lead_business(http):
    access = exchange(http, connect(http, SECOND_ID)["code"]).json()["access_token"]
    business = lead(http, access).json()
    assert (business["id"], business["name"]) == (SECOND_ID, "Second Fix Plumbing Ltd")
    other = http.get(
        "/v3.1/contacts", headers={"Authorization": f"Bearer {access}", "X-Business": DEMO_ID}
    )
    assert other.status_code == 403
    assert other.json()[0]["$source"] == "X-Business"


def test_client_credentials_go_in_the_form_not_basic_auth(app, http):
    code = connect(http)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    basic = http.post("/token", data=form, auth=(CLIENT["client_id"], CLIENT["client_secret"]))
    assert (basic.status_code, basic.json()["error"]) == (401, "invalid_client")
    http.put("/_sandbox/settings", json={"oauth": {"client_auth": "either"}})
    code = connect(http)["code"]
    form["code"] = code
    again = http.post("/token", data=form, auth=(CLIENT["client_id"], CLIENT["client_secret"]))
    assert again.status_code == 200
