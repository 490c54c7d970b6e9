"""The API's answer to trouble with the package comes from sync/status.py's one table."""

from __future__ import annotations

import pytest

from ledgersync.api.errors import package_failure
from ledgersync.providers.errors import (
    AuthError,
    InvalidAccsId,
    ProviderError,
    RateLimited,
    RetriableError,
    UncertainError,
)
from ledgersync.sync.status import RULES, NotConnected, failure_for

SAMPLES = {
    NotConnected: NotConnected("acme is not connected"),
    AuthError: AuthError("invalid_grant"),
    RateLimited: RateLimited("slow down", retry_after=30),
    RetriableError: RetriableError("Could not reach Sage (ConnectError)"),
    UncertainError: UncertainError("Sage timed out before answering"),
    InvalidAccsId: InvalidAccsId("AccountsID (x) is not correct"),
    ProviderError: ProviderError("Reference has already been taken"),
}


def test_every_rule_has_a_sample_here():
    assert set(SAMPLES) == set(RULES)


@pytest.mark.parametrize("cls", list(RULES), ids=lambda cls: cls.__name__)
def test_the_http_status_and_code_are_the_rules_and_the_words_the_tables(cls):
    error = SAMPLES[cls]

    answer = package_failure(error, "Sage")

    assert (answer.status, answer.code, answer.message) == (
        RULES[cls].http_status,
        RULES[cls].api_code,
        failure_for(error, "Sage").message,
    )


def test_the_answers_are_those_docs_api_md_promises():
    answers = {
        cls.__name__: (package_failure(e, "Sage").status, package_failure(e, "Sage").code)
        for cls, e in SAMPLES.items()
    }
    assert answers == {
        "NotConnected": (409, "not_connected"),
        "AuthError": (409, "relink_needed"),
        "RateLimited": (429, "provider_rate_limited"),
        "RetriableError": (502, "provider_unavailable"),
        "UncertainError": (502, "provider_unavailable"),
        "InvalidAccsId": (422, "provider_rejected"),
        "ProviderError": (422, "provider_rejected"),
    }


def test_only_a_rate_limit_sends_retry_after():
    headers = {cls.__name__: package_failure(e, "Sage").headers for cls, e in SAMPLES.items()}
    assert headers.pop("RateLimited") == {"Retry-After": "30"}
    assert set(map(str, headers.values())) == {"{}"}
