"""Company / Site / Supplier records: details, and the address edit dialog with its AccsID.

The AccsID field in the dialog is read-only until its label is double-clicked (app.js).
Saving it goes through linking.save_raw_accs_id: kept as typed, and a blank value unlinks
the record so the Sync popup can pick it up by name again. Every change is audited. Where
the provider's ids cannot be typed (Sage) the field stays read-only, with the provider's own
reason, and a typed value is refused before anything is saved; Clear AccsID still unlinks.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ledgersync.records.models import Account, Perm, Supplier
from ledgersync.records.parties import PARTY_FIELDS
from ledgersync.sync import connections, linking
from ledgersync.sync.connections import provider_name
from ledgersync.sync.models import AuditEvent
from ledgersync.web.access import ASK_ADMIN, organisation_of

ADDRESS_FIELDS = [name for name in PARTY_FIELDS if name != "name"]


class AccountAddressForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["name", *ADDRESS_FIELDS]


class SupplierAddressForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", *ADDRESS_FIELDS]


KINDS = {
    "account": (Account, AccountAddressForm),
    "supplier": (Supplier, SupplierAddressForm),
}


@login_required
def party_list(request, kind: str):
    model, _ = KINDS[kind]
    parties = model.objects.for_org(organisation_of(request)).order_by("name")
    if kind == "account":
        parties = parties.select_related("company")
    return render(request, "web/party_list.html", {"parties": parties, "kind": kind})


def _party(request, kind: str, pk: int):
    model, _ = KINDS[kind]
    return get_object_or_404(model.objects.for_org(organisation_of(request)), pk=pk)


def _context(request, kind, party, form=None):
    organisation = party.organisation
    connection = connections.live_connection(organisation)
    link = linking.current_link(connection, party) if connection else None
    documents = party.documents.order_by("-issue_date", "-number")[:20]
    return {
        "party": party,
        "kind": kind,
        "form": form or KINDS[kind][1](instance=party),
        "connection": connection,
        "link": link,
        "accs_id_refusal": linking.typed_accs_id_refusal(connection.provider)
        if connection
        else None,
        "documents": documents,
        "provider_name": provider_name(organisation, connection),
        "can_link": request.user.has_perm(Perm.LINK_ACCOUNTS),
    }


@login_required
def party_detail(request, kind: str, pk: int):
    party = _party(request, kind, pk)
    return render(request, "web/party_detail.html", _context(request, kind, party))


@login_required
@require_POST
def party_edit(request, kind: str, pk: int):
    """The address edit dialog: record fields, and the AccsID when it was unlocked and changed."""
    party = _party(request, kind, pk)
    form = KINDS[kind][1](request.POST, instance=party)
    context = _context(request, kind, party)
    if not form.is_valid():
        context.update(form=form, open_dialog=True)
        return render(request, "web/party_detail.html", context, status=400)
    accs_id = "" if request.POST.get("clear_accs_id") else request.POST.get("accs_id")
    old = context["link"].remote_id if context["link"] else ""
    new_accs_id = accs_id is not None and accs_id.strip() != old
    if new_accs_id:
        if not request.user.has_perm(Perm.LINK_ACCOUNTS):
            raise PermissionDenied(ASK_ADMIN)
        if context["connection"] is None:
            messages.error(
                request, "Connect to your accounting package before changing the AccsID."
            )
            return redirect(kind, pk)
        if accs_id.strip() and context["accs_id_refusal"]:
            context.update(form=form, open_dialog=True, accs_id_error=context["accs_id_refusal"])
            return render(request, "web/party_detail.html", context, status=400)
    changed = form.changed_data
    form.save()
    if changed:
        AuditEvent.objects.create(
            organisation=party.organisation,
            user=request.user,
            action="record:edit",
            detail=f"{party}: changed {', '.join(changed)}",
        )
    if new_accs_id:
        connection = context["connection"]
        # Re-assesses every queued document the record is on, care-of ones included.
        linking.save_raw_accs_id(connection, party, accs_id, user=request.user)
        messages.success(
            request,
            "AccsID cleared: the Sync popup will find this record by name again."
            if not accs_id.strip()
            else f"AccsID set to {accs_id.strip()}.",
        )
    else:
        messages.success(request, f"Saved {party.name}.")
    return redirect(kind, pk)
