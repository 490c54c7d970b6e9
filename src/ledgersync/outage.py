"""The database or the queue unreachable: how every process recognises it and says so once.

An outage is not a bug: a worker or the web keeps going, tells the person what is down in one
line per kind per interval, and picks up again when the service returns. The web's 503 pages
are in web/outage.py; the worker's waiting is in sync/tasks.py; this module is what they share.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db.utils import InterfaceError, OperationalError

LOG_INTERVAL_SECONDS = 60


def database_errors() -> tuple[type[BaseException], ...]:
    """What Django raises when the database cannot be reached or the connection broke."""
    return (OperationalError, InterfaceError)


def queue_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions  # a dependency: the production queue

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def outage_errors() -> tuple[type[BaseException], ...]:
    return database_errors() + queue_errors()


def service_of(exc: BaseException) -> str:
    return "queue" if type(exc).__module__.startswith("redis") else "database"


class Throttle:
    """Let a kind of message through at most once per interval."""

    def __init__(self, interval: float = LOG_INTERVAL_SECONDS) -> None:
        self.interval = interval
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def allow(self, kind: str) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(kind, -self.interval - 1) < self.interval:
                return False
            self.last[kind] = now
        return True

    def warn(self, logger: logging.Logger, kind: str, message: str) -> bool:
        if not self.allow(kind):
            return False
        logger.warning(message)
        return True


throttle = Throttle()


class OutageLogFilter(logging.Filter):
    """On the log handlers: a record carrying an outage error becomes one line, no traceback,
    at most once per logger and kind per interval. Huey's consumer logs a traceback each time
    it fails to read the queue (dozens a minute per thread); this is what keeps that a line."""

    def __init__(self, name: str = "", interval: float = LOG_INTERVAL_SECONDS) -> None:
        super().__init__(name)
        self.throttle = Throttle(interval)

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not isinstance(exc, outage_errors()):
            return True
        service = service_of(exc)
        if not self.throttle.allow(f"{record.name}:{service}:{type(exc).__name__}"):
            return False
        record.msg = (
            f"{record.getMessage()}: the {service} is unreachable ({type(exc).__name__}: "
            f"{str(exc).strip()[:200]}); the same is not logged again for "
            f"{self.throttle.interval:.0f} s"
        )
        record.args, record.exc_info, record.exc_text = (), None, None
        return True
