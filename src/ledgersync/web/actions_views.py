"""The Accounts Sync (Actions) popup: every failing check, and linking the document's parties.

GET renders the popup from the current state: checks recorded before a party's link changed
(or for another connection) are run again first, so the popup never shows an AccsID beside
"does not exist". POST does one action (Link This, a suggestion, Create New, a typed AccsID;
each acts once however often it is sent, sync/linking.py), re-runs the checks of every queued
document naming that party (as account, supplier or care-of) and renders the popup again with
each of their grid rows swapped out of band, so every StatusCode touched changes in place.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from ledgersync.providers.base import ProviderError
from ledgersync.records.models import Document, Perm
from ledgersync.sync import connections, engine, linking, queues
from ledgersync.sync.connections import provider_name
from ledgersync.sync.status import failure_for
from ledgersync.web.access import document_for, require
from ledgersync.web.actions_support import (
    failures_of,
    grid_rows,
    is_current,
    panels,
    party_for,
)
from ledgersync.web.sync_support import open_connector


def _render(
    request,
    document: Document,
    *,
    connection,
    connector,
    problem: str = "",
    notice: str = "",
    error: str = "",
    touched: list[Document] | None = None,
):
    failures = failures_of(document)
    if connector is not None and not problem:
        try:
            party_panels = panels(document, failures, connection, connector)
        except ProviderError as exc:
            problem = failure_for(exc, provider_name(document.organisation, connection)).message
            party_panels = panels(document, failures, connection, None)
    else:
        party_panels = panels(document, failures, connection, None)
    return render(
        request,
        "web/sync_actions.html",
        {
            "document": document,
            "failures": failures,
            "panels": party_panels,
            "connection": connection,
            "connector": connector if not problem else None,
            "provider_name": provider_name(document.organisation, connection),
            "problem": problem,
            "notice": notice,
            "error": error,
            "oob_rows": [
                d for d in touched or [] if d.doc_type == document.doc_type and d.marked_for_sync
            ],
            "can_link": request.user.has_perm(Perm.LINK_ACCOUNTS),
        },
    )


@login_required
@require_GET
def actions(request, pk: int):
    require(request, Perm.VIEW_SYNC)
    document = document_for(request, pk)
    connection = connections.live_connection(document.organisation)
    connector, problem, touched = None, "", []
    try:
        connector = open_connector(connection)
        if connection is not None and not is_current(document, connection, connector):
            engine.recheck(document, connection)
            document = document_for(request, pk)
            touched = grid_rows([document])  # its row says what the popup says
    except (connections.NotConnected, ProviderError) as exc:
        problem = failure_for(exc, provider_name(document.organisation, connection)).message
    return _render(
        request,
        document,
        connection=connection,
        connector=connector,
        problem=problem,
        touched=touched,
    )


@login_required
@require_POST
def link(request, pk: int):
    """One linking action from the popup, then the document's checks again."""
    require(request, Perm.LINK_ACCOUNTS)
    document = document_for(request, pk)
    organisation = document.organisation
    connection = connections.live_connection(organisation)
    name = provider_name(organisation, connection)
    try:
        connector = open_connector(connection)
    except (connections.NotConnected, ProviderError) as exc:
        return _render(
            request,
            document,
            connection=connection,
            connector=None,
            problem=failure_for(exc, name).message,
        )

    def refused(error: str):
        return _render(request, document, connection=connection, connector=connector, error=error)

    party = party_for(document, request.POST.get("role", ""))
    if party is None:
        return refused("Choose the account to link.")
    try:
        notice = _do(request, connection, connector, party, name)
    except linking.LinkError as exc:
        return refused(str(exc))
    except ProviderError as exc:
        return refused(failure_for(exc, name).message)
    touched = queues.queued_naming(party)
    if document.pk not in {d.pk for d in touched}:
        touched.append(document)
    document = document_for(request, pk)  # linking judged every document naming the party
    return _render(
        request,
        document,
        connection=connection,
        connector=connector,
        notice=notice,
        touched=grid_rows(touched),
    )


def _do(request, connection, connector, party, name: str) -> str:
    try:
        action = linking.LinkAction(request.POST.get("action", ""))
    except ValueError:
        raise linking.LinkError(
            "Choose Link This, a suggestion, Create New or an AccsID."
        ) from None
    before = linking.current_link(connection, party)
    made = linking.link(
        connection,
        connector,
        party,
        action,
        remote_id=request.POST.get("remote_id", "").strip(),
        accs_id=request.POST.get("accs_id", ""),
        user=request.user,
    )
    if before is not None and before.remote_id == made.remote_id:
        return f"{party.name} was already linked to {name} (AccsID {made.remote_id})."
    if action == linking.LinkAction.CREATE_NEW:
        return f"{party.name} was created in {name} and linked (AccsID {made.remote_id})."
    return f"{party.name} is linked to {name} (AccsID {made.remote_id})."
