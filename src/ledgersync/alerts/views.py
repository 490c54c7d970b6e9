"""Settings > Alerts: who is e-mailed, the daily digest, the webhook, its secret and its
deliveries. Administrators only (MANAGE_SETTINGS), checked in every view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ledgersync.alerts import webhooks
from ledgersync.alerts.forms import AlertEmailForm, WebhookForm
from ledgersync.alerts.models import AlertSettings, Delivery
from ledgersync.records.models import Perm
from ledgersync.sync.models import AuditEvent
from ledgersync.web.access import organisation_of, require

DELIVERIES_SHOWN = 50


def _settings_row(request) -> AlertSettings:
    require(request, Perm.MANAGE_SETTINGS)
    row, _ = AlertSettings.objects.get_or_create(organisation=organisation_of(request))
    return row


def _page(request, row: AlertSettings, *, email=None, webhook=None, secret="", status=200):
    deliveries = (
        Delivery.objects.for_org(row.organisation)
        .select_related("event")
        .order_by("-id")[:DELIVERIES_SHOWN]
    )
    context = {
        "settings_row": row,
        "email_form": email or AlertEmailForm(instance=row),
        "webhook_form": webhook or WebhookForm(instance=row),
        "new_secret": secret,
        "deliveries": deliveries,
    }
    return render(request, "alerts/alerts.html", context, status=status)


@login_required
def alerts_page(request):
    return _page(request, _settings_row(request))


def _save(request, form_class, what: str, slot: str):
    """Save one of the page's forms; an invalid one is shown again with its words (422)."""
    row = _settings_row(request)
    form = form_class(request.POST, instance=row)
    if not form.is_valid():
        return _page(request, row, **{slot: form}, status=422)
    form.save()
    if form.changed_data:
        AuditEvent.objects.create(
            organisation=row.organisation,
            user=request.user,
            action="alerts",
            detail=f"Changed {what}: " + ", ".join(form.changed_data),
        )
    messages.success(request, f"{what.capitalize()} saved.")
    return redirect("alerts")


@login_required
@require_POST
def save_email(request):
    return _save(request, AlertEmailForm, "alert e-mail settings", "email")


@login_required
@require_POST
def save_webhook(request):
    return _save(request, WebhookForm, "webhook settings", "webhook")


@login_required
@require_POST
def rotate_secret(request):
    """A new signing secret, shown on this answer only (it is stored encrypted)."""
    row = _settings_row(request)
    secret = webhooks.rotate_secret(row.organisation, user=request.user)
    row.refresh_from_db()
    return _page(request, row, secret=secret)
