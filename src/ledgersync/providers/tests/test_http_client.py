from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from ledgersync.providers.base import Credentials
from ledgersync.providers.config import sandbox_config
from ledgersync.providers.errors import AuthError, RateLimited, UncertainError
from ledgersync.providers.http import ApiClient, ErrorDetail

CONFIG = sandbox_config("quickbooks", "http://provider.test")
TOKEN_PATH = "/oauth2/v1/tokens/bearer"


def credentials(expires_in: int = 3600) -> Credentials:
    return Credentials(
        access_token="access-old",
        refresh_token="refresh-old",
        access_expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        refresh_expires_at=None,
        company_id="123",
    )


class Provider:
    """A scripted provider: API answers are taken in order; the token endpoint rotates."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.token_answer = {
            "access_token": "access-new",
            "refresh_token": "refresh-new",
            "token_type": "bearer",
            "expires_in": 3600,
            "x_refresh_token_expires_in": 8726400,
        }
        self.token_status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == TOKEN_PATH:
            return httpx.Response(self.token_status, json=self.token_answer)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != TOKEN_PATH]


def client(provider: Provider, creds: Credentials | None = None, refreshed=None, sleeps=None):
    return ApiClient(
        provider="QuickBooks",
        config=CONFIG,
        credentials=creds or credentials(),
        describe_error=lambda r: ErrorDetail(f"failed with {r.status_code}"),
        on_token_refresh=refreshed.append if refreshed is not None else None,
        transport=httpx.MockTransport(provider),
        sleep=sleeps.append if sleeps is not None else (lambda s: None),
    )


OK = httpx.Response(200, json={"ok": 1.5})


def test_a_failed_read_is_retried_after_a_backoff():
    provider, sleeps = Provider(httpx.Response(500), OK), []
    api = client(provider, sleeps=sleeps)
    reply = api.request("GET", "/thing")
    assert (reply.body, reply.status, reply.attempts) == ({"ok": Decimal("1.5")}, 200, 2)
    assert reply.resent_after_uncertain is False
    assert api.api_calls == 2
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5


def test_it_retries_after_429_when_retry_after_is_short():
    provider, sleeps = Provider(httpx.Response(429, headers={"Retry-After": "2"}), OK), []
    client(provider, sleeps=sleeps).request("GET", "/thing")
    assert sleeps == [2.0]


def test_a_long_retry_after_goes_back_to_the_engine():
    provider, sleeps = Provider(httpx.Response(429, headers={"Retry-After": "120"})), []
    api = client(provider, sleeps=sleeps)
    with pytest.raises(RateLimited) as caught:
        api.request("GET", "/thing")
    assert caught.value.retry_after == 120.0
    assert sleeps == []
    assert api.api_calls == 1


def test_a_write_without_an_idempotency_key_is_never_resent():
    provider = Provider(httpx.Response(500))
    api = client(provider)
    with pytest.raises(UncertainError):
        api.request("POST", "/invoice", json_body={})
    assert len(provider.api_requests) == 1


def test_a_write_with_a_key_is_resent_after_a_dropped_connection():
    provider = Provider(httpx.RemoteProtocolError("closed"), OK)
    api = client(provider)
    reply = api.request(
        "POST", "/invoice", params={"requestid": "k1"}, json_body={}, idempotent=True
    )
    assert [r.url.params["requestid"] for r in provider.api_requests] == ["k1", "k1"]
    assert (reply.resent_after_uncertain, reply.attempts) == (True, 2)


def test_a_refusal_after_an_uncertain_attempt_stays_uncertain():
    provider = Provider(httpx.Response(500), httpx.Response(400))
    with pytest.raises(UncertainError, match="failed with 400"):
        client(provider).request("POST", "/invoice", json_body={}, idempotent=True)


def test_a_401_refreshes_once_and_hands_the_new_tokens_to_the_caller():
    provider, refreshed = Provider(httpx.Response(401), OK), []
    api = client(provider, refreshed=refreshed)
    api.request("GET", "/thing")
    assert [r.headers["Authorization"] for r in provider.api_requests] == [
        "Bearer access-old",
        "Bearer access-new",
    ]
    assert [(c.access_token, c.refresh_token, c.company_id) for c in refreshed] == [
        ("access-new", "refresh-new", "123")
    ]
    token_call = provider.requests[1]
    assert token_call.headers["Authorization"].startswith("Basic ")
    assert b"refresh_token=refresh-old" in token_call.content


def test_a_second_401_means_relink():
    provider = Provider(httpx.Response(401), httpx.Response(401))
    with pytest.raises(AuthError, match="failed with 401"):
        client(provider).request("GET", "/thing")


def test_an_access_token_near_expiry_is_refreshed_before_the_request():
    provider, refreshed = Provider(OK), []
    client(provider, creds=credentials(expires_in=30), refreshed=refreshed).request("GET", "/x")
    assert [r.url.path for r in provider.requests] == [TOKEN_PATH, "/x"]
    assert len(refreshed) == 1


def test_invalid_grant_on_refresh_is_an_auth_error_and_nothing_is_persisted():
    provider, refreshed = Provider(OK), []
    provider.token_status, provider.token_answer = 400, {"error": "invalid_grant"}
    api = client(provider, creds=credentials(expires_in=30), refreshed=refreshed)
    with pytest.raises(AuthError) as caught:
        api.request("GET", "/x")
    assert caught.value.message == (
        "QuickBooks no longer accepts this connection (invalid_grant); connect again"
    )
    assert refreshed == []
    assert provider.api_requests == []


def test_logs_never_show_tokens(caplog):
    caplog.set_level(logging.DEBUG, logger="ledgersync.providers.http")
    provider = Provider(httpx.Response(401), OK)
    client(provider, refreshed=[]).request("GET", "/thing", params={"code": "abc"})
    ours = [r.getMessage() for r in caplog.records if r.name == "ledgersync.providers.http"]
    text = json.dumps(ours)
    for secret in ("access-old", "access-new", "refresh-old", "refresh-new", "code=abc"):
        assert secret not in text
    assert "QuickBooks GET http://provider.test/thing?code=*** -> 200" in ours


def test_a_reply_carries_the_providers_own_id_for_the_request():
    provider = Provider(httpx.Response(200, json={}, headers={"Xero-Correlation-Id": "c-42"}))
    reply = client(provider).request("GET", "/thing")
    assert (reply.request_id, reply.status) == ("c-42", 200)
