"""Readiness: the database, the queue and a live worker, each checked on its own.

Workers write a heartbeat into the queue's own storage (Redis, or the SQLite queue file) every
``HEARTBEAT_SECONDS``: a worker that can write there can take jobs, and the database is not
written to every few seconds just to say so. ``/readyz`` reads it back (docs/operations.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "ledgersync-worker-heartbeat"
HEARTBEAT_SECONDS = 15
RETRY_SECONDS = 2
HEARTBEAT_MAX_AGE = 60


def _storage():
    from huey.contrib.djhuey import HUEY

    return HUEY.storage


def beat(now: float | None = None) -> None:
    """Record that a worker is alive now (one key, the newest beat of any worker wins)."""
    storage = _storage()
    storage.delete_data(HEARTBEAT_KEY)
    storage.put_data(HEARTBEAT_KEY, repr(time.time() if now is None else now).encode())


def start_heartbeat(
    stop: threading.Event, after_beat: Callable[[], object] | None = None
) -> threading.Thread:
    """A daemon thread beating until ``stop`` is set; a failed beat is logged once per kind.
    ``after_beat`` runs after each beat that got through (the worker starts runs saved while
    the queue was down: tasks.start_waiting_runs)."""

    def loop() -> None:
        last_failure = ""
        while not stop.is_set():
            try:
                beat()
            except Exception as exc:  # the queue is down: /readyz will say so
                kind = type(exc).__name__
                if kind != last_failure:
                    log.warning("heartbeat: cannot write to the queue (%s)", kind)
                    last_failure = kind
            else:
                if last_failure:
                    log.info("heartbeat: the queue answers again")
                last_failure = ""
                if after_beat is not None:
                    _after(after_beat)
            # While the queue is down, look more often: its return starts saved runs.
            stop.wait(RETRY_SECONDS if last_failure else HEARTBEAT_SECONDS)

    thread = threading.Thread(target=loop, name="ledgersync-heartbeat", daemon=True)
    thread.start()
    return thread


def _after(after_beat: Callable[[], object]) -> None:
    from django.db import connections

    try:
        after_beat()
    except Exception:
        log.exception("heartbeat: the work after a beat failed")
    finally:
        connections.close_all()  # this thread's own; the next beat opens it again


def check_database() -> tuple[bool, str]:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return False, f"unreachable ({type(exc).__name__})"
    return True, "ok"


def check_queue_and_worker() -> tuple[tuple[bool, str], tuple[bool, str]]:
    try:
        raw = _storage().peek_data(HEARTBEAT_KEY)
    except Exception as exc:
        failed = (False, f"unreachable ({type(exc).__name__})")
        return failed, (False, "unknown: the queue is unreachable")
    from huey.constants import EmptyData

    if raw is EmptyData or raw is None:
        return (True, "ok"), (False, "no worker has written a heartbeat")
    age = time.time() - float(raw.decode() if isinstance(raw, bytes) else raw)
    if age > HEARTBEAT_MAX_AGE:
        return (True, "ok"), (False, f"last heartbeat {age:.0f} s ago")
    return (True, "ok"), (True, f"last heartbeat {age:.0f} s ago")


def readiness() -> tuple[bool, dict[str, dict[str, object]]]:
    """(all ok, a detail per check) for ``/readyz``."""
    database = check_database()
    queue, worker = check_queue_and_worker()
    checks = {
        name: {"ok": ok, "detail": detail}
        for name, (ok, detail) in (("database", database), ("queue", queue), ("worker", worker))
    }
    return all(c["ok"] for c in checks.values()), checks
