"""A fourth provider is its facts plus one registry line: everything else derives from them.

The provider here is registered the way a real one is listed, as an entry in
``PROVIDERS`` whose sandbox package names its app class; CONTRIBUTING.md has the checklist.
"""

from __future__ import annotations

import sys
import types

import pytest

from ledgersync.cli import build_parser
from ledgersync.demo import demo_environment
from ledgersync.providers.base import Capabilities, ContactKind
from ledgersync.providers.config import ProviderConfig, contact_web_url, load_config
from ledgersync.providers.facts import ProviderFacts, ProviderUrls
from ledgersync.providers.registry import PROVIDERS, choices, get_connector_class
from ledgersync.sandbox.registry import factory, sandbox_ports

FREEAGENT = ProviderFacts(
    slug="freeagent",
    capabilities=Capabilities(
        display_name="FreeAgent",
        supports_care_of=False,
        supports_typed_accs_id=True,
        needs_tax_on_nominal=False,
        max_batch=1,
    ),
    connector=f"{__name__}:FreeAgentConnector",
    real_urls=ProviderUrls(
        authorize_url="https://api.freeagent.example/v2/approve_app",
        token_url="https://api.freeagent.example/v2/token_endpoint",
        revoke_url="https://api.freeagent.example/v2/token_endpoint/revoke",
        api_url="https://api.freeagent.example/v2",
        web_url="https://app.freeagent.example",
    ),
    sandbox_port_offset=4,
    contact_pages={ContactKind.CUSTOMER: "/contacts/{id}"},
)


class FreeAgentConnector:
    """Stands in for ``providers/freeagent/connector.py``."""


class FreeAgentSandbox:
    """Stands in for ``sandbox/freeagent/app.py``."""


@pytest.fixture(autouse=True)
def freeagent(monkeypatch):
    monkeypatch.setitem(PROVIDERS, "freeagent", FREEAGENT)
    sandbox_package = types.ModuleType(FREEAGENT.sandbox_package)
    sandbox_package.APP = f"{__name__}:FreeAgentSandbox"
    monkeypatch.setitem(sys.modules, FREEAGENT.sandbox_package, sandbox_package)
    monkeypatch.setenv("LEDGERSYNC_SANDBOX_PORT_BASE", "9000")
    for name in ("SANDBOX_URL", "CLIENT_ID", "CLIENT_SECRET", "AUTHORIZE_URL", "API_URL"):
        monkeypatch.delenv(f"FREEAGENT_{name}", raising=False)


def test_the_model_choices_and_the_connector_come_from_its_facts():
    assert choices()[-1] == ("freeagent", "FreeAgent")
    assert get_connector_class("freeagent") is FreeAgentConnector


def test_the_sandbox_command_offers_it_on_its_own_port():
    assert build_parser().parse_args(["sandbox", "freeagent"]).provider == "freeagent"
    assert factory("freeagent") is FreeAgentSandbox
    assert sandbox_ports() == {"quickbooks": 9001, "xero": 9002, "sage": 9003, "freeagent": 9004}


def test_the_demo_points_it_at_its_sandbox(tmp_path):
    env = demo_environment(tmp_path, "127.0.0.1", 8000, sandbox_ports())
    assert {key: value for key, value in env.items() if key.startswith("FREEAGENT_")} == {
        "FREEAGENT_SANDBOX_URL": "http://127.0.0.1:9004",
        "FREEAGENT_CLIENT_ID": "ledgersync-sandbox",
        "FREEAGENT_CLIENT_SECRET": "ledgersync-sandbox-secret",
    }


def test_its_settings_default_to_its_real_urls(monkeypatch):
    monkeypatch.setenv("FREEAGENT_CLIENT_ID", "fa-client")
    assert load_config("freeagent") == ProviderConfig(
        client_id="fa-client",
        client_secret="",
        authorize_url="https://api.freeagent.example/v2/approve_app",
        token_url="https://api.freeagent.example/v2/token_endpoint",
        revoke_url="https://api.freeagent.example/v2/token_endpoint/revoke",
        api_url="https://api.freeagent.example/v2",
        web_url="https://app.freeagent.example",
    )


def test_its_sandbox_setting_moves_every_url_onto_the_sandbox(monkeypatch):
    monkeypatch.setenv("FREEAGENT_SANDBOX_URL", "http://127.0.0.1:9004")
    config = load_config("freeagent")
    assert (config.client_id, config.authorize_url, config.api_url) == (
        "ledgersync-sandbox",
        "http://127.0.0.1:9004/v2/approve_app",
        "http://127.0.0.1:9004/v2",
    )
    assert contact_web_url("freeagent", config, "7", ContactKind.CUSTOMER) == (
        "http://127.0.0.1:9004/contacts/7"
    )
    assert contact_web_url("freeagent", config, "7", ContactKind.SUPPLIER) is None
