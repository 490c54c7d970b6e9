"""The examples in docs/api.md answer as the page shows (through the real URL routing)."""

from __future__ import annotations

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.api.tests.docs_support import (
    connect_demo_to_quickbooks,
    curl_examples,
    mismatches,
    substitute,
)
from ledgersync.sandbox import start_server


@pytest.fixture(scope="module")
def quickbooks():
    server = start_server("quickbooks")
    yield server
    server.stop()


def test_the_page_has_an_example_for_every_kind_of_call():
    methods = {(e.method, e.url.split("/api/v1")[1].split("?")[0]) for e in curl_examples("api.md")}
    assert len(methods) >= 14


def test_every_curl_example_in_docs_api_md_answers_as_shown(transactional_db, quickbooks, monkeypatch):
    monkeypatch.setenv("QUICKBOOKS_SANDBOX_URL", quickbooks.url)
    organisation = connect_demo_to_quickbooks(quickbooks.url)
    variables: dict[str, object] = {"LEDGERSYNC_URL": "", "LEDGERSYNC_KEY": create_key(organisation, "docs")[1]}
    client = Client()

    for example in curl_examples("api.md"):
        headers = {k: substitute(v, variables) for k, v in example.headers.items() if k != "Content-Type"}
        response = client.generic(example.method, substitute(example.url, variables),
                                  data=substitute(example.body or "", variables),
                                  content_type="application/json", headers=headers)
        assert response.status_code == example.status, (example.command, response.content)
        if example.expected is not None:
            assert mismatches(example.expected, response.json(), variables) == [], example.command
