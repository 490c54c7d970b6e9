"""Payments coming back: what the package says has been paid on our synced documents.

A pull asks the connector for the documents whose payments changed since the connection's
cursor (``Connector.payments_since``: QuickBooks CDC, Xero If-Modified-Since, Sage
updated_or_created_since), stores each one's balance and payments against our document,
and only then keeps the new cursor, in the same transaction: a pull that dies half way is
simply done again. Storing is idempotent, so the same answer twice changes nothing, and a
webhook (a later slice) need only call ``request_pull`` for its connection: the poll is the
truth, a lost or repeated nudge changes nothing.

The schedule (sync/tasks.py) calls ``pull_due`` every minute; each live connection with
synced documents is pulled once ``settings.PAYMENTS_EVERY_MINUTES`` have passed since it
was last tried. A failing pull keeps its error on the connection's ``PaymentsPull`` (shown
on the Sync page), is logged, and raises the PAYMENTS_PULL_FAILED alert once, when it
starts failing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ledgersync.alerts import events
from ledgersync.env import ConfigError
from ledgersync.providers.base import AuthError, Connector, PaidState, ProviderError
from ledgersync.sync import connections
from ledgersync.sync.models import (
    Connection,
    ConnectionStatus,
    DocumentState,
    PaidBalance,
    PaymentsPull,
    RemotePaymentRow,
)
from ledgersync.sync.paid import paid_word
from ledgersync.sync.status import failure_for, not_configured

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PullResult:
    """What one pull did: documents the package reported, those whose stored state changed,
    and the HTTP calls it made; ``error`` is the sentence kept when it failed."""

    reported: int = 0
    changed: int = 0
    api_calls: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def pull(connection: Connection, connector: Connector | None = None) -> PullResult:
    """Pull the connection's payments once, from its cursor. Never raises for the
    package's trouble: it is kept on the connection's PaymentsPull and returned."""
    record, _ = PaymentsPull.objects.get_or_create(connection=connection)
    # Claimed as tried at once, so the next minute's schedule does not start it again.
    PaymentsPull.objects.filter(pk=record.pk).update(tried_at=timezone.now())
    name = connections.provider_name(connection.organisation, connection)
    try:
        connector = connector or connections.connector_for_connection(connection)
    except ConfigError as exc:
        return _failed(connection, record, not_configured(name, exc), None)
    except (connections.NotConnected, ProviderError) as exc:
        # Not connected, or already known to need connecting again: nothing was asked.
        return _failed(connection, record, failure_for(exc, name).message, None)
    built_with = connections.refresh_token_now(connection)
    try:
        page = connector.payments_since(record.cursor)
    except AuthError as exc:
        # Refused even after a refresh, unless another process rotated the tokens meanwhile.
        if connections.refresh_token_now(connection) == built_with:
            connections.mark_relink_needed(connection, exc.message)
        return _failed(connection, record, failure_for(exc, name).message, connector)
    except (connections.NotConnected, ProviderError) as exc:
        return _failed(connection, record, failure_for(exc, name).message, connector)
    with transaction.atomic():
        locked = PaymentsPull.objects.select_for_update().get(pk=record.pk)
        changed = store(connection, page.documents)
        # A slower pull that started earlier never moves the cursor back.
        cursor = page.cursor
        if locked.cursor is not None and (cursor is None or cursor < locked.cursor):
            cursor = locked.cursor
        now = timezone.now()
        PaymentsPull.objects.filter(pk=record.pk).update(
            cursor=cursor,
            tried_at=now,
            pulled_at=now,
            error="",
            api_calls=connector.api_calls,
            changed=changed,
        )
    log.info(
        "payments pull for connection %s: %s reported, %s changed, %s calls",
        connection.pk,
        len(page.documents),
        changed,
        connector.api_calls,
    )
    return PullResult(len(page.documents), changed, connector.api_calls)


def _failed(
    connection: Connection, record: PaymentsPull, message: str, connector: Connector | None
) -> PullResult:
    message = message[:500]
    log.warning("payments pull for connection %s failed: %s", connection.pk, message)
    calls = connector.api_calls if connector is not None else 0
    was_failing = bool(record.error)
    PaymentsPull.objects.filter(pk=record.pk).update(
        tried_at=timezone.now(), error=message, api_calls=calls
    )
    if not was_failing:
        events.payments_pull_failed(connection, message)
    return PullResult(api_calls=calls, error=message)


def store(connection: Connection, states: Sequence[PaidState]) -> int:
    """Keep what the package said of each of our documents; returns how many changed. A
    state the same as the one kept is left alone (no write), so a repeated pull, or a
    document reported again at the cursor's edge, changes nothing."""
    by_remote = {(s.doc_type.value, s.remote_id): s for s in states}
    if not by_remote:
        return 0
    ours = DocumentState.objects.filter(
        document__organisation=connection.organisation,
        provider=connection.provider,
        company_id=connection.company_id,
        remote_id__in={remote_id for _, remote_id in by_remote},
    ).select_related("document")
    changed = 0
    for row in ours:
        state = by_remote.get((row.document.doc_type, row.remote_id))
        if state is not None and _keep(connection, row, state):
            changed += 1
    return changed


