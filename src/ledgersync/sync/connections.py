"""Connecting an organisation to its package, keeping the tokens fresh, and letting go.

Tokens live encrypted on the Connection row. Every refresh of a connection, in every
process, goes through ``_refresh_under_lock``: keep-alive, a web request and a run's start
(``refresh_if_due``) as much as a connector refreshing near expiry or on a 401 (its
``refresh_with`` is ``locked_refresh``). It takes the row lock, re-reads the stored tokens,
spends the refresh token only if they are still the ones the caller holds (else it adopts
the stored, newer ones) and writes the new ones before anything uses them. So no two
refreshes ever spend one refresh token (QuickBooks, Xero and Sage rotate them, and the
loser would be told invalid_grant). An invalid_grant is confirmed by re-reading the stored
token before the connection is marked "relink needed".
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping

import httpx
from django.db import connections as databases
from django.db import transaction
from django.utils import timezone

from ledgersync.alerts import events as alerts
from ledgersync.providers.base import (
    AuthError,
    Connector,
    Credentials,
    ProviderError,
    TokenRefresher,
    TokenSpender,
)
from ledgersync.providers.http import REFRESH_LEEWAY_SECONDS
from ledgersync.providers.registry import connector_for, display_name
from ledgersync.records.models import Organisation
from ledgersync.sync.models import AuditEvent, Connection, ConnectionEnd, ConnectionStatus
from ledgersync.sync.status import NotConnected, failure_for  # NotConnected: beside its rule

log = logging.getLogger(__name__)

# Refresh at a run's or request's start before the HTTP client would ask to (it starts 120 s
# before expiry, through the same lock), so a run rarely refreshes midway; shorter than
# Sage's 300 s token life so a fresh token is not refreshed again at once.
REFRESH_MARGIN = dt.timedelta(seconds=240)


def live_connection(organisation: Organisation) -> Connection | None:
    return (
        Connection.objects.for_org(organisation)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .first()
    )


def provider_name(organisation: Organisation, connection: Connection | None = None) -> str:
    """The display name of the package in use (the connection's, else the one chosen)."""
    return display_name(connection.provider if connection else organisation.provider)


def credentials_of(connection: Connection) -> Credentials | None:
    if not connection.refresh_token:
        return None
    return Credentials(
        access_token=connection.access_token or "",
        refresh_token=connection.refresh_token,
        access_expires_at=connection.access_expires_at or timezone.now(),
        refresh_expires_at=connection.refresh_expires_at,
        company_id=connection.company_id,
    )


def _store(connection: Connection, credentials: Credentials) -> None:
    connection.access_token = credentials.access_token
    connection.refresh_token = credentials.refresh_token
    connection.access_expires_at = credentials.access_expires_at
    connection.refresh_expires_at = credentials.refresh_expires_at
    connection.refreshed_at = timezone.now()


TOKEN_FIELDS = [
    "access_token",
    "refresh_token",
    "access_expires_at",
    "refresh_expires_at",
    "refreshed_at",
]


def connector_for_connection(
    connection: Connection, *, fresh: bool = True, transport: httpx.BaseTransport | None = None
) -> Connector:
    """A connector for one run or request, refreshed first if its token is about to lapse.

    Its own refreshes go through ``locked_refresh``. Raises NotConnected when the connection
    is not live, and marks it "relink needed" (and raises AuthError) when the package
    refuses the refresh.
    """
    if not connection.is_live or not connection.refresh_token:
        raise NotConnected(f"{connection.organisation} is not connected")
    if connection.status == ConnectionStatus.RELINK_NEEDED:
        # The package's own reason was kept when it refused; the sentence is status.py's.
        raise AuthError(connection.status_detail or "relink needed")
    if fresh:
        connection = refresh_if_due(connection)
    connector = connector_for(
        connection.provider,
        credentials_of(connection),
        transport=transport,
        refresh_with=_refresher(connection.pk),
    )
    if connector.pace is not None:  # carry on from the last batch's pace, not afresh
        stored = Connection.objects.filter(pk=connection.pk).values_list("paced_until", flat=True)
        connector.pace.resume(stored.first())
    return connector


def _refresher(connection_id: int) -> TokenRefresher:
    """The connector's ``refresh_with``: ``locked_refresh`` on this connection. A Sage push
    thread may call it; its database connection is closed after, as the thread ends soon."""
    owner = threading.get_ident()

    def refresh(held: Credentials, spend: TokenSpender) -> Credentials:
        try:
            return locked_refresh(connection_id, held, spend)
        finally:
            if threading.get_ident() != owner:
                databases.close_all()

    return refresh


def locked_refresh(connection_id: int, held: Credentials, spend: TokenSpender) -> Credentials:
    """The credentials a connector holding ``held`` should use now: the stored ones if
    another refresh already replaced ``held`` (and they are not about to lapse), else the
    result of spending the stored refresh token with ``spend``, saved before returning.

    Raises AuthError (the connection marked "relink needed") when the package refuses.
    """

    def still_held(stored: Credentials) -> bool:
        same = (stored.refresh_token, stored.access_token) == (
            held.refresh_token,
            held.access_token,
        )
        return same or stored.access_expires_within(REFRESH_LEEWAY_SECONDS)

    row = _refresh_under_lock(connection_id, still_held, spend)
    credentials = credentials_of(row)
    if credentials is None:
        raise AuthError(f"{row.get_provider_display()} is no longer connected; connect again")
    return credentials


def refresh_if_due(
    connection: Connection, *, margin: dt.timedelta = REFRESH_MARGIN, force: bool = False
) -> Connection:
    """Refresh the access token under the row lock if it expires within ``margin``."""

    def due(stored: Credentials) -> bool:
        return force or stored.access_expires_at - timezone.now() <= margin

    return _refresh_under_lock(connection.pk, due)


def _refresh_under_lock(
    connection_id: int,
    needed: Callable[[Credentials], bool],
    spend: TokenSpender | None = None,
) -> Connection:
    """The one refresh path: lock the row, re-read the tokens, spend the stored refresh token
    if ``needed(stored)`` says so (with ``spend``, else a connector of its own) and save the
    answer before the lock is let go. The stored row is returned either way."""
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection_id)
        stored = credentials_of(row)
        if stored is None or not needed(stored):
            return row
        if spend is None:
            spend = _spender(row.provider)
        try:
            fresh = spend(stored)
        except AuthError as exc:
            refused = exc
        else:
            _store(row, fresh)
            row.save(update_fields=TOKEN_FIELDS)
            return row
    return _confirm_refusal(row, stored, refused)


