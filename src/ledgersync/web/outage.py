"""An unreachable database or queue answers 503 "temporarily unavailable", never a 500.

The web pages get a plain page (no template that could itself need the database), the API its
JSON error shape; both carry ``Retry-After``. One log line per failure kind per interval.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse

from ledgersync.outage import outage_errors, service_of, throttle

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


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
