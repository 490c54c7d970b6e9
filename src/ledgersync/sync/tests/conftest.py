"""Fixtures for engine tests: each provider's sandbox on a real loopback socket, and the
demo organisation connected to it with tokens minted by the sandbox's control plane."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.utils import timezone

from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.demo_data import seed_demo
from ledgersync.sandbox import start_server
from ledgersync.sandbox.core.oauth import STRICT_ROTATION
from ledgersync.sync import assess
from ledgersync.sync.models import Connection, ConnectionStatus

READY = list(PROVIDERS)  # every provider has a connector and a sandbox


@pytest.fixture(scope="session", params=READY)
def sandbox_server(request):
    server = start_server(request.param)
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server, monkeypatch):
    """The provider's sandbox, freshly reset, with ledgersync pointed at it."""
    slug = sandbox_server.app.slug
    httpx.post(f"{sandbox_server.url}/_sandbox/reset").raise_for_status()
    monkeypatch.setenv(f"{slug.upper()}_SANDBOX_URL", sandbox_server.url)
    sandbox_server.slug = slug
    return sandbox_server


def connect_to_sandbox(organisation, url: str, provider: str) -> Connection:
    """``organisation`` connected to the sandbox's first company, with tokens its control
    plane mints (no consent page: tests of connecting itself use it)."""
    tokens = httpx.post(f"{url}/_sandbox/tokens", json={}).json()
    now = timezone.now()
    return Connection.objects.create(
        organisation=organisation,
        provider=provider,
        company_id=tokens["company_id"],
        company_name="Demo Trades Ltd",
        status=ConnectionStatus.CONNECTED,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        access_expires_at=now + dt.timedelta(seconds=int(tokens.get("expires_in", 1800))),
        connected_at=now,
        refreshed_at=now,
    )


@pytest.fixture
def demo(db, sandbox):
    """The demo organisation on the sandbox's provider, connected to its first company."""
    organisation = seed_demo()
    organisation.provider = sandbox.slug
    organisation.save()
    connection = connect_to_sandbox(organisation, sandbox.url, sandbox.slug)
    # As connecting does (connections.complete_connection), without queueing a read of the
    # package: a test that wants the package's data read calls reference.refresh.
    assess.assess(organisation, keep_outcomes=True, ask=False)
    return organisation, connection


def inject_fault(sandbox, kind: str, **extra) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"kind": kind, **extra}).raise_for_status()


# Each sandbox's token endpoint, for faults aimed at it.
TOKEN_PATHS = {"quickbooks": "/oauth2/v1/tokens/bearer", "xero": "/connect/token", "sage": "/token"}


def strict_rotation(sandbox) -> None:
    """Every refresh rotates and the old refresh token dies at once (the harshest rule)."""
    httpx.put(f"{sandbox.url}/_sandbox/settings", json=STRICT_ROTATION).raise_for_status()


def token_calls(sandbox) -> int:
    """How many requests the sandbox's token endpoint has had since the reset."""
    log = httpx.get(f"{sandbox.url}/_sandbox/requests").json()
    return sum(1 for entry in log if entry["path"] == TOKEN_PATHS[sandbox.slug])