def _keep(connection: Connection, row: DocumentState, state: PaidState) -> bool:
    wanted = [(p.remote_id, p.paid_on, p.amount, p.reference[:255]) for p in state.payments]
    balance = PaidBalance.objects.filter(document=row.document).first()
    if balance is not None:
        kept = [
            (p.remote_id, p.paid_on, p.amount, p.reference)
            for p in balance.payments.order_by("paid_on", "remote_id", "pk")
        ]
        same = (
            balance.remote_id == state.remote_id
            and (balance.provider, balance.company_id)
            == (connection.provider, connection.company_id)
            and (balance.total, balance.outstanding) == (state.total, state.outstanding)
            and kept == sorted(wanted, key=lambda p: (p[1], p[0]))
        )
        if same:
            return False
    balance, _ = PaidBalance.objects.update_or_create(
        document=row.document,
        defaults={
            "provider": connection.provider,
            "company_id": connection.company_id,
            "remote_id": state.remote_id,
            "total": state.total,
            "outstanding": state.outstanding,
            "state": paid_word(state.total, state.outstanding),
            "changed_at": timezone.now(),
        },
    )
    balance.payments.all().delete()
    RemotePaymentRow.objects.bulk_create(
        RemotePaymentRow(
            balance=balance, remote_id=remote_id, paid_on=day, amount=amount, reference=ref
        )
        for remote_id, day, amount, ref in wanted
    )
    return True


def has_synced_documents(connection: Connection) -> bool:
    return (
        DocumentState.objects.filter(
            document__organisation=connection.organisation,
            provider=connection.provider,
            company_id=connection.company_id,
        )
        .exclude(remote_id="")
        .exists()
    )


def due(connection: Connection, now: dt.datetime) -> bool:
    record = PaymentsPull.objects.filter(connection=connection).first()
    if record is None or record.tried_at is None:
        return True
    return now - record.tried_at >= dt.timedelta(minutes=settings.PAYMENTS_EVERY_MINUTES)


def pull_due(now: dt.datetime | None = None) -> dict[str, int]:
    """The schedule's work: pull each connected connection with synced documents whose
    interval has passed. Returns counts for the log."""
    now = now or timezone.now()
    counts = {"pulled": 0, "failed": 0, "changed": 0}
    live = Connection.objects.filter(status=ConnectionStatus.CONNECTED).select_related(
        "organisation"
    )
    for connection in live:
        if not due(connection, now) or not has_synced_documents(connection):
            continue
        result = pull(connection)
        counts["pulled" if result.ok else "failed"] += 1
        counts["changed"] += result.changed
    return counts


def request_pull(connection: Connection) -> bool:
    """Pull this connection's payments now, in the background (a webhook's nudge, or a
    user's "pull now"): what it finds is what the schedule would have found."""
    from ledgersync.sync import tasks  # tasks import this module

    return tasks.submit(tasks.pull_payments, connection.pk, what="a payments pull")


def pull_sentence(connection: Connection | None) -> str:
    """How the connection's payments pull stands, in words, for the Sync page and
    ``ledgersync status``; "" before any pull."""
    record = PaymentsPull.objects.filter(connection=connection).first() if connection else None
    if record is None or record.tried_at is None:
        return ""
    when = timezone.localtime(record.tried_at).strftime("%d/%m/%Y %H:%M")
    if record.error:
        reason = record.error.rstrip()
        reason = reason if reason.endswith((".", "!", "?")) else f"{reason}."
        return (
            f"Payments could not be pulled at {when}: {reason} "
            f"They are tried again every {settings.PAYMENTS_EVERY_MINUTES} minutes."
        )
    return (
        f"Payments pulled from the package at {when}; pulled again every "
        f"{settings.PAYMENTS_EVERY_MINUTES} minutes."
    )
