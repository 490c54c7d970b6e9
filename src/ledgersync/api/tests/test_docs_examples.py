"""The examples in docs/api.md, docs/cli.md and docs/import.md do what the pages show."""

from __future__ import annotations

import shlex

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.api.tests.docs_support import (
    DOCS,
    connect_demo_to_quickbooks,
    console_examples,
    curl_examples,
    mismatches,
    missing_lines,
    substitute,
)
from ledgersync.cli import main
from ledgersync.commands import syncing
from ledgersync.records.demo_data import seed_demo
from ledgersync.records.importing import import_file
from ledgersync.records.models import Account, Document
from ledgersync.sandbox import start_server
from ledgersync.sync import linking
from ledgersync.sync.connections import connector_for_connection, live_connection


@pytest.fixture(scope="module")
def quickbooks():
    server = start_server("quickbooks")
    yield server
    server.stop()


def test_the_page_has_an_example_for_every_kind_of_call():
    methods = {(e.method, e.url.split("/api/v1")[1].split("?")[0]) for e in curl_examples("api.md")}
    assert len(methods) >= 14


def test_every_curl_example_in_docs_api_md_answers_as_shown(
    transactional_db, quickbooks, monkeypatch
):
    monkeypatch.setenv("QUICKBOOKS_SANDBOX_URL", quickbooks.url)
    organisation = connect_demo_to_quickbooks(quickbooks.url)
    variables: dict[str, object] = {
        "LEDGERSYNC_URL": "",
        "LEDGERSYNC_KEY": create_key(organisation, "docs")[1],
    }
    client = Client()

    for example in curl_examples("api.md"):
        headers = {
            k: substitute(v, variables) for k, v in example.headers.items() if k != "Content-Type"
        }
        response = client.generic(
            example.method,
            substitute(example.url, variables),
            data=substitute(example.body or "", variables),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == example.status, (example.command, response.content)
        if example.expected is not None:
            assert mismatches(example.expected, response.json(), variables) == [], example.command


def run_console_examples(page: str, capsys) -> None:
    examples = console_examples(page)
    assert examples, f"docs/{page} has no console examples"
    for example in examples:
        words = shlex.split(example.command)
        assert words[0] == "ledgersync"
        status = main(words[1:])
        printed = capsys.readouterr()
        output = printed.out + printed.err
        assert (status, missing_lines(example.output, output)) == (example.exit_status, []), (
            f"$ {example.command}\n{output}"
        )


@pytest.fixture
def at_the_repository_root(monkeypatch):
    monkeypatch.chdir(DOCS.parent)
    monkeypatch.setattr(syncing, "sleep", lambda seconds: None)


def test_every_command_in_docs_cli_md_prints_what_the_page_shows(
    transactional_db, quickbooks, monkeypatch, capsys, at_the_repository_root
):
    monkeypatch.setenv("QUICKBOOKS_SANDBOX_URL", quickbooks.url)
    organisation = connect_demo_to_quickbooks(quickbooks.url)
    connection = live_connection(organisation)
    connector = connector_for_connection(connection)
    harbour = Account.objects.get(organisation=organisation, number="A1001")
    linking.link_existing(
        connection,
        connector,
        harbour,
        linking.suggestions(connector, harbour).exact.contact.id,
        method=linking.LinkMethod.LINK_THIS,
    )

    run_console_examples("cli.md", capsys)


def test_every_command_in_docs_import_md_prints_what_the_page_shows(
    db, capsys, at_the_repository_root
):
    seed_demo()

    run_console_examples("import.md", capsys)

    assert Document.objects.filter(external_ref="JOB-5001").get().lines.count() == 3
    assert not Account.objects.filter(number="A2003").exists()


@pytest.mark.parametrize("name", ["import.csv", "import.json"])
def test_the_example_import_files_import_cleanly_and_match_each_other(db, name):
    organisation = seed_demo()

    report = import_file(organisation, DOCS / "examples" / name)

    assert (report.errors, report.kept) == ([], True)
    assert dict(report.created) == {"account": 2, "supplier": 1, "document": 3}
    other = "import.json" if name == "import.csv" else "import.csv"
    again = import_file(organisation, DOCS / "examples" / other)
    assert (dict(again.created), dict(again.updated)) == ({}, {})
    invoice = Document.objects.get(organisation=organisation, external_ref="JOB-5001")
    assert (str(invoice.gross_total), invoice.sent_via, invoice.marked_for_sync) == (
        "1067.82",
        "email",
        True,
    )
