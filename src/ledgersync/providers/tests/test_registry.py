from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from ledgersync.providers.base import Credentials, PushResult
from ledgersync.providers.config import sandbox_config
from ledgersync.providers.errors import PermanentError
from ledgersync.providers.quickbooks.connector import QuickBooksConnector
from ledgersync.providers.registry import (
    choices,
    connector_for,
    display_name,
    get_connector_class,
)


def test_model_choices_list_every_provider():
    assert choices() == [("quickbooks", "QuickBooks"), ("xero", "Xero"), ("sage", "Sage")]


def test_a_slug_names_its_connector_class():
    assert get_connector_class("quickbooks") is QuickBooksConnector


def test_an_unknown_slug_is_shown_as_it_is():
    assert (display_name("xero"), display_name("retired")) == ("Xero", "retired")


def test_importing_the_registry_loads_no_connector_nor_http_or_django_code():
    # Django models import the registry; it must not drag connectors or httpx in with it.
    probe = (
        "import sys, ledgersync.providers.registry; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'django', "
        "'authlib') or m.endswith(('.connector', '.client', '.config', '.http'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


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
