"""Xero's identity service: consent page, PKCE (S256), 30-minute access tokens, rotating
refresh tokens with a 30-minute grace, revocation and /connections."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ledgersync.sandbox.xero.app import XeroSandbox
from ledgersync.sandbox.xero.tests.conftest import ROOT

REDIRECT = "http://127.0.0.1:8000/connections/callback"
CLIENT = ("ledgersync-sandbox", "ledgersync-sandbox-secret")
VERIFIER = "v" * 43


def challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


@pytest.fixture
def http() -> httpx.Client:
    return httpx.Client(transport=XeroSandbox().transport(), base_url=ROOT)


def authorize(
    http: httpx.Client, action: str = "connect", company: int = 0, **extra: str
) -> dict[str, list[str]]:
    params = {
        "response_type": "code",
        "client_id": CLIENT[0],
        "redirect_uri": REDIRECT,
        "scope": "offline_access accounting.invoices accounting.contacts accounting.settings.read",
        "state": "s1",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    page = http.get("/identity/connect/authorize", params=params)
    tenants = re.findall(r'name="company" value="([^"]+)"', page.text)
    form = {**params, "action": action, "company": tenants[company]}
    answer = http.post("/identity/connect/authorize", data=form)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["Location"]).query)


def exchange(
    http: httpx.Client, code: str, verifier: str | None = VERIFIER, auth=CLIENT
) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if verifier is not None:
        form["code_verifier"] = verifier
    if auth is None:
        form["client_id"] = CLIENT[0]
    return http.post("/connect/token", data=form, auth=auth)


def refresh(http: httpx.Client, token: str) -> httpx.Response:
    return http.post(
        "/connect/token", data={"grant_type": "refresh_token", "refresh_token": token}, auth=CLIENT
    )


def test_the_consent_page_offers_each_organisation_with_allow_and_cancel(http):
    page = http.get(
        "/identity/connect/authorize",
        params={"response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT},
    )
    assert "Demo Trades Ltd" in page.text and "Second Fix Plumbing Ltd" in page.text
    assert ">Allow access</button>" in page.text and ">Cancel</button>" in page.text


def test_cancel_sends_the_person_back_with_access_denied(http):
    assert authorize(http, action="cancel") == {"error": ["access_denied"], "state": ["s1"]}


def test_a_pkce_code_needs_its_verifier(http):
    code = authorize(http)["code"][0]
    assert exchange(http, code, verifier="w" * 43).json() == {"error": "invalid_grant"}
    code = authorize(http)["code"][0]
    assert exchange(http, code, verifier=None).json() == {"error": "invalid_grant"}


def test_a_pkce_code_with_its_verifier_gives_30_minute_tokens(http):
    code = authorize(http)["code"][0]
    tokens = exchange(http, code).json()
    assert sorted(tokens) == ["access_token", "expires_in", "refresh_token", "scope", "token_type"]
    assert (tokens["expires_in"], tokens["token_type"]) == (1800, "Bearer")


def test_a_pkce_app_without_a_secret_can_exchange_its_code(http):
    code = authorize(http)["code"][0]
    assert exchange(http, code, auth=None).status_code == 200


def test_a_code_without_pkce_still_needs_the_secret(http):
    code = authorize(http, code_challenge="", code_challenge_method="")["code"][0]
    answer = exchange(http, code, verifier=None, auth=None)
    assert (answer.status_code, answer.json()) == (401, {"error": "invalid_client"})


def test_only_s256_challenges_are_accepted(http):
    params = {
        "response_type": "code",
        "client_id": CLIENT[0],
        "redirect_uri": REDIRECT,
        "state": "s1",
    }
    params.update(code_challenge=challenge(VERIFIER), code_challenge_method="plain")
    answer = http.get("/identity/connect/authorize", params=params)
    assert answer.headers["Location"] == f"{REDIRECT}?error=invalid_request&state=s1"


def test_the_consent_chooses_the_organisation_connections_reports(http):
    code = authorize(http, company=1)["code"][0]
    tokens = exchange(http, code).json()
    connections = http.get(
        "/connections", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert [(c["tenantName"], c["tenantType"]) for c in connections] == [
        ("Second Fix Plumbing Ltd", "ORGANISATION")
    ]
    companies = http.get("/_sandbox/companies").json()
    assert connections[0]["tenantId"] == companies[1]["id"]


def test_a_refresh_rotates_and_the_old_token_works_for_30_minutes(http):
    app = http._transport.app
    first = http.post("/_sandbox/tokens", json={}).json()
    second = refresh(http, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    lost_answer_retry = refresh(http, first["refresh_token"]).json()
    assert lost_answer_retry["refresh_token"] == second["refresh_token"]
    app.clock.advance(31 * 60)
    late = refresh(http, first["refresh_token"])
    assert (late.status_code, late.json()) == (400, {"error": "invalid_grant"})
    assert refresh(http, second["refresh_token"]).status_code == 200


def test_revocation_ends_the_refresh_token_and_the_access_token(http):
    tokens = http.post("/_sandbox/tokens", json={}).json()
    assert (
        http.post(
            "/connect/revocation", data={"token": tokens["refresh_token"]}, auth=CLIENT
        ).status_code
        == 200
    )
    assert refresh(http, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    headers = {
        "Authorization": f"Bearer {tokens['access_token']}",
        "xero-tenant-id": tokens["company_id"],
    }
    assert (
        http.get("/api.xro/2.0/Organisation", headers=headers).json()["Detail"]
        == "AuthenticationUnsuccessful"
    )


def test_deleting_the_connection_disconnects_the_tenant(http):
    tokens = http.post("/_sandbox/tokens", json={}).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    connection = http.get("/connections", headers=bearer).json()[0]
    assert (
        http.delete("/connections/00000000-0000-0000-0000-000000000000", headers=bearer).status_code
        == 404
    )
    assert http.delete(f"/connections/{connection['id']}", headers=bearer).status_code == 204
    answer = http.get(
        "/api.xro/2.0/Organisation", headers={**bearer, "xero-tenant-id": tokens["company_id"]}
    )
    assert answer.status_code == 401
