"""The late-write rules live in one place each: a provider's replay window and late-write
horizon in its facts, the way an extra copy is removed in its connector."""

from __future__ import annotations

import re
from pathlib import Path

import ledgersync

SRC = Path(ledgersync.__file__).parent


def source_files(*, skip_tests: bool = True):
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if skip_tests and ("tests" in parts or "migrations" in parts):
            continue
        yield path, path.read_text()


def test_replay_windows_and_late_write_horizons_are_set_only_in_provider_facts():
    setting = re.compile(r"\b(replay_window_seconds|late_write_seconds)\s*=")
    facts = {f"providers/{slug}/__init__.py" for slug in ("quickbooks", "xero", "sage")}
    found = {
        str(path.relative_to(SRC))
        for path, text in source_files()
        if setting.search(text) and str(path.relative_to(SRC)) != "providers/base.py"
    }
    assert found <= facts, f"set outside the providers' facts: {sorted(found - facts)}"


def test_the_engine_removes_copies_only_through_the_connector_contract():
    # How each package voids or deletes (operation=void, Status VOIDED, DELETE with a
    # void_reason) is the connectors' business; the engine only calls void_document. (Our
    # own status code VOIDED = "VOIDED" is ledgersync's word, not a package's.)
    provider_words = re.compile(
        r"operation=|(?<!VOIDED = )\"VOIDED\"|\"DELETED\"|void_reason|SyncToken"
    )
    offenders = [
        str(path.relative_to(SRC))
        for path, text in source_files()
        if path.relative_to(SRC).parts[0] == "sync" and provider_words.search(text)
    ]
    assert offenders == []
