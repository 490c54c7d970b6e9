"""Nominal codes (list, add, edit, import from the package) and the organisation's Settings.

Everyone may read the nominal codes (they choose them on lines); changing or importing them
needs LINK_ACCOUNTS. Settings and the audit log need MANAGE_SETTINGS (Administrators).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ledgersync.providers.base import ProviderError
from ledgersync.providers.registry import PROVIDERS, display_name
from ledgersync.records import services
from ledgersync.records.models import ROUNDING_CHOICES, NominalCode, Organisation, Perm, TaxCode
from ledgersync.sync import assess, chart, codemap, connections
from ledgersync.sync.models import AuditEvent
from ledgersync.web.access import organisation_of, require
from ledgersync.web.public import callback_uri
from ledgersync.web.sync_support import Package, open_connector


class NominalForm(forms.ModelForm):
    class Meta:
        model = NominalCode
        fields = ["code", "description", "kind", "default_tax_code"]

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["default_tax_code"].queryset = TaxCode.objects.for_org(organisation)

    def clean_code(self):
        code = self.cleaned_data["code"]
        clash = (
            NominalCode.objects.for_org(self.organisation)
            .filter(code=code)
            .exclude(pk=self.instance.pk)
        )
        if clash.exists():
            raise forms.ValidationError(f"Nominal code {code} already exists.")
        return code


@login_required
def nominal_list(request):
    package = Package.of(request)
    nominals = list(
        NominalCode.objects.for_org(package.organisation).select_related("default_tax_code")
    )
    problem = ""
    try:
        reference = open_connector(package.connection).reference_data()
        assert package.connection is not None  # open_connector raised NotConnected otherwise
        code_map = codemap.CodeMap.of(package.connection, reference)
        for nominal in nominals:
            nominal.package = chart.match(nominal.code, code_map)
    except (connections.NotConnected, ProviderError) as exc:
        problem = package.problem(exc)
    return render(
        request,
        "web/nominal_list.html",
        {
            "nominals": nominals,
            "problem": problem,
            "provider_name": package.name,
            "connection": package.connection,
        },
    )


@login_required
def nominal_edit(request, pk: int | None = None):
    require(request, Perm.LINK_ACCOUNTS)
    organisation = organisation_of(request)
    nominal = None
    if pk is not None:
        nominal = get_object_or_404(NominalCode.objects.for_org(organisation), pk=pk)
    form = NominalForm(organisation, request.POST or None, instance=nominal)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.organisation = organisation
        saved.save()
        messages.success(request, f"Saved nominal code {saved.code}.")
        return redirect("nominals")
    return render(request, "web/nominal_form.html", {"form": form, "nominal": nominal})


@login_required
@require_POST
def nominal_import(request):
    require(request, Perm.LINK_ACCOUNTS)
    package = Package.of(request)
    name = package.name
    try:
        connector = open_connector(package.connection)
        result = chart.import_chart(package.organisation, connector, user=request.user)
    except (connections.NotConnected, ProviderError) as exc:
        messages.error(request, package.problem(exc))
        return redirect("nominals")
    if result.created:
        messages.success(
            request,
            f"Imported {len(result.created)} nominal codes from {name}: "
            f"{', '.join(result.created)}.",
        )
    else:
        messages.success(
            request, f"Every income and expense account in {name} already has a nominal code here."
        )
    return redirect("nominals")


# -- Settings ---------------------------------------------------------------------------------


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "provider",
            "batch_size",
            "auto_sync_minutes",
            "schedule_minutes",
            "idle_timeout_minutes",
            "vat_rounding",
            "post_as",
        ]
        labels = {
            "provider": "Accounting package",
            "auto_sync_minutes": "Auto Sync limit (minutes)",
            "schedule_minutes": "Schedule (minutes)",
            "idle_timeout_minutes": "Idle timeout (minutes)",
        }

    def __init__(self, *args, connected: bool, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.instance.package_rounding
        package = display_name(self.instance.provider)
        rounding = self.fields["vat_rounding"]
        assert isinstance(rounding, forms.ChoiceField)
        rounding.choices = [
            ("", f"As {package} does ({own.label.lower()})"),
            *[(rule, label) for rule, label in ROUNDING_CHOICES],
        ]
        facts = PROVIDERS.get(self.instance.provider)
        note = facts.capabilities.drafts_note if facts else None
        if note:
            self.fields["post_as"].help_text = note
        if connected:
            self.fields["provider"].disabled = True
            self.fields[
                "provider"
            ].help_text = "Disconnect on the Sync page before choosing another package."


AUDIT_PAGE_SIZE = 50


@login_required
def settings_page(request):
    require(request, Perm.MANAGE_SETTINGS)
    organisation = organisation_of(request)
    connected = connections.live_connection(organisation) is not None
    form = SettingsForm(request.POST or None, instance=organisation, connected=connected)
    warning = ""
    if request.method == "POST" and form.is_valid():
        changed = form.changed_data
        rule = form.cleaned_data["vat_rounding"]
        # "As the package does" follows the package: choosing another moves the rule too.
        rounding_moves = "vat_rounding" in changed or ("provider" in changed and not rule)
        if rounding_moves:
            # Warn first when documents not yet in the package would be affected (the form's
            # instance holds the package chosen, not yet saved).
            warning = services.rounding_change(form.instance, rule).warning
        if warning and request.POST.get("confirm_rounding") != "yes":
            return render(
                request,
                "web/settings.html",
                {
                    "form": form,
                    "page": _audit_page(request),
                    "connected": connected,
                    "rounding_warning": warning,
                    "redirect_uri": callback_uri(request),
                },
            )
        form.save()
        if rounding_moves:
            services.set_vat_rounding(organisation, rule)
        if "provider" in changed:
            # Every status names the package it was judged against: judge them again.
            assess.connection_changed(organisation)
        if changed:
            AuditEvent.objects.create(
                organisation=organisation,
                user=request.user,
                action="settings",
                detail="Changed " + ", ".join(f"{f} to {form.cleaned_data[f]}" for f in changed),
            )
        messages.success(request, "Settings saved.")
        return redirect("settings")
    return render(
        request,
        "web/settings.html",
        {
            "form": form,
            "page": _audit_page(request),
            "connected": connected,
            "redirect_uri": callback_uri(request),
        },
    )


def _audit_page(request):
    events = AuditEvent.objects.for_org(organisation_of(request)).select_related("user")
    return Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_POST
def audit_prune(request):
    require(request, Perm.MANAGE_SETTINGS)
    organisation = organisation_of(request)
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        days = -1
    if days < 1:
        messages.error(request, "Give the number of days to keep (1 or more).")
        return redirect("settings")
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = AuditEvent.objects.for_org(organisation).filter(at__lt=cutoff).delete()
    AuditEvent.objects.create(
        organisation=organisation,
        user=request.user,
        action="audit:prune",
        detail=f"Removed {deleted} audit entries older than {days} days",
    )
    messages.success(request, f"Removed {deleted} audit entries older than {days} days.")
    return redirect("settings")
