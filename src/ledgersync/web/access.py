"""Who may do what, checked in every view (a hidden menu entry is not a permission check)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ledgersync.records.models import Document, Organisation
from ledgersync.sync import actor

# What each refusal says, so the 403 page tells the user whom to ask.
ASK_ADMIN = "You do not have permission for this page; ask your Administrator to enable it."


def organisation_of(request) -> Organisation:
    """The signed-in user's organisation; every query a view makes goes through it."""
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("Your user belongs to no organisation; ask an Administrator.")
    return organisation


def require(request, perm: str) -> None:
    """Refuse the request (403) unless the user holds ``perm`` (a records.models.Perm)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(ASK_ADMIN)


def document_for(request, pk: int) -> Document:
    """Document ``pk`` of the user's organisation, with what its pages show (404 otherwise)."""
    queryset = (
        Document.objects.for_org(organisation_of(request))
        .select_related("account", "supplier", "care_of", "sync_state")
        .prefetch_related("lines__nominal", "lines__tax_code")
    )
    return get_object_or_404(queryset, pk=pk)


class ActingUser:
    """Middleware: the signed-in user acts for whatever the request causes (sync/actor.py),
    such as a problem on Needs attention marked resolved by them."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with actor.acting(lambda: getattr(request, "user", None)):
            return self.get_response(request)
