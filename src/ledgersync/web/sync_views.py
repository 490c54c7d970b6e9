"""The Sync page: connection panel, the queue grid, Sync / Auto Sync progress, OAuth dance.

Full requests get the page; htmx requests get one named partial of it (#grid, #progress).
Each view checks its own permission: VIEW_SYNC to look, MANAGE_CONNECTION to connect or
disconnect, RUN_SYNC to start or stop a run or to read the package's data again (Refresh).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ledgersync.env import ConfigError
from ledgersync.providers.base import ProviderError
from ledgersync.providers.registry import connector_for
from ledgersync.records.models import DocType, Organisation, Perm
from ledgersync.sync import connections, engine, payments, reference, tasks
from ledgersync.sync.connections import provider_name
from ledgersync.sync.models import ConnectionStatus, SyncRun
from ledgersync.sync.status import failure_for, not_configured
from ledgersync.web.access import organisation_of, require
from ledgersync.web.public import callback_uri
from ledgersync.web.sync_support import (
    Package,
    PackageData,
    Progress,
    doc_type_from_slug,
    first_fix,
    grid_page,
    latest_run,
    readiness,
    type_menu,
)

log = logging.getLogger(__name__)

OAUTH_SESSION_KEY = "ledgersync_oauth"
GRID_CHANGED = "grid-changed"


@login_required
def sync_home(request):
    require(request, Perm.VIEW_SYNC)
    return redirect("sync", doc_type=DocType.SALES_INVOICE.slug)


def _queue_of(request, perm: str, slug: str) -> tuple[Organisation, DocType]:
    require(request, perm)
    return organisation_of(request), doc_type_from_slug(slug)


@login_required
@require_GET
def sync_page(request, doc_type: str):
    organisation, current = _queue_of(request, Perm.VIEW_SYNC, doc_type)
    page = grid_page(organisation, current, request.GET.get("page"))
    if request.htmx and request.htmx.target == "grid":
        connection = connections.live_connection(organisation)
        return render(
            request,
            "web/sync.html#grid",
            {
                "page": page,
                "doc_type": current,
                "menu": type_menu(organisation, current),
                "counts_oob": True,
                "readiness": readiness(organisation, current, connection),
            },
        )
    package = Package.of(request)
    run = latest_run(organisation, current)
    return render(
        request,
        "web/sync.html",
        {
            "doc_type": current,
            "menu": type_menu(organisation, current),
            "connection": package.connection,
            "provider_name": package.name,
            "lost": connections.lost_sentence(organisation, package.connection),
            "page": page,
            "progress": Progress.of(run) if run else None,
            "nothing_ready": first_fix(organisation, current, package.connection, run),
            "readiness": readiness(organisation, current, package.connection),
            "package_data": PackageData.of(package.connection),
            "payments_pull": payments.pull_sentence(package.connection),
        },
    )


# -- connection -------------------------------------------------------------------------------


@login_required
@require_POST
def connect(request):
    """Send the user to the package's consent page (the real OAuth redirect)."""
    require(request, Perm.MANAGE_CONNECTION)
    organisation = organisation_of(request)
    name = provider_name(organisation)
    try:
        auth = connector_for(organisation.provider, None).authorization_url(callback_uri(request))
    except ConfigError as exc:
        messages.error(request, not_configured(name, exc))
        return redirect("sync-home")
    request.session[OAUTH_SESSION_KEY] = {
        "provider": organisation.provider,
        "state": auth.state,
        "verifier": auth.code_verifier,
        "next": request.POST.get("next") or reverse("sync-home"),
    }
    return redirect(auth.url)


@login_required
@require_GET
def callback(request):
    """The package sends the user back here with a code (or an error)."""
    require(request, Perm.MANAGE_CONNECTION)
    organisation = organisation_of(request)
    pending = request.session.pop(OAUTH_SESSION_KEY, None)
    if not pending:
        messages.error(
            request, "That sign-in was not started here (or was already used); click Connect again."
        )
        return redirect("sync-home")
    name = provider_name(organisation)
    try:
        connection = connections.complete_connection(
            organisation,
            pending["provider"],
            request.GET.dict(),
            redirect_uri=callback_uri(request),
            expected_state=pending["state"],
            code_verifier=pending["verifier"],
            user=request.user,
        )
    except ProviderError as exc:
        messages.error(request, f"Not connected to {name}: {exc.message}")
        return redirect(pending["next"])
    messages.success(request, f"Connected to {name}: {connection.company_name}.")
    return redirect(pending["next"])


