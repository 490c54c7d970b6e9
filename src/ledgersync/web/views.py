"""Page views. Every query goes through the signed-in user's organisation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from ledgersync.records.models import Document


def organisation_of(request):
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("Your user belongs to no organisation; ask an Administrator.")
    return organisation


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    return render(request, "web/home.html")


@login_required
def document_list(request):
    documents = (
        Document.objects.for_org(organisation_of(request))
        .with_totals()
        .select_related("account", "supplier")
        .order_by("doc_type", "number")[:500]
    )
    return render(request, "web/document_list.html", {"documents": documents})


@login_required
def document_detail(request, pk: int):
    document = get_object_or_404(
        Document.objects.for_org(organisation_of(request)).prefetch_related("lines__nominal"), pk=pk
    )
    return render(request, "web/document_detail.html", {"document": document})