def _spender(provider: str) -> TokenSpender:
    """Spend a refresh token with a connector of its own (no caller holds one)."""
    return lambda credentials: connector_for(provider, credentials).refresh()


def _confirm_refusal(row: Connection, spent: Credentials, refused: AuthError) -> Connection:
    """Mark "relink needed" only if the refused refresh token is still the stored one: a
    newer one stored meanwhile (by a process not taking this path) is adopted instead."""
    with transaction.atomic():
        current = Connection.objects.select_for_update().get(pk=row.pk)
        if current.refresh_token and current.refresh_token != spent.refresh_token:
            log.info("connection %s: refused token was replaced meanwhile; adopting", row.pk)
            return current
        mark_relink_needed(row, refused.message)
    raise refused


def _reassess(organisation: Organisation) -> None:
    """The connection changed: every status code of the organisation is judged again
    against the connection live now (sync/assess.py)."""
    from ledgersync.sync import assess  # assess asks this module for the live connection

    assess.connection_changed(organisation)


def mark_relink_needed(connection: Connection, reason: str) -> None:
    """The package refused the connection's tokens: say so, and when it first did."""
    now = timezone.now()
    newly = (
        Connection.objects.filter(pk=connection.pk)
        .exclude(status=ConnectionStatus.RELINK_NEEDED)
        .update(ended_at=now, end_cause=ConnectionEnd.REFUSED, idle_minutes=None)
    )
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.RELINK_NEEDED, status_detail=reason[:500]
    )
    if connection.status != ConnectionStatus.RELINK_NEEDED:
        connection.ended_at, connection.end_cause = now, ConnectionEnd.REFUSED
    connection.status = ConnectionStatus.RELINK_NEEDED
    log.warning("connection %s needs relinking: %s", connection.pk, reason)
    _reassess(connection.organisation)
    if newly:
        alerts.connection_needs_relink(connection, reason)


def complete_connection(
    organisation: Organisation,
    provider: str,
    params: Mapping[str, str],
    *,
    redirect_uri: str,
    expected_state: str,
    code_verifier: str | None,
    user=None,
) -> Connection:
    """Finish the OAuth dance: exchange the code, learn the company, store the tokens.

    Reconnecting to a company seen before reuses its row, so AccsID links (kept by provider
    and company) carry on. The queue is re-assessed at once (from the package's data read
    before, if any) and the package's data is read afresh once this commits. Raises
    AuthError when the user declined or the code is refused.
    """
    connector = connector_for(provider, None)
    credentials = connector.exchange_code(
        params, redirect_uri, expected_state=expected_state, code_verifier=code_verifier
    )
    company = connector.company()
    with transaction.atomic():
        Connection.objects.for_org(organisation).exclude(company_id=company.id).exclude(
            status=ConnectionStatus.DISCONNECTED
        ).update(status=ConnectionStatus.DISCONNECTED, access_token=None, refresh_token=None)
        connection, _ = Connection.objects.get_or_create(
            organisation=organisation,
            provider=provider,
            company_id=company.id,
        )
        _store(connection, credentials)
        connection.company_name = company.name
        connection.status = ConnectionStatus.CONNECTED
        connection.status_detail = ""
        connection.connected_by = user if user and user.is_authenticated else None
        connection.connected_at = connection.last_used_at = timezone.now()
        connection.ended_at, connection.end_cause, connection.idle_minutes = None, "", None
        connection.save()
        AuditEvent.objects.create(
            organisation=organisation,
            user=connection.connected_by,
            action="connect",
            detail=f"Connected to {connection.get_provider_display()} company {company.name}",
        )
        _reassess(organisation)
        from ledgersync.sync import reference  # reference builds connectors through here

        reference.request_refresh(connection)
    return connection