@login_required
@require_POST
def disconnect(request):
    require(request, Perm.MANAGE_CONNECTION)
    package = Package.of(request)
    if package.connection is not None:
        connections.disconnect(package.connection, user=request.user)
        messages.success(request, f"Disconnected from {package.name}.")
    return redirect(request.POST.get("next") or "sync-home")


# -- runs -------------------------------------------------------------------------------------


def _progress_response(
    request, run: SyncRun | None, *, changed: bool, nothing_ready=None
) -> HttpResponse:
    if run is not None and nothing_ready is None:
        nothing_ready = first_fix(run.organisation, DocType(run.doc_type), run.connection, run)
    context = {"progress": Progress.of(run) if run else None, "nothing_ready": nothing_ready}
    response = render(request, "web/sync.html#progress", context)
    if changed:
        response["HX-Trigger"] = GRID_CHANGED
    return response


@login_required
@require_POST
def start_run(request, doc_type: str):
    """Sync (one batch) or Auto Sync (batches until the time limit), worked in the background."""
    organisation, current = _queue_of(request, Perm.RUN_SYNC, doc_type)
    auto = request.POST.get("auto") == "1"
    try:
        run = engine.start_run(organisation, current, user=request.user, auto=auto)
    except connections.NotConnected as exc:
        messages.error(request, failure_for(exc, provider_name(organisation)).message)
        return _back_to_page(request, current)
    except engine.RunInProgress as exc:
        run = exc.run
    except engine.NothingReady as exc:
        if not request.htmx:
            messages.error(request, exc.sentence)
            return redirect("sync", doc_type=current.slug)
        return _progress_response(request, None, changed=False, nothing_ready=exc)
    else:
        tasks.enqueue(run)
    if not request.htmx:
        return redirect("sync", doc_type=current.slug)
    run.refresh_from_db()
    return _progress_response(request, run, changed=True)


def _back_to_page(request, doc_type: DocType) -> HttpResponse:
    url = reverse("sync", kwargs={"doc_type": doc_type.slug})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_GET
def run_progress(request, pk: int):
    """The progress bar, polled while a run is live; tells the grid to reload as rows go."""
    require(request, Perm.VIEW_SYNC)
    run = get_object_or_404(SyncRun.objects.for_org(organisation_of(request)), pk=pk)
    seen = request.GET.get("seen", "")
    handled = str(run.synced_count + run.failed_count)
    return _progress_response(request, run, changed=seen != handled or not run.is_live)


@login_required
@require_POST
def stop_run(request, pk: int):
    require(request, Perm.RUN_SYNC)
    run = get_object_or_404(SyncRun.objects.for_org(organisation_of(request)), pk=pk)
    if run.is_live:
        engine.request_stop(run)
        run.refresh_from_db()
    if not request.htmx:
        return redirect("sync", doc_type=DocType(run.doc_type).slug)
    return _progress_response(request, run, changed=True)


# -- the package's data behind the checks ------------------------------------------------------


def _package_data_response(request, package: Package, *, changed: bool) -> HttpResponse:
    response = render(
        request,
        "web/sync.html#package-data",
        {"package_data": PackageData.of(package.connection), "provider_name": package.name},
    )
    if changed:
        response["HX-Trigger"] = GRID_CHANGED
    return response


@login_required
@require_POST
def refresh_reference(request):
    """Refresh from <package>: read its chart, tax codes, contacts and numbers again, in the
    background; the panel polls until the read is over, then the grid reloads."""
    require(request, Perm.RUN_SYNC)
    package = Package.of(request)
    connection = package.connection
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        messages.error(request, package.problem(connections.NotConnected()))
        return redirect(request.POST.get("next") or "sync-home")
    reference.request_refresh(connection)
    if not request.htmx:
        return redirect(request.POST.get("next") or "sync-home")
    # The read may be over already (a worker in this process): then the grid reloads now.
    return _package_data_response(request, package, changed=True)


@login_required
@require_GET
def reference_status(request):
    """The panel, polled while a read is going; tells the grid to reload once it is over."""
    require(request, Perm.VIEW_SYNC)
    package = Package.of(request)
    data = PackageData.of(package.connection)
    over = data is None or not data.reading
    return _package_data_response(request, package, changed=over)
