"""A Xero connector on an in-process Xero sandbox, signed in to its first organisation."""

from __future__ import annotations

import httpx

from ledgersync.providers.config import sandbox_config
from ledgersync.providers.http import credentials_from_token
from ledgersync.providers.registry import connector_for
from ledgersync.providers.xero.connector import XeroConnector
from ledgersync.sandbox.xero.app import XeroSandbox

ROOT = "http://xero.sandbox.invalid"


def connect(app: XeroSandbox, transport: httpx.BaseTransport | None = None) -> XeroConnector:
    tokens = app.mint_tokens()
    credentials = credentials_from_token(tokens, tokens["company_id"])
    connector = connector_for(
        "xero",
        credentials,
        transport=transport or app.transport(),
        config=sandbox_config("xero", ROOT),
    )
    assert isinstance(connector, XeroConnector)
    return connector
