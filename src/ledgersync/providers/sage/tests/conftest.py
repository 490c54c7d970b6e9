from __future__ import annotations

import httpx
import pytest

from ledgersync.providers.config import sandbox_config
from ledgersync.providers.http import credentials_from_token
from ledgersync.providers.registry import connector_for
from ledgersync.providers.sage.connector import SageConnector
from ledgersync.providers.sage.tests.swagger import load_spec

ROOT = "http://sage.sandbox.test"


def connect(app, transport: httpx.BaseTransport | None = None) -> SageConnector:
    """A connector on the sandbox's lead business, with tokens minted by its control plane."""
    tokens = app.mint_tokens()
    connector = connector_for(
        "sage",
        credentials_from_token(tokens, tokens["company_id"]),
        transport=transport or app.transport(),
        config=sandbox_config("sage", ROOT),
    )
    connector.api.sleep = lambda seconds: None
    return connector


@pytest.fixture(scope="session")
def sage_swagger() -> dict:
    """Sage's Swagger document, read once per test session (it is 1.3 MB)."""
    return load_spec()
