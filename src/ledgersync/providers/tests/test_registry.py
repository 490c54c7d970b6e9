from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledgersync.providers.base import Credentials, PushResult
from ledgersync.providers.config import sandbox_config
from ledgersync.providers.errors import PermanentError
from ledgersync.providers.quickbooks.connector import QuickBooksConnector
from ledgersync.providers.registry import (
    PROVIDERS,
    ProviderInfo,
    choices,
    connector_for,
    get_connector_class,
)


def test_model_choices_list_every_provider():
    assert choices() == [("quickbooks", "QuickBooks"), ("xero", "Xero"), ("sage", "Sage")]


def test_a_slug_names_its_connector_class():
    assert get_connector_class("quickbooks") is QuickBooksConnector


def test_a_provider_without_a_connector_says_so(monkeypatch):
    monkeypatch.setitem(PROVIDERS, "xero", ProviderInfo("xero", "Xero"))
    with pytest.raises(NotImplementedError, match="no connector for Xero yet"):
        get_connector_class("xero")


def test_connector_for_builds_one_connector_for_a_connection():
    config = sandbox_config("quickbooks", "http://127.0.0.1:8101")
    connector = connector_for("quickbooks", None, config=config)
    assert isinstance(connector, QuickBooksConnector)
    assert connector.config == config
    assert connector.api_calls == 0


def test_credentials_never_show_their_tokens():
    creds = Credentials(
        "secret-access", "secret-refresh", datetime(2025, 1, 1, tzinfo=UTC), None, "42"
    )
    assert "secret" not in repr(creds)


def test_a_push_result_holds_a_document_or_an_error_never_both():
    with pytest.raises(ValueError):
        PushResult("k", "S1")
    assert PushResult("k", "S1", error=PermanentError("no")).ok is False
