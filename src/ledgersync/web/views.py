"""The Diary (home) page and the health check. The other screens live in *_views.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from ledgersync.sync.health import readiness


def healthz(request):
    """The process is alive (it touches nothing else; see /readyz)."""
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    """Database, queue and a worker heartbeat younger than a minute; 503 when any fails."""
    ok, checks = readiness()
    return JsonResponse({"ready": ok, "checks": checks}, status=200 if ok else 503)


@login_required
def home(request):
    return render(request, "web/home.html")
