"""The Diary (home) page, the health checks and /metrics. The other screens live in
*_views.py."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ledgersync.sync.health import readiness

METRICS_AUTH_HINT = (
    "Send the token as the header: Authorization: Bearer <LEDGERSYNC_METRICS_TOKEN>\n"
)


def healthz(request):
    """The process is alive (it touches nothing else; see /readyz)."""
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    """Database, queue and a worker heartbeat younger than a minute; 503 when any fails."""
    ok, checks = readiness()
    return JsonResponse({"ready": ok, "checks": checks}, status=200 if ok else 503)


@require_safe
def metrics(request):
    """Prometheus exposition (sync/metrics.py) for the bearer of LEDGERSYNC_METRICS_TOKEN;
    off (404) while the setting is unset. A database error propagates: the outage
    middleware answers 503."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("/metrics is off: set LEDGERSYNC_METRICS_TOKEN to turn it on.")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    given = credentials.strip().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, token.encode()):
        response = HttpResponse(METRICS_AUTH_HINT, status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="ledgersync metrics"'
        return response
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from ledgersync.sync.metrics import REGISTRY

    response = HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def home(request):
    return render(request, "web/home.html")
