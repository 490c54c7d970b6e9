"""Settings > API keys: Administrators create and revoke their organisation's keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ledgersync.api.keys import create_key, revoke
from ledgersync.api.models import ApiKey
from ledgersync.records.models import Perm


def _admin_organisation(request):
    organisation = request.user.organisation
    if organisation is None or not request.user.has_perm(Perm.MANAGE_SETTINGS):
        raise PermissionDenied("Only an Administrator manages API keys.")
    return organisation


@login_required
def api_keys(request):
    organisation = _admin_organisation(request)
    new_key = None
    error = ""
    if request.method == "POST":
        try:
            _, new_key = create_key(
                organisation,
                request.POST.get("name", ""),
                read_only=request.POST.get("scope") == "read_only",
                user=request.user,
            )
        except ValueError as exc:
            error = str(exc)
    keys = ApiKey.objects.for_org(organisation).select_related("created_by")
    return render(
        request,
        "api/api_keys.html",
        {"keys": keys, "new_key": new_key, "error": error},
        status=422 if error else 200,
    )


@login_required
@require_POST
def revoke_api_key(request, pk: int):
    organisation = _admin_organisation(request)
    key = get_object_or_404(ApiKey.objects.for_org(organisation), pk=pk)
    revoke(key, user=request.user)
    messages.success(request, f"Revoked {key.name}. Calls with it now get 401.")
    return redirect("api-keys")
