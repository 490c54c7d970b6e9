"""The connector reads Xero's remaining-limit headers and waits before a 429, not after."""

from __future__ import annotations

import httpx
import pytest

from ledgersync.providers.errors import RateLimited
from ledgersync.providers.http import RetryPolicy
from ledgersync.providers.xero.client import RateGate
from ledgersync.sandbox.xero.app import XeroSandbox

from .sandboxed import connect


def paced(app: XeroSandbox, slept: list[float], max_wait: float = 120.0):
    connector = connect(app)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        app.clock.advance(seconds + 1)  # the sandbox's minute rolls over while we wait

    connector.api.sleep = sleep
    connector.api.retry = RetryPolicy(max_rate_limit_wait=max_wait)
    return connector


def statuses(app: XeroSandbox) -> list[int]:
    return [entry["status"] for entry in app.log.entries()]


def test_it_waits_for_the_minute_to_roll_over_instead_of_meeting_a_429():
    app = XeroSandbox()
    app.limiter.update({"per_minute": 3})
    slept: list[float] = []
    connector = paced(app, slept)
    for _ in range(5):
        connector.company()
    assert statuses(app) == [200] * 5
    assert len(slept) == 1 and 55 < slept[0] <= 60


def test_a_wait_longer_than_the_policy_allows_is_handed_back_unsent():
    app = XeroSandbox()
    app.limiter.update({"per_minute": 1})
    slept: list[float] = []
    connector = paced(app, slept, max_wait=5)
    connector.company()
    with pytest.raises(RateLimited) as caught:
        connector.company()
    assert 55 < caught.value.retry_after <= 60
    assert (statuses(app), slept) == ([200], [])


def test_a_spent_daily_limit_stops_calls_before_they_are_sent():
    app = XeroSandbox()
    app.limiter.update({"per_day": 1})
    connector = paced(app, [])
    connector.company()
    with pytest.raises(RateLimited):
        connector.reference_data()
    assert statuses(app) == [200]


def test_the_gate_reads_each_header():
    gate = RateGate(clock=lambda: 0.0)
    headers = {
        "X-MinLimit-Remaining": "12",
        "X-DayLimit-Remaining": "4000",
        "X-AppMinLimit-Remaining": "9000",
    }
    gate.observe(httpx.Response(200, headers=headers))
    assert (gate.minute_left, gate.day_left, gate.app_minute_left) == (12, 4000, 9000)
