"""The second look for extra copies, once a late write can no longer land (issue 12, part 1).

A document sent again after an unanswered send is synced with ``Attempt.recheck_after``
set (``batch.py``): until then the unanswered original may still land as a second copy
(Xero lets bills share a number; a QuickBooks company may too). When the time has passed
the package is searched by number, and every copy that is not the one ledgersync recorded
but matches it (same supplier for a bill, same amount, same date where the package gives
one) is voided or deleted, each removal an ``AuditEvent``. A copy the package will not
remove (money is allocated to it) is left alone: the document becomes EXTRA_COPY, naming
the copy, for a person to remove in the package and then press Check again
(``look_again``); the event log records both.

Runs at the start of every run step (``engine``) and from a periodic task (``tasks``);
each attempt is claimed atomically, so two workers never remove the same copy twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ledgersync.providers.base import Connector, PermanentError, ProviderError, RemoteDocument
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.providers.errors import AuthError
from ledgersync.sync import problems
from ledgersync.sync.models import (
    Attempt,
    AttemptState,
    AuditEvent,
    Connection,
    ConnectionStatus,
    DocumentState,
)
from ledgersync.sync.status import StatusCode

log = logging.getLogger(__name__)

REMOVED = "sync:extra-copy-removed"
LEFT = "sync:extra-copy-left"
GONE = "sync:extra-copy-gone"
PAID = "a payment or credit is allocated to it"


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
    found = _copies(connector, document, attempt.number, attempt.contact_id, attempt.remote_id)
    if found is None:
        # The recorded copy is gone (removed in the package by hand): what is left may be
        # the one the business keeps, so nothing is removed.
        log.info("recheck of attempt %s: recorded copy %s not found", attempt.pk, attempt.remote_id)
        return
    name = connector.capabilities.display_name
    left = []
    for extra in found:
        reason = _remove(connector, extra)
        what = f"{document.number}: {name} copy {extra.remote_id} ({extra.total})"
        if reason is None:
            _event(connection, REMOVED, f"{what} removed; an unanswered send landed late.")
        else:
            _event(connection, LEFT, f"{what} left: {reason}")
            left.append((extra, reason))
    if left:
        _hold(document, name, left)


def look_again(document, connection: Connection, connector: Connector, user=None):
    """An EXTRA_COPY document, after someone removed the extra copy in the package: SYNCED
    when only ledgersync's copy is left there, else EXTRA_COPY naming what still is. The
    connector's errors pass through (nothing changes then)."""
    state = DocumentState.objects.get(document=document)
    attempt = document.attempts.filter(remote_id=state.remote_id).order_by("-started_at").first()
    number = (attempt.number if attempt else "") or document.number
    found = _copies(
        connector, document, number, attempt.contact_id if attempt else "", state.remote_id
    )
    name = connector.capabilities.display_name
    if found:
        _hold(document, name, [(extra, _kept_because(extra, name)) for extra in found])
        return DocumentState.objects.get(document=document)
    with transaction.atomic():
        state = DocumentState.objects.select_for_update().get(document=document)
        if state.status_code == StatusCode.EXTRA_COPY:
            state.status_code, state.failures, state.message = StatusCode.SYNCED, [], "Synced"
            state.mismatch = ""
            state.checked_at = timezone.now()
            state.save()
            who = user.get_username() if user is not None and user.is_authenticated else "API"
            _event(
                connection,
                GONE,
                f"{document.number}: only ledgersync's copy is left in {name} (checked by {who}).",
            )
    return state


def _copies(
    connector: Connector, document, number: str, contact_id: str, remote_id: str
) -> list[RemoteDocument] | None:
    """The package's extra copies of what ledgersync recorded as ``remote_id``; None when
    the recorded copy itself is not there."""
    doc_type = RemoteDocType(document.doc_type)
    supplier = (contact_id or None) if doc_type is RemoteDocType.SUPPLIER_INVOICE else None
    copies = connector.find_documents(doc_type, number, supplier)
    kept = next((c for c in copies if c.remote_id == remote_id), None)
    if kept is None:
        return None
    return [c for c in copies if c is not kept and _same(c, kept, document, supplier)]


def _kept_because(extra: RemoteDocument, name: str) -> str:
    """Why a copy found again at Check again is still there, in the words _remove uses."""
    return PAID if extra.has_payment else f"it is still in {name}"


def _hold(document, name: str, left: list[tuple[RemoteDocument, str]]) -> None:
    """EXTRA_COPY: the package holds another copy ledgersync could not remove."""
    ids = ", ".join(extra.remote_id for extra, _ in left)
    reasons = "; ".join(dict.fromkeys(reason for _, reason in left))
    message = (
        f"{name} holds another copy of {document.number} (id {ids}) that ledgersync could "
        f"not remove ({reasons}): remove it in {name}, then press Check again."
    )[:1000]
    DocumentState.objects.filter(document=document).update(
        status_code=StatusCode.EXTRA_COPY,
        message=message,
        failures=[{"code": str(StatusCode.EXTRA_COPY), "message": message}],
        mismatch=message[:500],
        checked_at=timezone.now(),
    )
    problems.track([(document.pk, StatusCode.EXTRA_COPY)])


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
        return PAID
    try:
        connector.void_document(extra)
    except PermanentError as error:
        return error.message
    return None


def _event(connection: Connection, action: str, detail: str) -> None:
    AuditEvent.objects.create(
        organisation=connection.organisation, action=action, detail=detail[:1000]
    )
