"""Voiding a synced document in its package (issue 17): the one path the document page, the
REST API and the CLI take.

Only a SYNCED document is voided: it is looked up in the package first (by its number, for
bills from its supplier), and refused in words when money is allocated to it (a credit note
is the way to take it back then). The package's own void is idempotent (a document already
voided or deleted there is left as it is), so a void whose answer was lost, or two at once,
end the same: the document VOIDED here, never sent again, audited under the person who asked.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ledgersync.providers.base import ProviderError
from ledgersync.records.models import Document
from ledgersync.sync import connections, mismatches
from ledgersync.sync.models import AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode, failure_for


class VoidRefused(Exception):
    """Why the document cannot be voided now, in a person's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def voided_message(provider_name: str) -> str:
    return f"Voided in {provider_name}"


def void(document: Document, *, user=None) -> DocumentState:
    """Void ``document`` in the package it synced to and mark it VOIDED; raises VoidRefused."""
    organisation = document.organisation
    state = DocumentState.objects.filter(document=document).first()
    label = f"{document.type.label} {document.number}"
    if state is not None and state.status_code == StatusCode.VOIDED:
        return state  # asked twice: done already
    if state is None or state.status_code != StatusCode.SYNCED or not state.remote_id:
        raise VoidRefused(
            f"{label} is not in the package, so there is nothing to void: unmark it for sync "
            "instead."
        )
    connection = connections.live_connection(organisation)
    name = connections.provider_name(organisation, connection)
    if connection is None or (connection.provider, connection.company_id) != (
        state.provider,
        state.company_id,
    ):
        raise VoidRefused(f"Connect to the company {label} was synced to before voiding it there.")
    try:
        connector = connections.connector_for_connection(connection)
        copy = mismatches.copy_in_package(document, connector, state.remote_id)
        if copy is not None and copy.has_payment:
            raise VoidRefused(
                f"{label} has a payment or credit allocated in {name}, so it cannot be voided. "
                f"Issue a credit note for it instead, or remove the payment in {name} first."
            )
        if copy is not None:
            connector.void_document(copy)
    except connections.NotConnected as exc:
        raise VoidRefused(str(exc)) from None
    except ProviderError as exc:
        raise VoidRefused(failure_for(exc, name).message) from None
    with transaction.atomic():
        state = DocumentState.objects.select_for_update().get(pk=state.pk)
        if state.status_code != StatusCode.VOIDED:
            state.status_code, state.message = StatusCode.VOIDED, voided_message(name)
            state.failures, state.checked_at = [], timezone.now()
            state.save()
            AuditEvent.objects.create(
                organisation=organisation,
                user=user,
                action="void",
                detail=f"Voided {label} in {name} (id {state.remote_id})",
            )
    return state
