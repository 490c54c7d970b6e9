"""Each provider fact has one home: these fail when a second copy comes back elsewhere."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from ledgersync.providers.facts import SANDBOX_CLIENT_SECRET
from ledgersync.providers.registry import PROVIDERS, get_connector_class
from ledgersync.sandbox.registry import factory

PACKAGE = Path(__file__).resolve().parents[1]


def source_modules() -> dict[str, ast.Module]:
    """Every module of the package except tests and migrations, parsed, by relative path."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        modules[relative] = ast.parse(path.read_text(), relative)
    return modules


def strings_in(tree: ast.Module) -> set[str]:
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_no_module_lists_the_provider_slugs_itself():
    slugs = set(PROVIDERS)
    listing = {
        path: sorted(strings_in(tree) & slugs)
        for path, tree in source_modules().items()
        if len(strings_in(tree) & slugs) > 1
    }
    assert listing == {}


def test_a_provider_slug_and_name_are_written_only_in_its_own_packages():
    # Its sandbox may title its emulated web pages with the name; nothing else repeats it.
    homes = {
        literal: (f"providers/{facts.slug}/", f"sandbox/{facts.slug}/")
        for facts in PROVIDERS.values()
        for literal in (facts.slug, facts.name)
    }
    # The one default package (a single slug, not a list) is a choice, not a copy.
    allowed = {"records/models.py", "records/demo_data.py"}
    strays = sorted(
        (path, literal)
        for path, tree in source_modules().items()
        for literal in strings_in(tree) & homes.keys()
        if not path.startswith(homes[literal]) and path not in allowed
    )
    assert strays == []


def test_the_connectors_and_sandboxes_take_slug_and_name_from_the_facts():
    for facts in PROVIDERS.values():
        connector = get_connector_class(facts.slug)
        sandbox = factory(facts.slug)
        assert connector.capabilities is facts.capabilities
        assert (connector.slug, sandbox.slug, sandbox.display_name) == (
            facts.slug,
            facts.slug,
            facts.name,
        )
        connector_source = inspect.getsource(connector)
        sandbox_source = inspect.getsource(sandbox)
        assert f'"{facts.name}"' not in connector_source + sandbox_source


def test_the_sandbox_client_secret_is_written_once():
    holders = [
        path for path, tree in source_modules().items() if SANDBOX_CLIENT_SECRET in strings_in(tree)
    ]
    assert holders == ["providers/facts.py"]


def test_django_is_set_up_by_one_function():
    definers = [
        path
        for path, tree in source_modules().items()
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "setup_django"
            for node in ast.walk(tree)
        )
    ]
    assert definers == ["commands/common.py"]
