"""The OAuth dance and token lifecycle, as Intuit's endpoints behave (qbo.md section 1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ledgersync.sandbox.core.oauth import STRICT_ROTATION
from ledgersync.sandbox.core.settings import update_settings
from ledgersync.sandbox.quickbooks.seed import DEMO_REALM, SECOND_REALM
from ledgersync.sandbox.quickbooks.tests.conftest import ROOT

CLIENT = ("ledgersync-sandbox", "ledgersync-sandbox-secret")
REDIRECT = "http://127.0.0.1:8000/connections/quickbooks/callback"
AUTHORIZE = {
    "client_id": CLIENT[0],
    "response_type": "code",
    "scope": "com.intuit.quickbooks.accounting",
    "redirect_uri": REDIRECT,
    "state": "st-123",
}


@pytest.fixture
def http(app) -> httpx.Client:
    return httpx.Client(transport=app.transport(), base_url=ROOT)


def connect(http: httpx.Client, company: str = DEMO_REALM) -> dict[str, str]:
    response = http.post(
        "/connect/oauth2", data={**AUTHORIZE, "company": company, "action": "connect"}
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def exchange(
    http: httpx.Client, code: str, redirect_uri: str = REDIRECT, auth=CLIENT
) -> httpx.Response:
    return http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        auth=auth,
        headers={"Accept": "application/json"},
    )


def refresh(http: httpx.Client, token: str) -> httpx.Response:
    return http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=CLIENT,
    )


def company_info(http: httpx.Client, access: str, realm: str = DEMO_REALM) -> httpx.Response:
    return http.get(
        f"/v3/company/{realm}/companyinfo/{realm}", headers={"Authorization": f"Bearer {access}"}
    )


def test_the_consent_page_offers_each_company_with_connect_and_cancel(http):
    page = http.get("/connect/oauth2", params=AUTHORIZE)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for text in (
        "Demo Trades Ltd",
        "Second Fix Plumbing Ltd",
        f'value="{DEMO_REALM}"',
        'value="connect"',
        'value="cancel"',
    ):
        assert text in page.text


def test_cancel_redirects_with_access_denied_and_the_state(http):
    response = http.post(
        "/connect/oauth2", data={**AUTHORIZE, "company": DEMO_REALM, "action": "cancel"}
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"{REDIRECT}?error=access_denied&state=st-123"


def test_connect_redirects_with_code_state_and_realm_id(http):
    params = connect(http, SECOND_REALM)
    assert set(params) == {"code", "state", "realmId"}
    assert (params["state"], params["realmId"]) == ("st-123", SECOND_REALM)


def test_a_redirect_uri_that_is_not_https_or_loopback_is_refused_without_redirecting(http):
    page = http.get(
        "/connect/oauth2", params={**AUTHORIZE, "redirect_uri": "http://example.com/cb"}
    )
    assert page.status_code == 400
    assert "location" not in page.headers


def test_an_unknown_client_id_is_refused_on_the_consent_page(http):
    assert (
        http.get("/connect/oauth2", params={**AUTHORIZE, "client_id": "someone"}).status_code == 400
    )


def test_the_code_exchanges_for_tokens_in_intuit_shape(http):
    response = exchange(http, connect(http)["code"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "token_type",
        "access_token",
        "expires_in",
        "refresh_token",
        "x_refresh_token_expires_in",
    }
    assert (body["token_type"], body["expires_in"], body["x_refresh_token_expires_in"]) == (
        "bearer",
        3600,
        8726400,
    )
    assert company_info(http, body["access_token"]).status_code == 200


def test_a_code_works_once(http):
    code = connect(http)["code"]
    assert exchange(http, code).status_code == 200
    again = exchange(http, code)
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})


def test_the_redirect_uri_must_match_at_exchange(http):
    response = exchange(http, connect(http)["code"], redirect_uri="http://127.0.0.1:9999/other")
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


def test_bad_client_credentials_are_invalid_client(http):
    response = exchange(http, connect(http)["code"], auth=(CLIENT[0], "wrong"))
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})


def test_a_refresh_hands_back_the_same_refresh_token_within_a_day(app, http):
    first = app.mint_tokens()
    second = refresh(http, first["refresh_token"]).json()
    assert second["refresh_token"] == first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert refresh(http, first["refresh_token"]).status_code == 200  # the old one IS current


def test_after_a_day_a_refresh_rotates_and_the_old_refresh_token_dies(app, http):
    first = app.mint_tokens()
    app.clock.advance(86400)
    second = refresh(http, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert refresh(http, first["refresh_token"]).status_code == 400
    assert refresh(http, second["refresh_token"]).json()["refresh_token"] == second["refresh_token"]


def test_strict_rotation_rotates_the_refresh_token_and_retires_the_old_one(app, http):
    update_settings(app.settings, STRICT_ROTATION)
    first = app.mint_tokens()
    response = refresh(http, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["x_refresh_token_expires_in"] == 8726400
    assert company_info(http, second["access_token"]).status_code == 200
    old = refresh(http, first["refresh_token"])
    assert (old.status_code, old.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Incorrect or invalid refresh token"},
    )


def test_a_grace_window_keeps_the_old_refresh_token_working_for_a_while(app, http):
    update_settings(app.settings, STRICT_ROTATION)
    app.settings.oauth.refresh_grace_seconds = 60
    first = app.mint_tokens()
    second = refresh(http, first["refresh_token"]).json()
    replay = refresh(http, first["refresh_token"])
    assert replay.status_code == 200
    assert replay.json()["refresh_token"] == second["refresh_token"]
    app.clock.advance(61)
    assert refresh(http, first["refresh_token"]).status_code == 400


def test_rotation_can_be_switched_off(app, http):
    app.settings.oauth.rotation = type(app.settings.oauth.rotation)("never")
    first = app.mint_tokens()
    assert refresh(http, first["refresh_token"]).json()["refresh_token"] == first["refresh_token"]


def test_an_access_token_expires_after_an_hour(app, http):
    tokens = app.mint_tokens()
    app.clock.advance(3601)
    response = company_info(http, tokens["access_token"])
    assert response.status_code == 401
    assert response.json()["Fault"]["Error"][0]["Detail"] == "Token expired"


def test_revoke_ends_api_access_and_refresh(app, http):
    tokens = app.mint_tokens()
    response = http.post(
        "/v2/oauth2/tokens/revoke", json={"token": tokens["refresh_token"]}, auth=CLIENT
    )
    assert response.status_code == 200
    assert company_info(http, tokens["access_token"]).status_code == 401
    assert refresh(http, tokens["refresh_token"]).json() == {
        "error": "invalid_grant",
        "error_description": "Incorrect or invalid refresh token",
    }


def test_token_responses_carry_intuit_tid_and_no_store(http, app):
    response = refresh(http, app.mint_tokens()["refresh_token"])
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["intuit_tid"]
