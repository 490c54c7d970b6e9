"""/healthz and /readyz: JSON detail per check, 503 when any fails."""

from __future__ import annotations

import time

import pytest
from huey import RedisHuey

from ledgersync.sync import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_heartbeat():
    storage = health._storage()
    storage.delete_data(health.HEARTBEAT_KEY)
    yield
    storage.delete_data(health.HEARTBEAT_KEY)


def test_healthz_is_alive(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.content == b"ok"


def test_readyz_is_red_without_a_worker_heartbeat(client):
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["ready"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "detail": "no worker has written a heartbeat"}


def test_readyz_is_green_with_a_fresh_heartbeat_and_red_with_an_old_one(client):
    health.beat()
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.content
    assert answer.json()["ready"] is True

    health.beat(time.time() - health.HEARTBEAT_MAX_AGE - 5)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["worker"]["ok"] is False
    assert "s ago" in answer.json()["checks"]["worker"]["detail"]


def test_readyz_names_an_unreachable_queue(client, monkeypatch):
    # A real Redis client pointed at a port nothing listens on: the connection is refused.
    dead = RedisHuey("ledgersync-dead", url="redis://127.0.0.1:1/12")
    monkeypatch.setattr(health, "_storage", lambda: dead.storage)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["queue"]["ok"] is False
    assert checks["queue"]["detail"].startswith("unreachable (")
    assert checks["database"]["ok"] is True


def test_the_heartbeat_thread_beats_until_stopped():
    import threading

    stop = threading.Event()
    thread = health.start_heartbeat(stop)
    deadline = time.time() + 5
    while time.time() < deadline:
        ok, _ = health.check_queue_and_worker()[1]
        if ok:
            break
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=5)
    assert health.check_queue_and_worker()[1][0] is True
    assert not thread.is_alive()
