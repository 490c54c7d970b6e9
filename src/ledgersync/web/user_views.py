"""Settings > Users: an Administrator lists the organisation's users, invites new ones, and
changes a user's role, deactivates or reactivates them. MANAGE_SETTINGS, checked in every view.

The rules (what a username may be, that an organisation keeps an active Administrator) live in
records/accounts.py; these views show its sentences and write who did what to whom in the
audit log. A refused change answers 400 with the page and the sentence; a user of another
organisation is not found (404), as every row of another organisation is.
"""

from __future__ import annotations

import smtplib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ledgersync.records import accounts
from ledgersync.records.models import Perm, Role, User
from ledgersync.sync.models import AuditEvent
from ledgersync.web.access import organisation_of, require


class InviteForm(forms.Form):
    """Only gathers and refills the fields: records.accounts.invite judges them (one home)."""

    username = forms.CharField(required=False)
    email = forms.CharField(label="E-mail", required=False)
    role = forms.CharField(widget=forms.Select(choices=Role.choices), required=False)


def refusal(what: str, exc: ValueError) -> str:
    """What did not happen, then the records layer's reason as it wrote it (a username in
    it keeps its case), ending in a full stop."""
    reason = str(exc).strip()
    return f"{what}: {reason}" + ("" if reason.endswith(".") else ".")


def _page(request, *, form: InviteForm | None = None, error: str = "", status: int = 200):
    users = User.objects.filter(organisation=organisation_of(request)).order_by("username")
    context = {
        "users": users,
        "form": form or InviteForm(initial={"role": Role.ACCOUNTS}),
        "roles": Role.choices,
        "error": error,
    }
    return render(request, "web/users.html", context, status=status)


def _member(request, pk: int) -> User:
    require(request, Perm.MANAGE_SETTINGS)
    return get_object_or_404(User.objects.filter(organisation=organisation_of(request)), pk=pk)


def _audit(request, action: str, detail: str) -> None:
    AuditEvent.objects.create(
        organisation=organisation_of(request), user=request.user, action=action, detail=detail
    )


@login_required
def users_page(request):
    require(request, Perm.MANAGE_SETTINGS)
    return _page(request)


@login_required
@require_POST
def user_invite(request):
    require(request, Perm.MANAGE_SETTINGS)
    form = InviteForm(request.POST)
    username = request.POST.get("username", "").strip()
    email = request.POST.get("email", "").strip()
    try:
        # The user, the audit row and the e-mail together: if the mail cannot go, nobody is
        # added, so the invitation can simply be tried again.
        with transaction.atomic():
            user, path = accounts.invite(
                organisation_of(request), username, email, request.POST.get("role", "")
            )
            _audit(
                request,
                "user:invite",
                f"{request.user.username} invited {user.username} ({user.email}) as "
                f"{user.get_role_display()}",
            )
            accounts.send_invite(user, path)
    except ValueError as exc:
        return _page(request, form=form, error=refusal("Nobody was invited", exc), status=400)
    except (smtplib.SMTPException, OSError) as exc:
        error = (
            f"The invitation e-mail to {email} could not be sent ({type(exc).__name__}), so "
            "nobody was added. Check the e-mail settings (docs/operations.md) and try again."
        )
        return _page(request, form=form, error=error, status=502)
    messages.success(
        request,
        f"Invitation sent to {user.email}: {user.username} chooses a password from the link "
        "in it, then logs in.",
    )
    return redirect("users")


@login_required
@require_POST
def user_role(request, pk: int):
    member = _member(request, pk)
    role = request.POST.get("role", "")
    was = member.get_role_display()
    if role == member.role:
        messages.info(request, f"{member.username} is already {was}.")
        return redirect("users")
    try:
        with transaction.atomic():
            accounts.set_role(member, role)
            _audit(
                request,
                "user:role",
                f"{request.user.username} changed {member.username}'s role from {was} to "
                f"{member.get_role_display()}",
            )
    except ValueError as exc:
        error = refusal(f"The role of {member.username} was not changed", exc)
        return _page(request, error=error, status=400)
    messages.success(request, f"{member.username} is now {member.get_role_display()}.")
    if member.pk == request.user.pk and not member.has_perm(Perm.MANAGE_SETTINGS):
        return redirect("home")  # they stepped down themselves: this page is no longer theirs
    return redirect("users")


@login_required
@require_POST
def user_deactivate(request, pk: int):
    member = _member(request, pk)
    if not member.is_active:
        messages.info(request, f"{member.username} is already deactivated.")
        return redirect("users")
    try:
        with transaction.atomic():
            accounts.deactivate(member)
            _audit(
                request,
                "user:deactivate",
                f"{request.user.username} deactivated {member.username}",
            )
    except ValueError as exc:
        error = refusal(f"{member.username} was not deactivated", exc)
        return _page(request, error=error, status=400)
    messages.success(
        request, f"{member.username} is deactivated: they cannot log in; their history stays."
    )
    return redirect("users")


@login_required
@require_POST
def user_reactivate(request, pk: int):
    member = _member(request, pk)
    if member.is_active:
        messages.info(request, f"{member.username} is already active.")
        return redirect("users")
    with transaction.atomic():
        accounts.reactivate(member)
        _audit(request, "user:reactivate", f"{request.user.username} reactivated {member.username}")
    messages.success(request, f"{member.username} can log in again.")
    return redirect("users")