def disconnect(
    connection: Connection,
    *,
    user=None,
    reason: str = "",
    cause: ConnectionEnd = ConnectionEnd.USER,
    idle_minutes: int | None = None,
) -> None:
    """Revoke the tokens at the package (best effort) and delete them here, noting when and
    why (``cause``; a connection the package had already refused keeps that as its cause)."""
    credentials = credentials_of(connection)
    if credentials is not None:
        try:
            connector_for(connection.provider, credentials).revoke()
        except ProviderError as exc:
            # The tokens are deleted here whatever the package says; say why in the log.
            log.info(
                "revoke at %s failed (%s); deleting tokens anyway", connection.provider, exc.kind
            )
    ending = {"ended_at": timezone.now(), "end_cause": cause, "idle_minutes": idle_minutes}
    if connection.status == ConnectionStatus.RELINK_NEEDED and connection.ended_at is not None:
        ending = {}  # it stopped working when the package refused it, not now
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            status=ConnectionStatus.DISCONNECTED,
            access_token=None,
            refresh_token=None,
            access_expires_at=None,
            refresh_expires_at=None,
            status_detail=reason[:500],
            **ending,
        )
        AuditEvent.objects.create(
            organisation=connection.organisation,
            user=user if user and user.is_authenticated else None,
            action="disconnect",
            detail=reason or f"Disconnected from {connection.get_provider_display()}",
        )
        _reassess(connection.organisation)


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local.day} {local:%b}"


def lost_sentence(organisation: Organisation, connection: Connection | None) -> str:
    """What the Sync page says about a connection that stopped working, and when: the live
    one waiting to be relinked, else the last one to end, if the package refused it or it
    was idle (a person's own disconnect needs no explaining). "" when there is nothing to say.
    """
    if connection is not None:
        if connection.status != ConnectionStatus.RELINK_NEEDED:
            return ""
        refused = failure_for(AuthError(""), provider_name(organisation, connection)).message
        if connection.ended_at is None:
            return refused
        return f"Since {_when(connection.ended_at)}, {refused}"
    last = (
        Connection.objects.for_org(organisation)
        .filter(status=ConnectionStatus.DISCONNECTED, ended_at__isnull=False)
        .order_by("-ended_at")
        .first()
    )
    if last is None:
        return ""
    when = _when(last.ended_at)
    if last.end_cause == ConnectionEnd.IDLE:
        idle = f" after {last.idle_minutes} idle minutes" if last.idle_minutes else " while idle"
        return f"Disconnected at {when}{idle}. Connect again to go on."
    if last.end_cause == ConnectionEnd.REFUSED:
        name = last.get_provider_display()
        return (
            f"Disconnected: {name} stopped accepting ledgersync's access at {when}. "
            "Connect again to go on."
        )
    return ""


def refresh_token_now(connection: Connection) -> str | None:
    """The refresh token stored right now (to tell a stale connector from a dead grant)."""
    return Connection.objects.get(pk=connection.pk).refresh_token


def touch(connection: Connection, connector: Connector | None = None) -> None:
    """The connection was just used (by ``connector``: where its pacing stands is kept)."""
    values: dict[str, object] = {"last_used_at": timezone.now()}
    if connector is not None and connector.pace is not None:
        values["paced_until"] = connection.paced_until = connector.pace.next_slot
    Connection.objects.filter(pk=connection.pk).update(**values)


def keep_alive(now: dt.datetime | None = None) -> dict[str, int]:
    """Refresh every live connection at least daily; disconnect idle ones where asked.

    Returns counts for the log: refreshed, relink_needed, idle_disconnected.
    """
    now = now or timezone.now()
    counts = {"refreshed": 0, "relink_needed": 0, "idle_disconnected": 0}
    for connection in Connection.objects.filter(status=ConnectionStatus.CONNECTED).select_related(
        "organisation"
    ):
        idle = connection.organisation.idle_timeout_minutes
        if (
            idle
            and connection.last_used_at
            and now - connection.last_used_at > dt.timedelta(minutes=idle)
        ):
            disconnect(
                connection,
                reason=f"Disconnected after {idle} idle minutes",
                cause=ConnectionEnd.IDLE,
                idle_minutes=idle,
            )
            counts["idle_disconnected"] += 1
            continue
        stale = connection.refreshed_at is None or now - connection.refreshed_at > dt.timedelta(
            hours=20
        )
        try:
            refresh_if_due(connection, force=stale)
            counts["refreshed"] += int(stale)
        except AuthError:
            counts["relink_needed"] += 1
        except ProviderError as exc:
            log.warning("keep-alive for connection %s failed: %s", connection.pk, exc.kind)
    return counts
