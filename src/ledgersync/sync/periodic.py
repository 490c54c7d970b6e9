"""Periodic jobs run once per schedule however many workers are running.

Every worker's scheduler enqueues each periodic job when it falls due, so with two workers each
job would run twice. ``once_per_schedule`` wraps a job so that only the first worker to take a
given minute's run goes ahead: it claims a key named after the job in the queue's storage for
50 seconds. With Redis (production) the key is set with ``SET NX EX``, atomic across workers and
expiring by itself, so a crashed worker leaves nothing behind; with the SQLite queue (one
machine, the demo) it is a timestamp read and written back. The lock lives in the queue's storage,
not the database, because that is what every worker already shares for scheduling, and a job
skipped for a busy database would be no worse than it is today (docs/operations.md).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# Shorter than the shortest schedule (a minute), longer than the spread between workers'
# schedulers firing the same minute: one run per job per 50 s, whoever is first.
LOCK_SECONDS = 50


def claim(name: str, now: float | None = None, huey: Any = None) -> bool:
    """True for the first caller within LOCK_SECONDS for job ``name``; False for the others."""
    if huey is None:
        from huey.contrib.djhuey import HUEY

        huey = HUEY
    now = time.time() if now is None else now
    key = f"ledgersync-periodic:{name}"
    storage = huey.storage
    conn = getattr(storage, "conn", None)
    if conn is not None and hasattr(conn, "set"):  # Redis: atomic, and it expires by itself
        return bool(conn.set(key, repr(now).encode(), nx=True, ex=LOCK_SECONDS))
    last = storage.peek_data(key)  # SQLite queue: one machine, the demo
    if isinstance(last, bytes) and now - float(last.decode()) < LOCK_SECONDS:
        return False
    storage.delete_data(key)
    storage.put_data(key, repr(now).encode())
    return True


def once_per_schedule(job: Callable[..., Any]) -> Callable[..., Any]:
    name = f"{job.__module__}.{job.__qualname__}"

    @functools.wraps(job)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from huey.contrib.djhuey import HUEY

        # Immediate mode (tests) has no separate workers: every call is the only one.
        if not HUEY.immediate and not claim(name):
            log.debug("%s: another worker ran it this minute", name)
            return None
        return job(*args, **kwargs)

    return wrapper
