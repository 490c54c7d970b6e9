"""The second look for extra copies, once a late write can no longer land (issue 12, part 1).

A document sent again after an unanswered send is synced with ``Attempt.recheck_after``
set (``batch.py``): until then the unanswered original may still land as a second copy
(Xero lets bills share a number; a QuickBooks company may too). When the time has passed
the package is searched by number, and every copy that is not the one ledgersync recorded
but matches it (same supplier for a bill, same amount, same date where the package gives
one) is voided or deleted, each removal an ``AuditEvent``. A copy the package will not
remove (money is allocated to it) is left alone: the document says so in its mismatch,
for a person to resolve, and the event log records it.

Runs at the start of every run step (``engine``) and from a periodic task (``tasks``);
each attempt is claimed atomically, so two workers never remove the same copy twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from ledgersync.providers.base import Connector, PermanentError, ProviderError, RemoteDocument
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.providers.errors import AuthError
from ledgersync.sync.models import (
    Attempt,
    AttemptState,
    AuditEvent,
    Connection,
    ConnectionStatus,
    DocumentState,
)

log = logging.getLogger(__name__)

REMOVED = "sync:extra-copy-removed"
LEFT = "sync:extra-copy-left"


def due(connection: Connection, now: datetime | None = None) -> QuerySet[Attempt]:
    """Succeeded sends on this connection whose second look is due."""
    return Attempt.objects.filter(
        provider=connection.provider,
        company_id=connection.company_id,
        organisation=connection.organisation,
        state=AttemptState.SUCCEEDED,
        recheck_after__lte=now or timezone.now(),
    ).select_related("document")


def recheck_due(connection: Connection, connector: Connector) -> int:
    """Look again at every due send; returns how many were looked at. A package that is
    busy or unreachable leaves the rest due for next time; an AuthError is raised."""
    looked = 0
    for attempt in due(connection).order_by("recheck_after", "pk"):
        when = attempt.recheck_after
        if not Attempt.objects.filter(pk=attempt.pk, recheck_after=when).update(recheck_after=None):
            continue  # another worker took it
        try:
            recheck(connection, connector, attempt)
        except AuthError:
            Attempt.objects.filter(pk=attempt.pk).update(recheck_after=when)
            raise
        except ProviderError as error:
            log.info("recheck of attempt %s put off: %s", attempt.pk, error.kind)
            Attempt.objects.filter(pk=attempt.pk).update(recheck_after=when)
            break
        looked += 1
    return looked


def recheck_all() -> int:
    """The periodic task's work: every live connection with a due second look."""
    from ledgersync.sync import connections  # connections imports the engine's models

    looked = 0
    live = Connection.objects.filter(status=ConnectionStatus.CONNECTED)
    for connection in live.select_related("organisation"):
        if not due(connection).exists():
            continue
        try:
            connector = connections.connector_for_connection(connection)
            looked += recheck_due(connection, connector)
        except (connections.NotConnected, ProviderError) as error:
            log.info("recheck on connection %s put off: %s", connection.pk, error)
    return looked


def recheck(connection: Connection, connector: Connector, attempt: Attempt) -> None:
    """Remove the extra copies of ``attempt``'s document that the package now holds."""
    document = attempt.document
    doc_type = RemoteDocType(document.doc_type)
    supplier = attempt.contact_id if doc_type is RemoteDocType.SUPPLIER_INVOICE else None
    copies = connector.find_documents(doc_type, attempt.number, supplier)
    kept = next((c for c in copies if c.remote_id == attempt.remote_id), None)
    if kept is None:
        # The recorded copy is gone (removed in the package by hand): what is left may be
        # the one the business keeps, so nothing is removed.
        log.info("recheck of attempt %s: recorded copy %s not found", attempt.pk, attempt.remote_id)
        return
    extras = [c for c in copies if c is not kept and _same(c, kept, document, supplier)]
    name = connector.capabilities.display_name
    left = []
    for extra in extras:
        reason = _remove(connector, extra)
        what = f"{document.number}: {name} copy {extra.remote_id} ({extra.total})"
        if reason is None:
            _event(connection, REMOVED, f"{what} removed; an unanswered send landed late.")
        else:
            _event(connection, LEFT, f"{what} left: {reason}")
            left.append((extra, reason))
    if left:
        ids = ", ".join(extra.remote_id for extra, _ in left)
        reasons = "; ".join(dict.fromkeys(reason for _, reason in left))
        DocumentState.objects.filter(document=document).update(
            mismatch=(
                f"{name} holds another copy of {document.number} (id {ids}) that ledgersync "
                f"could not remove ({reasons}): remove it in {name}."
            )[:500]
        )


def _same(copy: RemoteDocument, kept: RemoteDocument, document, supplier: str | None) -> bool:
    """A copy of what ledgersync sent: the same supplier, amount and (where known) date."""
    if supplier is not None and copy.contact_id != supplier:
        return False
    if copy.total != kept.total:
        return False
    return copy.issue_date is None or copy.issue_date == document.issue_date


def _remove(connector: Connector, extra: RemoteDocument) -> str | None:
    """None when the copy is gone, else why the package kept it."""
    if extra.has_payment:
        return "a payment or credit is allocated to it"
    try:
        connector.void_document(extra)
    except PermanentError as error:
        return error.message
    return None


def _event(connection: Connection, action: str, detail: str) -> None:
    AuditEvent.objects.create(
        organisation=connection.organisation, action=action, detail=detail[:1000]
    )
