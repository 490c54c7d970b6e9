"""The late_write fault: the client gives up on a write that the sandbox commits later."""

from __future__ import annotations

import time

import httpx
import pytest

HELD = (httpx.ReadTimeout, httpx.RemoteProtocolError)  # in-process / socket


def test_a_late_write_times_the_client_out_and_stores_nothing_yet(wire):
    wire.fault(kind="late_write", delay=60)
    with pytest.raises(HELD):
        wire.create_vendor("Late Ltd")
    assert wire.vendors_named("Late Ltd") == []
    assert wire.plane.get("/_sandbox/late_writes").json() == {"held": 1}


def test_a_held_write_lands_when_the_control_plane_says_so(wire):
    wire.fault(kind="late_write", delay=60)
    with pytest.raises(HELD):
        wire.create_vendor("Landed Ltd")

    assert wire.plane.post("/_sandbox/late_writes").json() == {"landed": 1}

    assert len(wire.vendors_named("Landed Ltd")) == 1
    assert wire.plane.get("/_sandbox/late_writes").json() == {"held": 0}


def test_a_held_write_lands_after_its_delay_on_the_sped_up_clock(wire):
    wire.plane.put("/_sandbox/limits", json={"clock_speed": 50}).raise_for_status()
    wire.fault(kind="late_write", delay=10)  # 10 sandbox seconds = 0.2 real seconds
    with pytest.raises(HELD):
        wire.create_vendor("Timed Ltd")
    assert wire.vendors_named("Timed Ltd") == []

    deadline = time.monotonic() + 5
    while not wire.vendors_named("Timed Ltd") and time.monotonic() < deadline:
        time.sleep(0.05)

    assert len(wire.vendors_named("Timed Ltd")) == 1


def test_a_late_original_of_an_answered_key_is_replayed_not_written(wire):
    wire.fault(kind="late_write", delay=60)
    with pytest.raises(HELD):
        wire.create_vendor("Keyed Ltd", params={"requestid": "late-1"})
    assert wire.create_vendor("Keyed Ltd", params={"requestid": "late-1"}).status_code == 200

    wire.plane.post("/_sandbox/late_writes")

    assert len(wire.vendors_named("Keyed Ltd")) == 1


def test_a_reset_drops_held_writes_unlanded(wire):
    wire.fault(kind="late_write", delay=60)
    with pytest.raises(HELD):
        wire.create_vendor("Reset Ltd")

    wire.plane.post("/_sandbox/reset").raise_for_status()

    assert wire.plane.post("/_sandbox/late_writes").json() == {"landed": 0}


def test_a_late_write_fault_shows_its_delay(wire):
    body = wire.fault(kind="late_write", delay=12.5).json()
    assert (body["kind"], body["delay"], body["count"]) == ("late_write", 12.5, 1)
