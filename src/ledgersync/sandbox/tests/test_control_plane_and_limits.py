"""The /_sandbox/ control plane and the rate limits it configures."""

from __future__ import annotations

import threading

import httpx
import pytest

from ledgersync.sandbox import make_app
from ledgersync.sandbox.tests.conftest import REALM, ROOT, Wire


@pytest.fixture
def local() -> Wire:
    app = make_app("quickbooks")
    return Wire(app, ROOT, app.transport())


def test_companies_lists_the_seeded_companies_default_first(local):
    assert local.plane.get("/_sandbox/companies").json() == [
        {"id": "9341452168453012", "name": "Demo Trades Ltd"},
        {"id": "9341452168453013", "name": "Second Fix Plumbing Ltd"},
    ]


def test_tokens_are_the_providers_token_json_plus_company_id(local):
    body = local.plane.post("/_sandbox/tokens", json={"company": "9341452168453013"}).json()
    assert set(body) == {
        "token_type",
        "access_token",
        "expires_in",
        "refresh_token",
        "x_refresh_token_expires_in",
        "company_id",
    }
    assert body["company_id"] == "9341452168453013"
    unknown = local.plane.post("/_sandbox/tokens", json={"company": "1"})
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"error": "no company '1'; see GET /_sandbox/companies"},
    )


def test_reset_returns_to_the_seed_and_forgets_tokens(local):
    assert local.create_vendor("Temporary Ltd").status_code == 200
    assert local.plane.post("/_sandbox/reset").status_code == 200
    assert local.create_vendor("Temporary Ltd").status_code == 401
    fresh = Wire(local.app, ROOT, local.app.transport())
    assert fresh.vendors_named("Temporary Ltd") == []


def test_the_request_log_keeps_calls_but_never_tokens(local):
    local.create_vendor("Logged Ltd")
    refresh = local.plane.post("/_sandbox/tokens", json={}).json()["refresh_token"]
    local.plane.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        auth=("ledgersync-sandbox", "ledgersync-sandbox-secret"),
    )
    log = local.plane.get("/_sandbox/requests").json()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", f"/v3/company/{REALM}/vendor", 200),
        ("POST", "/oauth2/v1/tokens/bearer", 200),
    ]
    assert set(log[0]) == {
        "method",
        "path",
        "query",
        "status",
        "request_body",
        "response_body",
        "at",
    }
    assert log[0]["request_body"] == {"DisplayName": "Logged Ltd"}
    assert log[0]["response_body"]["Vendor"]["DisplayName"] == "Logged Ltd"
    assert log[1]["request_body"] == {"grant_type": "refresh_token", "refresh_token": "[redacted]"}
    assert log[1]["response_body"]["access_token"] == "[redacted]"
    assert refresh not in str(log)


def test_limits_are_read_and_changed(local):
    assert local.plane.get("/_sandbox/limits").json() == {
        "per_minute": 500,
        "per_day": None,
        "concurrent": 10,
        "latency_ms": 0,
        "clock_speed": 1.0,
        "batch_per_minute": 40,
    }
    changed = local.plane.put("/_sandbox/limits", json={"per_minute": 3, "latency_ms": 5}).json()
    assert (changed["per_minute"], changed["latency_ms"]) == (3, 5)
    bad = local.plane.put("/_sandbox/limits", json={"per_hour": 3})
    assert (bad.status_code, bad.json()) == (400, {"error": "unknown limit 'per_hour'"})


def test_requests_over_the_per_minute_limit_get_429_until_the_minute_passes(local):
    local.plane.put("/_sandbox/limits", json={"per_minute": 2})
    assert [local.create_vendor(f"Minute {i}").status_code for i in range(3)] == [200, 200, 429]
    assert local.api.get(f"/v3/company/{REALM}/companyinfo/1").status_code == 429
    local.plane.post("/_sandbox/clock", json={"advance_seconds": 61})
    assert local.create_vendor("Minute 3").status_code == 200


def test_limits_are_per_company(local):
    local.plane.put("/_sandbox/limits", json={"per_minute": 1})
    assert local.create_vendor("Only One").status_code == 200
    other = Wire(local.app, ROOT, local.app.transport())
    token = local.plane.post("/_sandbox/tokens", json={"company": "9341452168453013"}).json()[
        "access_token"
    ]
    response = other.plane.get(
        "/v3/company/9341452168453013/companyinfo/1", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_the_per_day_limit(local):
    local.plane.put("/_sandbox/limits", json={"per_day": 1})
    assert [local.create_vendor(f"Day {i}").status_code for i in range(2)] == [200, 429]


def test_a_clock_speed_up_shortens_the_minute(local):
    local.plane.put("/_sandbox/limits", json={"per_minute": 1, "clock_speed": 600})
    assert local.create_vendor("Fast 1").status_code == 200
    import time

    time.sleep(0.15)  # 90 sandbox seconds
    assert local.create_vendor("Fast 2").status_code == 200


def test_concurrent_requests_over_the_limit_get_429(server):
    app = server.app
    app.limiter.update({"concurrent": 2})
    app.faults.add({"kind": "slow", "seconds": 0.5, "count": 2})
    token = app.mint_tokens()["access_token"]
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    statuses: list[int] = []

    def call() -> None:
        statuses.append(client.get(f"/v3/company/{REALM}/companyinfo/1").status_code)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    import time

    time.sleep(0.2)
    third = client.get(f"/v3/company/{REALM}/companyinfo/1").status_code
    for thread in threads:
        thread.join()
    assert (third, sorted(statuses)) == (429, [200, 200])


def test_settings_can_be_read_and_changed(local):
    settings = local.plane.get("/_sandbox/settings").json()
    assert settings["oauth"]["client_id"] == "ledgersync-sandbox"
    assert settings["bill_number_scope"] == "vendor"
    changed = local.plane.put(
        "/_sandbox/settings",
        json={"oauth": {"refresh_grace_seconds": 30}, "retry_after_seconds": 60},
    )
    assert (
        changed.json()["oauth"]["refresh_grace_seconds"],
        changed.json()["retry_after_seconds"],
    ) == (30, 60)
    bad = local.plane.put("/_sandbox/settings", json={"bill_number_scope": "galaxy"})
    assert (bad.status_code, bad.json()) == (
        400,
        {"error": "bill_number_scope must be one of: vendor, company, none"},
    )


def test_the_server_answers_many_requests_at_once(server):
    token = server.app.mint_tokens()["access_token"]
    results: list[int] = []

    def call(i: int) -> None:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            results.append(
                client.post(
                    f"/v3/company/{REALM}/vendor", json={"DisplayName": f"Parallel {i}"}
                ).status_code
            )

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 8
    assert len(server.app.store[REALM].all("Vendor")) == 3 + 8
