from __future__ import annotations

import ast
from pathlib import Path

import ledgersync.providers

PROVIDERS = Path(ledgersync.providers.__file__).resolve().parent


def shipped_modules() -> list[Path]:
    return [p for p in sorted(PROVIDERS.rglob("*.py")) if "tests" not in p.parts]


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_shipped_provider_module_imports_pytest():
    # The contract suite is test code: it lives in providers/tests, never beside connectors.
    assert len(shipped_modules()) > 10
    assert [p.name for p in shipped_modules() if "pytest" in imported_roots(p)] == []


def test_the_refusals_every_provider_shares_are_worded_only_in_the_http_connector():
    # A provider writing its own "has no tax rate" again would drift from the others.
    phrases = ("has no tax rate in", "is longer than", "Tax code {")
    wording = {
        p.relative_to(PROVIDERS).as_posix()
        for p in shipped_modules()
        for phrase in phrases
        if phrase in p.read_text()
    }
    assert wording == {"connector.py"}
