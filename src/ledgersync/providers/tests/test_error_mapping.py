from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from ledgersync.providers.errors import (
    AuthError,
    ErrorKind,
    PermanentError,
    RateLimited,
    RetriableError,
    UncertainError,
)
from ledgersync.providers.http import (
    ErrorDetail,
    error_for_status,
    error_for_transport,
    parse_retry_after,
    redact_url,
)

DETAIL = ErrorDetail("Something went wrong", "42")


@pytest.mark.parametrize(
    ("status", "write", "expected"),
    [
        (400, True, PermanentError),
        (404, False, PermanentError),
        (422, True, PermanentError),
        (401, False, AuthError),
        (403, True, AuthError),
        (429, True, RateLimited),
        (500, False, RetriableError),
        (500, True, UncertainError),
        (502, True, UncertainError),
        (503, True, RetriableError),
        (408, True, UncertainError),
    ],
)
def test_each_status_maps_to_one_error_class(status, write, expected):
    error = error_for_status(status, DETAIL, write=write)
    assert type(error) is expected
    assert (error.message, error.code, error.status) == ("Something went wrong", "42", status)


def test_a_provider_status_override_wins_over_the_http_status():
    error = error_for_status(403, ErrorDetail("slow down", "3001", 429), write=False, retry_after=7)
    assert type(error) is RateLimited
    assert error.retry_after == 7
    assert error.kind is ErrorKind.RATE_LIMITED


def test_a_429_without_retry_after_waits_a_minute():
    assert error_for_status(429, DETAIL, write=False).retry_after == 60.0


def test_a_connect_error_proves_nothing_was_sent():
    error = error_for_transport(httpx.ConnectError("refused"), "QuickBooks", write=True)
    assert error == RetriableError("Could not reach QuickBooks (ConnectError)")


def test_a_dropped_connection_on_a_write_is_uncertain():
    error = error_for_transport(httpx.RemoteProtocolError("closed"), "QuickBooks", write=True)
    assert error == UncertainError(
        "QuickBooks dropped the connection before answering; the document may exist"
    )
    read = error_for_transport(httpx.ReadTimeout("slow"), "Xero", write=False)
    assert read == RetriableError("Xero timed out before answering")


def test_retry_after_reads_seconds_and_dates():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:45 GMT", now=now) == 45.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_urls_in_logs_hide_codes_and_tokens():
    url = "http://127.0.0.1/cb?code=SECRET&state=abc&realmId=9341452168453012"
    assert redact_url(url) == "http://127.0.0.1/cb?code=***&state=***&realmId=9341452168453012"
