"""What a person does about a TOTAL_MISMATCH document: accept the package's figures, or
correct the package and have ledgersync look again; and about an EXTRA_COPY one: remove the
extra copy in the package and have ledgersync look again. Each is audited (``AuditEvent``),
and the web page, the API and anything else call these two functions and nothing else.

A TOTAL_MISMATCH document is in the package (``DocumentState.remote_id``); it is never sent
again (``HOLDS_REMOTE_COPY``) and cannot change here, because the customer (or the supplier)
holds the figures on it. Until one of these two steps it does not count as synced.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ledgersync.providers.base import Connector, RemoteDocument
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.records.models import Document
from ledgersync.records.money import to_money
from ledgersync.sync import late_copies
from ledgersync.sync.checks import link_key, links_for
from ledgersync.sync.models import AuditEvent, Connection, DocumentState
from ledgersync.sync.status import WAITS_FOR_PERSON, Figures, StatusCode, total_mismatch

ACCEPTED = "sync:mismatch-accepted"
CORRECTED = "sync:mismatch-corrected"


class NotAMismatch(Exception):
    """The document is not waiting on a TOTAL_MISMATCH or an EXTRA_COPY (any more)."""

    def __init__(self, document: Document) -> None:
        super().__init__(f"{document} has no figures in the package to accept or check.")


def _waiting(
    document: Document, codes: tuple[StatusCode, ...] = (StatusCode.TOTAL_MISMATCH,)
) -> DocumentState:
    """The document's state, locked, when its code is one of ``codes``; else NotAMismatch."""
    state = DocumentState.objects.select_for_update().filter(document=document).first()
    if state is None or state.status_code not in codes:
        raise NotAMismatch(document)
    return state


def _event(document: Document, user, action: str, detail: str) -> None:
    AuditEvent.objects.create(
        organisation=document.organisation,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        detail=f"{document}: {detail}"[:1000],
    )


def accept(document: Document, user=None) -> DocumentState:
    """A person keeps the package's figures: the document counts as synced from now on,
    and says what was accepted. Raises NotAMismatch."""
    with transaction.atomic():
        state = _waiting(document)
        who = user.get_username() if user is not None and user.is_authenticated else "API"
        accepted = state.message
        state.status_code, state.failures = StatusCode.SYNCED, []
        state.message = "Synced"
        state.mismatch = f"Accepted by {who}: {accepted}"[:500]
        state.synced_by = user if user is not None and user.is_authenticated else None
        state.checked_at = timezone.now()
        state.save()
        _event(document, user, ACCEPTED, f"package figures accepted ({accepted})")
    return state


def check_again(
    document: Document, connection: Connection, connector: Connector, user=None
) -> DocumentState:
    """Read the package's copy again (after someone corrected it there): SYNCED when it now
    has our figures, else TOTAL_MISMATCH with what it has now. For EXTRA_COPY, search the
    package for the extra copy again (``late_copies.look_again``). Raises NotAMismatch, and
    the connector's errors (nothing changes then)."""
    with transaction.atomic():
        waiting = _waiting(document, WAITS_FOR_PERSON)  # fail before asking the package
    if waiting.status_code == StatusCode.EXTRA_COPY:
        return late_copies.look_again(document, connection, connector, user)
    state = DocumentState.objects.get(document=document)
    copy = copy_in_package(document, connector, state.remote_id)
    link = links_for(connection, [document.party]).get(link_key(document.party))
    name = connector.capabilities.display_name
    if copy is None:
        return _still(
            document,
            f"{name} no longer has it as id {state.remote_id}; ledgersync has "
            f"{document.gross_total} (VAT {document.tax_total})",
        )
    theirs = Figures(
        to_money(copy.total),
        to_money(copy.tax_total) if copy.tax_total is not None else None,
        copy.contact_id,
    )
    ours = Figures(document.gross_total, document.tax_total, link.remote_id if link else "")
    failure = total_mismatch(name, theirs, ours)
    if failure is not None:
        return _still(document, failure.message)
    with transaction.atomic():
        state = _waiting(document)
        state.status_code, state.failures, state.message = StatusCode.SYNCED, [], "Synced"
        state.mismatch = ""
        state.remote_total = copy.total
        state.checked_at = timezone.now()
        state.save()
        _event(document, user, CORRECTED, f"{name} now has ledgersync's figures")
    return state


def _still(document: Document, message: str) -> DocumentState:
    with transaction.atomic():
        state = _waiting(document)
        state.message = message[:1000]
        state.failures = [{"code": str(StatusCode.TOTAL_MISMATCH), "message": state.message}]
        state.mismatch = message[:500]
        state.checked_at = timezone.now()
        state.save()
    return state


def copy_in_package(
    document: Document, connector: Connector, remote_id: str
) -> RemoteDocument | None:
    """The package's copy ledgersync recorded, found by number (and supplier)."""
    doc_type = RemoteDocType(document.doc_type)
    contact = None
    if doc_type is RemoteDocType.SUPPLIER_INVOICE:
        attempt = document.attempts.exclude(contact_id="").order_by("-started_at").first()
        contact = attempt.contact_id if attempt else None
    copies = connector.find_documents(doc_type, document.number, contact)
    return next((c for c in copies if c.remote_id == remote_id), None)
