"""Token refreshes in ApiClient: through the caller's locked path, and after a lost answer."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ledgersync.providers.errors import AuthError, RetriableError
from ledgersync.providers.http import ApiClient, ErrorDetail, lost_refresh_message
from ledgersync.providers.tests.test_http_client import (
    CONFIG,
    OK,
    TOKEN_PATH,
    Provider,
    credentials,
)


def client(provider, refresh_with=None, refreshed=None, creds=None) -> ApiClient:
    return ApiClient(
        provider="QuickBooks",
        config=CONFIG,
        credentials=creds or credentials(),
        describe_error=lambda r: ErrorDetail(f"failed with {r.status_code}"),
        on_token_refresh=refreshed.append if refreshed is not None else None,
        refresh_with=refresh_with,
        transport=httpx.MockTransport(provider),
        sleep=lambda s: None,
    )


class LostAnswers(Provider):
    """The token endpoint commits, then the first ``lost`` answers never arrive."""

    def __init__(self, *answers, lost: int = 1):
        super().__init__(*answers)
        self.lost = lost

    def __call__(self, request):
        if request.url.path == TOKEN_PATH and self.lost:
            self.requests.append(request)
            self.lost -= 1
            raise httpx.RemoteProtocolError("Server disconnected without sending a response")
        return super().__call__(request)

    def refresh_tokens_sent(self) -> list[str]:
        return [
            dict(httpx.QueryParams(r.content.decode()))["refresh_token"]
            for r in self.requests
            if r.url.path == TOKEN_PATH
        ]


def test_a_refresh_near_expiry_and_one_after_a_401_both_go_through_refresh_with():
    provider, held = Provider(httpx.Response(401), OK, OK), []

    def locked(credentials, spend):
        held.append(credentials.refresh_token)
        return spend(credentials)

    api = client(provider, refresh_with=locked, creds=credentials(expires_in=60))
    api.request("GET", "/thing")  # near expiry: refreshed before it goes
    api.request("GET", "/thing")  # 401: refreshed again

    assert held == ["refresh-old", "refresh-new"]
    assert len([r for r in provider.requests if r.url.path == TOKEN_PATH]) == 2


def test_refresh_with_may_hand_back_newer_stored_tokens_without_spending_any():
    provider, refreshed = Provider(httpx.Response(401), OK), []
    newer = dataclasses.replace(
        credentials(), access_token="access-stored", refresh_token="refresh-stored"
    )
    api = client(provider, refresh_with=lambda held, spend: newer, refreshed=refreshed)

    api.request("GET", "/thing")

    assert [r.url.path for r in provider.requests] == ["/thing", "/thing"]
    assert provider.requests[1].headers["Authorization"] == "Bearer access-stored"
    assert (api.credentials, refreshed) == (newer, [newer])


def test_a_lost_refresh_answer_is_asked_for_once_more_with_the_same_refresh_token():
    provider, refreshed = LostAnswers(), []
    api = client(provider, refreshed=refreshed)

    fresh = api.refresh()

    assert provider.refresh_tokens_sent() == ["refresh-old", "refresh-old"]
    assert (fresh.refresh_token, refreshed) == ("refresh-new", [fresh])


def test_a_refused_retry_after_a_lost_answer_says_the_answer_was_lost():
    provider = LostAnswers()
    provider.token_status, provider.token_answer = 400, {"error": "invalid_grant"}
    api = client(provider)

    with pytest.raises(AuthError) as refused:
        api.refresh()

    assert refused.value.message == lost_refresh_message("QuickBooks", "invalid_grant")
    assert refused.value.message == (
        "The answer to a token refresh was lost and QuickBooks no longer accepts the previous "
        "refresh token (invalid_grant); connect again"
    )
    assert api.credentials.refresh_token == "refresh-old"


def test_two_lost_answers_in_a_row_leave_the_tokens_as_they_were():
    provider = LostAnswers(lost=2)
    api = client(provider)

    with pytest.raises(RetriableError):
        api.refresh()

    assert provider.refresh_tokens_sent() == ["refresh-old", "refresh-old"]
    assert api.credentials.refresh_token == "refresh-old"
    assert api.credentials.access_expires_at > datetime.now(UTC) + timedelta(minutes=30)
