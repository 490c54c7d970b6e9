"""Connecting, staying connected, and letting go, against each provider's sandbox."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.utils import timezone

from ledgersync.providers.base import AuthError
from ledgersync.providers.registry import connector_for
from ledgersync.providers.tests.contract import _consent_form
from ledgersync.records.models import Account
from ledgersync.sync import connections, linking
from ledgersync.sync.models import AccsIdLink, AuditEvent, Connection, ConnectionStatus
from ledgersync.sync.tests.conftest import inject_fault, strict_rotation

pytestmark = pytest.mark.django_db(transaction=True)


def consent(url: str) -> dict[str, str]:
    """Press Connect/Allow on the sandbox's consent page; the callback's query parameters."""
    with httpx.Client(follow_redirects=False) as client:
        page = client.get(url)
        action, fields = _consent_form(page.text, str(page.url))
        answer = client.post(action, data={**fields, "action": "connect"})
    assert answer.status_code in (302, 303), answer.text[:300]
    return dict(httpx.URL(answer.headers["location"]).params)


def test_connecting_through_the_consent_page_stores_encrypted_tokens(demo, sandbox):
    organisation, old = demo
    old.delete()
    redirect_uri = "http://127.0.0.1:8000/sync/callback/"
    request = connector_for(sandbox.slug, None).authorization_url(redirect_uri)

    params = consent(request.url)
    connection = connections.complete_connection(
        organisation,
        sandbox.slug,
        params,
        redirect_uri=redirect_uri,
        expected_state=request.state,
        code_verifier=request.code_verifier,
    )

    assert connection.status == ConnectionStatus.CONNECTED
    first = httpx.get(f"{sandbox.url}/_sandbox/companies").json()[0]
    assert (connection.company_id, connection.company_name) == (first["id"], "Demo Trades Ltd")
    assert connection.refresh_token and connection.access_expires_at > timezone.now()
    assert AuditEvent.objects.filter(organisation=organisation, action="connect").count() == 1


def test_a_declined_consent_connects_nothing(demo, sandbox):
    organisation, old = demo
    old.delete()
    request = connector_for(sandbox.slug, None).authorization_url("http://127.0.0.1:8000/cb/")
    with pytest.raises(AuthError):
        connections.complete_connection(
            organisation,
            sandbox.slug,
            {"error": "access_denied", "state": request.state},
            redirect_uri="http://127.0.0.1:8000/cb/",
            expected_state=request.state,
            code_verifier=None,
        )
    assert not Connection.objects.filter(organisation=organisation).exists()


def test_a_refresh_saves_the_rotated_token_before_it_is_used_again(demo, sandbox):
    _, connection = demo
    strict_rotation(sandbox)
    Connection.objects.filter(pk=connection.pk).update(access_expires_at=timezone.now())
    first = connections.refresh_if_due(Connection.objects.get(pk=connection.pk))
    assert first.refresh_token != connection.refresh_token
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.refresh_token == first.refresh_token
    second = connections.refresh_if_due(stored, force=True)  # the stored token still works
    assert second.status == ConnectionStatus.CONNECTED


def test_a_refused_refresh_asks_for_a_relink_and_keeps_the_links(demo, sandbox):
    organisation, connection = demo
    account = Account.objects.get(organisation=organisation, number="A1001")
    link = linking.link(
        connection,
        connections.connector_for_connection(connection),
        account,
        linking.LinkAction.LINK_THIS,
    )
    inject_fault(sandbox, "revoke_token")
    with pytest.raises(AuthError):
        connections.refresh_if_due(connection, force=True)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.RELINK_NEEDED
    assert connection.status_detail
    assert AccsIdLink.objects.filter(account=account, remote_id=link.remote_id).exists()
    with pytest.raises(AuthError):
        connections.connector_for_connection(connection)


def test_disconnect_revokes_at_the_package_and_deletes_the_tokens(demo, sandbox):
    _, connection = demo
    refresh_token = connection.refresh_token
    connections.disconnect(connection)
    connection.refresh_from_db()
    assert (connection.status, connection.access_token, connection.refresh_token) == (
        ConnectionStatus.DISCONNECTED,
        None,
        None,
    )
    stale = connections.credentials_of(connection)
    assert stale is None
    from ledgersync.providers.base import Credentials

    old = Credentials("x", refresh_token, timezone.now(), None, connection.company_id)
    with pytest.raises(AuthError):
        connector_for(sandbox.slug, old).refresh()


def test_keep_alive_refreshes_daily_and_disconnects_idle_connections(demo):
    organisation, connection = demo
    Connection.objects.filter(pk=connection.pk).update(
        refreshed_at=timezone.now() - dt.timedelta(days=2)
    )
    assert connections.keep_alive()["refreshed"] == 1

    organisation.idle_timeout_minutes = 20
    organisation.save()
    Connection.objects.filter(pk=connection.pk).update(
        last_used_at=timezone.now() - dt.timedelta(minutes=30)
    )
    assert connections.keep_alive()["idle_disconnected"] == 1
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.DISCONNECTED
