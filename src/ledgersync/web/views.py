"""The Diary (home) page and the health check. The other screens live in *_views.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from ledgersync.web.access import organisation_of

# Kept importable from here for code written before the views were split up.
__all__ = ["healthz", "home", "organisation_of"]


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    return render(request, "web/home.html")
