"""The mapping screens: our nominal codes next to the package's accounts (with the fallback
account per document type and "Create in ledgersync"), and our tax codes next to the
package's tax codes. Both read the package's list as last read (sync/reference.py) and change
the mapping through sync/codemap.py, the home the checks and the push read too.

Seeing and changing them needs LINK_ACCOUNTS, as changing nominal codes does. Refreshing the
list posts to the Sync page's refresh (RUN_SYNC), which comes back here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ledgersync.records.models import DocType, Perm
from ledgersync.sync import chart, codemap, reference
from ledgersync.sync.models import ConnectionStatus, MapKind
from ledgersync.sync.status import READING_NOW, data_age
from ledgersync.web.access import require
from ledgersync.web.sync_support import Package


def _screen(request, template: str, extra) -> object:
    require(request, Perm.LINK_ACCOUNTS)
    package = Package.of(request)
    connection = package.connection
    code_map = codemap.as_read(connection) if connection is not None else None
    cache = reference.cache_of(connection)
    context = {
        "provider_name": package.name,
        "connection": connection,
        "connected": connection is not None and connection.status == ConnectionStatus.CONNECTED,
        "code_map": code_map,
        "age": data_age(package.name, cache.fetched_at if cache else None, timezone.now()),
        "reading": READING_NOW.format(provider=package.name) if reference.is_reading(cache) else "",
        "read_problem": cache.error if cache is not None and cache.error else "",
        "here": request.path,
    }
    if code_map is not None:
        context.update(extra(package, code_map))
    return render(request, template, context)


@login_required
@require_GET
def nominal_mapping(request):
    def rows(package, code_map):
        fallbacks = [
            {
                "doc_type": doc_type,
                "words": codemap.DOC_TYPE_WORDS[doc_type],
                "chosen": code_map.mapped(MapKind.FALLBACK, doc_type) or "",
                "account": code_map.fallback(doc_type),
            }
            for doc_type in DocType
        ]
        return {
            "rows": codemap.nominal_rows(package.organisation, code_map),
            "accounts": sorted(code_map.reference.accounts.values(), key=lambda a: a.code),
            "fallbacks": fallbacks,
            "lacking": codemap.accounts_we_lack(package.organisation, code_map),
        }

    return _screen(request, "web/nominal_mapping.html", rows)


@login_required
@require_GET
def tax_mapping(request):
    def rows(package, code_map):
        return {
            "rows": codemap.tax_rows(package.organisation, code_map),
            "taxes": code_map.reference.tax_codes,
        }

    return _screen(request, "web/tax_mapping.html", rows)


def _set(request, kind: MapKind, code: str, remote: str) -> bool:
    """One mapping changed through codemap.set_mapping (True when it changed). Raises
    MappingError, in words for the page, also when the package's list was never read."""
    package = Package.of(request)
    connection = package.connection
    code_map = codemap.as_read(connection) if connection is not None else None
    if connection is None or code_map is None:
        raise codemap.MappingError(f"Read {package.name}'s list first (Refresh).")
    return codemap.set_mapping(
        connection,
        code_map.reference,
        kind,
        code,
        remote,
        user=request.user,
        provider_name=package.name,
    )


@login_required
@require_POST
def map_nominal(request):
    require(request, Perm.LINK_ACCOUNTS)
    code, remote = request.POST.get("code", ""), request.POST.get("remote", "")
    try:
        if _set(request, MapKind.NOMINAL, code, remote):
            name = Package.of(request).name
            if remote:
                messages.success(request, f"Nominal code {code} now books to {name} {remote}.")
            else:
                messages.success(request, f"Nominal code {code} maps by its number again.")
    except codemap.MappingError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('nominal-mapping')}#nominal-{code}")


@login_required
@require_POST
def map_fallback(request):
    require(request, Perm.LINK_ACCOUNTS)
    doc_type, remote = request.POST.get("doc_type", ""), request.POST.get("remote", "")
    try:
        if _set(request, MapKind.FALLBACK, doc_type, remote):
            words = codemap.DOC_TYPE_WORDS[DocType(doc_type)]
            if remote:
                messages.success(
                    request, f"A missing nominal on {words} now books to {remote} instead."
                )
            else:
                messages.success(request, f"No fallback account for {words}.")
    except codemap.MappingError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('nominal-mapping')}#fallbacks")


@login_required
@require_POST
def map_tax(request):
    """Our tax code's package tax code on sales and on purchases (either may be blank:
    matched by code)."""
    require(request, Perm.LINK_ACCOUNTS)
    code = request.POST.get("code", "")
    try:
        changed = [
            _set(request, kind, code, request.POST[side])
            for kind, side in ((MapKind.SALES_TAX, "sales"), (MapKind.PURCHASE_TAX, "purchases"))
            if side in request.POST
        ]
        if any(changed):
            messages.success(request, f"Saved the mapping of tax code {code}.")
    except codemap.MappingError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('tax-mapping')}#tax-{code}")


@login_required
@require_POST
def create_nominal(request):
    """Create in ledgersync: one of the package's accounts we lack becomes a nominal code."""
    require(request, Perm.LINK_ACCOUNTS)
    package = Package.of(request)
    code = request.POST.get("code", "").strip()
    connection = package.connection
    code_map = codemap.as_read(connection) if connection is not None else None
    if code_map is None:
        messages.error(request, f"Read {package.name}'s list first (Refresh).")
        return redirect("nominal-mapping")
    try:
        nominal = chart.create_nominal(
            package.organisation,
            code_map.reference,
            code,
            provider_name=package.name,
            user=request.user,
        )
    except chart.CannotCreate as exc:
        messages.error(request, str(exc))
        return redirect("nominal-mapping")
    messages.success(request, f"Created nominal code {nominal.code} {nominal.description}.")
    return redirect(f"{reverse('nominal-mapping')}#nominal-{nominal.code}")
