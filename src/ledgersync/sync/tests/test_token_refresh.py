"""One locked refresh path per connection, and refreshes whose answer is lost, against each
provider's sandbox on a real loopback socket."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import timezone

from ledgersync.providers.base import AuthError, Credentials
from ledgersync.providers.http import lost_refresh_message
from ledgersync.providers.registry import display_name
from ledgersync.sync import connections
from ledgersync.sync.models import Connection, ConnectionStatus
from ledgersync.sync.tests.conftest import TOKEN_PATHS, inject_fault, strict_rotation, token_calls

pytestmark = pytest.mark.django_db(transaction=True)

# Where a lost refresh answer can be asked for again with the old refresh token: Xero keeps
# it 30 minutes, QuickBooks hands back the same one for about a day; Sage retires it at once.
RETRY_WITH_OLD_TOKEN = {"quickbooks": True, "xero": True, "sage": False}


def expiring(connection: Connection) -> Connection:
    """The connection as a connector would hold it when its access token lapses now."""
    connection.access_expires_at = timezone.now()
    return connection


def stored(connection: Connection) -> Connection:
    return Connection.objects.get(pk=connection.pk)


def test_a_connector_refreshing_near_expiry_saves_the_new_tokens_under_the_lock(demo, sandbox):
    _, connection = demo
    strict_rotation(sandbox)
    connector = connections.connector_for_connection(expiring(connection), fresh=False)

    connector.company()

    row = stored(connection)
    assert row.refresh_token == connector.credentials.refresh_token != connection.refresh_token
    assert (row.status, token_calls(sandbox)) == (ConnectionStatus.CONNECTED, 1)


def test_a_connector_holding_replaced_tokens_adopts_the_stored_ones_without_a_refresh(
    demo, sandbox
):
    _, connection = demo
    strict_rotation(sandbox)
    first = connections.connector_for_connection(expiring(stored(connection)), fresh=False)
    second = connections.connector_for_connection(expiring(stored(connection)), fresh=False)
    first.company()  # spends the refresh token both connectors were built with

    second.company()  # would spend it again, and be told invalid_grant, if unlocked

    row = stored(connection)
    assert second.credentials.refresh_token == row.refresh_token == first.credentials.refresh_token
    assert (row.status, token_calls(sandbox)) == (ConnectionStatus.CONNECTED, 1)


def test_a_locked_refresh_after_a_connector_refresh_spends_the_stored_token(demo, sandbox):
    _, connection = demo
    strict_rotation(sandbox)
    connections.connector_for_connection(expiring(stored(connection)), fresh=False).company()

    row = connections.refresh_if_due(connection, force=True)  # holds the replaced tokens

    assert row.status == ConnectionStatus.CONNECTED
    assert token_calls(sandbox) == 2
    connections.connector_for_connection(row, fresh=False).company()


def test_an_invalid_grant_is_not_believed_when_the_stored_token_changed_meanwhile(demo, sandbox):
    _, connection = demo
    held = connections.credentials_of(connection)
    newer = dataclasses.replace(held, refresh_token="stored-by-another-process")

    def refused_while_another_stores(credentials: Credentials) -> Credentials:
        Connection.objects.filter(pk=connection.pk).update(refresh_token=newer.refresh_token)
        raise AuthError("invalid_grant", code="invalid_grant")

    adopted = connections.locked_refresh(connection.pk, held, refused_while_another_stores)

    assert adopted.refresh_token == newer.refresh_token
    assert (stored(connection).status, stored(connection).status_detail) == (
        ConnectionStatus.CONNECTED,
        "",
    )


def test_a_refused_refresh_with_the_stored_token_asks_for_a_relink(demo, sandbox):
    _, connection = demo
    inject_fault(sandbox, "revoke_token")
    held = connections.credentials_of(connection)
    connector = connections.connector_for_connection(expiring(connection), fresh=False)

    with pytest.raises(AuthError):
        connector.company()

    row = stored(connection)
    assert (row.status, row.refresh_token) == (ConnectionStatus.RELINK_NEEDED, held.refresh_token)


def test_a_lost_refresh_answer_is_recovered_where_the_provider_allows_it(demo, sandbox):
    _, connection = demo
    inject_fault(sandbox, "drop_after_write", path=TOKEN_PATHS[sandbox.slug])
    name = display_name(sandbox.slug)

    if not RETRY_WITH_OLD_TOKEN[sandbox.slug]:
        with pytest.raises(AuthError) as refused:
            connections.refresh_if_due(connection, force=True)
        row = stored(connection)
        assert refused.value.message == lost_refresh_message(name, "invalid_grant")
        assert (row.status, row.status_detail) == (
            ConnectionStatus.RELINK_NEEDED,
            lost_refresh_message(name, "invalid_grant"),
        )
        return
    row = connections.refresh_if_due(connection, force=True)
    assert (row.status, token_calls(sandbox)) == (ConnectionStatus.CONNECTED, 2)
    connections.connector_for_connection(row, fresh=False).company()
    assert connections.refresh_if_due(row, force=True).status == ConnectionStatus.CONNECTED


def test_a_connector_whose_refresh_answer_is_lost_carries_on_where_the_provider_allows_it(
    demo, sandbox
):
    _, connection = demo
    inject_fault(sandbox, "drop_after_write", path=TOKEN_PATHS[sandbox.slug])
    connector = connections.connector_for_connection(expiring(connection), fresh=False)

    if not RETRY_WITH_OLD_TOKEN[sandbox.slug]:
        with pytest.raises(AuthError):
            connector.company()
        assert stored(connection).status == ConnectionStatus.RELINK_NEEDED
        return
    connector.company()
    row = stored(connection)
    assert (row.status, row.refresh_token) == (
        ConnectionStatus.CONNECTED,
        connector.credentials.refresh_token,
    )


def test_with_strict_rotation_a_lost_refresh_answer_means_connecting_again(demo, sandbox):
    _, connection = demo
    strict_rotation(sandbox)
    inject_fault(sandbox, "drop_after_write", path=TOKEN_PATHS[sandbox.slug])

    with pytest.raises(AuthError):
        connections.refresh_if_due(connection, force=True)

    assert stored(connection).status_detail == lost_refresh_message(
        display_name(sandbox.slug), "invalid_grant"
    )
