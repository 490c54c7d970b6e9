from __future__ import annotations

import pytest

from ledgersync.env import ConfigError
from ledgersync.providers.base import ContactKind
from ledgersync.providers.config import (
    ProviderConfig,
    clock_speed,
    contact_web_url,
    load_config,
    sandbox_config,
)
from ledgersync.providers.facts import URL_NAMES
from ledgersync.providers.registry import PROVIDERS


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    names = ("CLIENT_ID", "CLIENT_SECRET", "SANDBOX_URL", *(n.upper() for n in URL_NAMES))
    for facts in PROVIDERS.values():
        for name in names:
            monkeypatch.delenv(f"{facts.env_prefix}_{name}", raising=False)


def test_urls_default_to_the_real_service(monkeypatch):
    monkeypatch.setenv("QUICKBOOKS_CLIENT_ID", "abc")
    monkeypatch.setenv("QUICKBOOKS_CLIENT_SECRET", "shh")
    assert load_config("quickbooks") == ProviderConfig(
        client_id="abc",
        client_secret="shh",
        authorize_url="https://appcenter.intuit.com/connect/oauth2",
        token_url="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        revoke_url="https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
        api_url="https://quickbooks.api.intuit.com",
        web_url="https://app.qbo.intuit.com",
    )


def test_the_sandbox_shortcut_points_every_url_at_one_root(monkeypatch):
    monkeypatch.setenv("QUICKBOOKS_SANDBOX_URL", "http://127.0.0.1:8101/")
    assert load_config("quickbooks") == ProviderConfig(
        client_id="ledgersync-sandbox",
        client_secret="ledgersync-sandbox-secret",
        authorize_url="http://127.0.0.1:8101/connect/oauth2",
        token_url="http://127.0.0.1:8101/oauth2/v1/tokens/bearer",
        revoke_url="http://127.0.0.1:8101/v2/oauth2/tokens/revoke",
        api_url="http://127.0.0.1:8101",
        web_url="http://127.0.0.1:8101",
    )


def test_a_single_url_wins_over_the_sandbox_shortcut(monkeypatch):
    monkeypatch.setenv("SAGE_SANDBOX_URL", "http://127.0.0.1:8103")
    monkeypatch.setenv("SAGE_TOKEN_URL", "http://127.0.0.1:9999/token")
    config = load_config("sage")
    assert config.token_url == "http://127.0.0.1:9999/token"
    assert config.authorize_url == "http://127.0.0.1:8103/oauth2/auth/central?filter=apiv3.1"
    assert config.api_url == "http://127.0.0.1:8103/v3.1"


def test_a_bad_url_names_the_variable(monkeypatch):
    monkeypatch.setenv("XERO_CLIENT_ID", "x")
    monkeypatch.setenv("XERO_API_URL", "api.xero.com")
    with pytest.raises(ConfigError, match="XERO_API_URL='api.xero.com' is not a URL"):
        load_config("xero")


def test_a_missing_client_id_names_the_variable():
    with pytest.raises(ConfigError, match="QUICKBOOKS_CLIENT_ID is not set"):
        load_config("quickbooks")


def test_contact_links_follow_each_web_app():
    qbo = sandbox_config("quickbooks", "https://app.qbo.intuit.com")
    assert contact_web_url("quickbooks", qbo, "129", ContactKind.CUSTOMER) == (
        "https://app.qbo.intuit.com/app/customerdetail?nameId=129"
    )
    assert contact_web_url("quickbooks", qbo, "56", ContactKind.SUPPLIER) == (
        "https://app.qbo.intuit.com/app/vendordetail?nameId=56"
    )
    sage = sandbox_config("sage", "http://127.0.0.1:8103")
    assert (
        contact_web_url("sage", sage, "be4de860ee2c447288cc31385ffa9d73", ContactKind.CUSTOMER)
        is None
    )


def test_the_clock_speed_is_a_sandboxs_only_and_a_bad_one_is_named(monkeypatch):
    monkeypatch.setenv("SAGE_SANDBOX_CLOCK_SPEED", "60")
    assert clock_speed("sage") == 1.0  # a real provider's minute is a minute
    monkeypatch.setenv("SAGE_SANDBOX_URL", "http://127.0.0.1:8103")
    assert clock_speed("sage") == 60.0
    monkeypatch.setenv("SAGE_SANDBOX_CLOCK_SPEED", "fast")
    with pytest.raises(ConfigError, match="SAGE_SANDBOX_CLOCK_SPEED must be a number"):
        clock_speed("sage")
