"""Settings > Tracking: what the live connection books a document's job, site or department
as (a QuickBooks class or location, a Xero tracking category). The rules are in
sync/tracking.py, which the REST API calls too; changing them needs MANAGE_CONNECTION."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ledgersync.providers.base import TrackingSlot
from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.models import Perm
from ledgersync.sync import connections, reference, tracking
from ledgersync.sync.models import TrackingSource
from ledgersync.web.access import organisation_of, require


@login_required
def tracking_settings(request) -> HttpResponse:
    require(request, Perm.MANAGE_CONNECTION)
    organisation = organisation_of(request)
    connection = connections.live_connection(organisation)
    context: dict = {
        "connection": connection,
        "provider_name": connections.provider_name(organisation, connection),
        "sources": TrackingSource.choices,
        "errors": {},
    }
    if connection is None:
        return render(request, "web/tracking.html", context)
    slots = tracking.settings_of(connection)
    if request.method == "POST":
        wanted = {
            s.slot.value: {
                "source": request.POST.get(f"{s.slot.value}-source", ""),
                "category": request.POST.get(f"{s.slot.value}-category", ""),
            }
            for s in slots
        }
        try:
            tracking.save_settings(connection, wanted, user=request.user)
        except ValidationError as exc:
            context["errors"] = exc.message_dict
            slots = [
                tracking.SlotSetting(
                    s.slot, wanted[s.slot.value]["source"], wanted[s.slot.value]["category"]
                )
                for s in slots
            ]
        else:
            messages.success(request, "Tracking settings saved.")
            return redirect("tracking")
    cache = reference.cache_of(connection)
    lists = tracking.lists_of(cache.tracking) if cache and cache.tracking is not None else None
    context.update(
        slots=[(s, context["errors"].get(s.slot.value, [])) for s in slots],
        offered=bool(PROVIDERS[connection.provider].capabilities.tracking_slots),
        note=tracking.SAGE_NOTE,
        lists=lists,
        categories=[t for t in lists or [] if t.slot is TrackingSlot.CATEGORY and t.active],
    )
    return render(request, "web/tracking.html", context)
