"""An unreachable database or queue answers 503 "temporarily unavailable", never a 500.

The web pages get a plain page (no template that could itself need the database), the API its
JSON error shape; both carry ``Retry-After``. One log line per failure kind per interval.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
LOG_INTERVAL_SECONDS = 60


def outage_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions  # a dependency: the production queue

    return (
        OperationalError,
        InterfaceError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
    )


def service_of(exc: BaseException) -> str:
    return "queue" if type(exc).__module__.startswith("redis") else "database"


class Throttle:
    """Log a failure kind at most once per interval (no traceback storm in an outage)."""

    def __init__(self, interval: float = LOG_INTERVAL_SECONDS) -> None:
        self.interval = interval
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def warn(self, logger: logging.Logger, kind: str, message: str) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(kind, -self.interval - 1) < self.interval:
                return False
            self.last[kind] = now
        logger.warning(message)
        return True


throttle = Throttle()

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>ledgersync is temporarily unavailable</title></head><body>
<h1>ledgersync is temporarily unavailable</h1>
<p>The {service} cannot be reached just now. Nothing you saved has been lost; please try again
in a minute.</p></body></html>"""


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.errors = outage_errors()

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not isinstance(exc, self.errors):
            return None
        service = service_of(exc)
        throttle.warn(log, f"web-{service}", f"{service} unreachable: {type(exc).__name__}")
        if request.path.startswith("/api/"):
            from ledgersync.api.errors import ApiError

            error = ApiError(
                503,
                "temporarily_unavailable",
                f"The {service} cannot be reached just now; try again in a minute.",
            )
            response = JsonResponse(error.body(), status=503)
        else:
            response = HttpResponse(PAGE.format(service=service), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
