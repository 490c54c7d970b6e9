"""Each fault kind, in-process and over a real socket, behaves as a client would see it."""

from __future__ import annotations

import time

import httpx
import pytest

from ledgersync.sandbox.tests.conftest import REALM


def test_error_before_write_is_a_500_and_nothing_is_stored(wire):
    wire.fault(kind="error_before_write")
    response = wire.create_vendor("Before Write Ltd")
    assert response.status_code == 500
    assert response.json()["Fault"]["type"] == "SystemFault"
    assert wire.vendors_named("Before Write Ltd") == []


def test_error_after_write_is_a_500_but_the_write_is_committed(wire):
    wire.fault(kind="error_after_write")
    response = wire.create_vendor("After Write Ltd")
    assert response.status_code == 500
    assert len(wire.vendors_named("After Write Ltd")) == 1


def test_drop_after_write_closes_the_connection_but_the_write_is_committed(wire):
    wire.fault(kind="drop_after_write")
    with pytest.raises(httpx.RemoteProtocolError):
        wire.create_vendor("Dropped Ltd")
    assert len(wire.vendors_named("Dropped Ltd")) == 1


def test_a_dropped_write_retried_with_its_requestid_gets_the_stored_answer(wire):
    wire.fault(kind="drop_after_write")
    with pytest.raises(httpx.RemoteProtocolError):
        wire.create_vendor("Replayed Ltd", params={"requestid": "r-1"})
    retry = wire.create_vendor("Replayed Ltd", params={"requestid": "r-1"})
    assert retry.status_code == 200
    assert len(wire.vendors_named("Replayed Ltd")) == 1


def test_slow_outlasts_the_client_timeout_and_still_commits(wire):
    wire.fault(kind="slow", seconds=0.6)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        wire.create_vendor("Slow Ltd", timeout=0.2)
    assert time.monotonic() - started < 0.5
    assert wire.vendors_named("Slow Ltd") == []
    time.sleep(0.6)
    assert len(wire.vendors_named("Slow Ltd")) == 1


def test_rate_limit_is_the_providers_429(wire):
    wire.fault(kind="rate_limit", count=2)
    assert [wire.create_vendor(f"Throttled {i}").status_code for i in range(3)] == [429, 429, 200]
    assert wire.vendors_named("Throttled 0") == []


def test_revoke_token_makes_api_calls_401_and_refresh_invalid_grant(wire):
    tokens = wire.plane.post("/_sandbox/tokens", json={}).json()
    wire.fault(kind="revoke_token")
    assert wire.create_vendor("Revoked Ltd").status_code == 401
    response = wire.plane.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("ledgersync-sandbox", "ledgersync-sandbox-secret"),
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_revoke_token_with_a_path_fires_on_the_matching_call(wire):
    wire.fault(kind="revoke_token", path="/vendor")
    assert wire.api.get(f"/v3/company/{REALM}/companyinfo/1").status_code == 200
    assert wire.create_vendor("Later Ltd").status_code == 401
    assert wire.api.get(f"/v3/company/{REALM}/companyinfo/1").status_code == 401


def test_write_faults_leave_reads_alone(wire):
    wire.fault(kind="error_before_write")
    assert (
        wire.api.get(
            f"/v3/company/{REALM}/query", params={"query": "select * from Vendor"}
        ).status_code
        == 200
    )
    assert wire.create_vendor("Still Faulted Ltd").status_code == 500


def test_a_fault_with_a_path_hits_only_matching_requests(wire):
    wire.fault(kind="error_before_write", path="/invoice")
    assert wire.create_vendor("Unaffected Ltd").status_code == 200
    assert wire.plane.get("/_sandbox/faults").json()[0]["path"] == "/invoice"


def test_a_path_fault_can_hit_the_token_endpoint(wire):
    tokens = wire.plane.post("/_sandbox/tokens", json={}).json()
    wire.fault(kind="error_before_write", path="/oauth2/v1/tokens/bearer")
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    auth = ("ledgersync-sandbox", "ledgersync-sandbox-secret")
    assert wire.plane.post("/oauth2/v1/tokens/bearer", data=data, auth=auth).status_code == 500
    assert wire.plane.post("/oauth2/v1/tokens/bearer", data=data, auth=auth).status_code == 200


def test_probability_faults_fire_until_cleared(wire):
    wire.fault(kind="rate_limit", probability=1.0)
    assert [wire.create_vendor(f"P{i}").status_code for i in range(3)] == [429, 429, 429]
    assert wire.plane.delete("/_sandbox/faults").json() == []
    assert wire.create_vendor("P3").status_code == 200


@pytest.mark.parametrize(
    "body, message",
    [
        (
            {"kind": "explode"},
            "kind must be one of: error, error_before_write, error_after_write, drop_after_write, slow, rate_limit, revoke_token, late_write",
        ),
        ({"kind": "slow", "count": 0}, "count must be a whole number >= 1"),
        ({"kind": "slow", "count": 1, "probability": 0.5}, "give count or probability, not both"),
        ({"kind": "slow", "probability": 2}, "probability must be a number in (0, 1]"),
        ({"kind": "slow", "when": "now"}, "unknown fields: when"),
    ],
)
def test_a_bad_fault_is_refused_with_a_reason(app_plane, body, message):
    response = app_plane.post("/_sandbox/faults", json=body)
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert app_plane.get("/_sandbox/faults").json() == []


@pytest.fixture
def app_plane():
    from ledgersync.sandbox import make_app

    app = make_app("quickbooks")
    return httpx.Client(transport=app.transport(), base_url="http://sandbox.test")
