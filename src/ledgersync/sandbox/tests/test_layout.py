"""The three sandboxes follow one file layout (docs/sandboxes.md, "Layout"), and each rule
they share is written once, in sandbox/core/: these tests fail when a copy comes back."""

from __future__ import annotations

from pathlib import Path

import pytest

SANDBOX = Path(__file__).resolve().parents[1]
PROVIDERS = ("quickbooks", "xero", "sage")
SHARED_MODULES = (
    "__init__.py",
    "app.py",
    "contacts.py",
    "documents.py",
    "errors.py",
    "seed.py",
    "settings.py",
    "store.py",
    "web.py",
)
# Earlier names for a shared concern; the layout names them as above.
OLD_NAMES = ("views.py", "transactions.py", "names.py", "lists.py", "records.py", "where.py")


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(SANDBOX)): path.read_text()
        for path in SANDBOX.rglob("*.py")
        if "tests" not in path.relative_to(SANDBOX).parts
    }


@pytest.mark.parametrize("slug", PROVIDERS)
def test_every_sandbox_has_the_shared_modules(slug):
    present = {path.name for path in (SANDBOX / slug).glob("*.py")}
    assert [name for name in SHARED_MODULES if name not in present] == []


@pytest.mark.parametrize("slug", PROVIDERS)
def test_no_sandbox_names_a_shared_concern_its_own_way(slug):
    present = {path.name for path in (SANDBOX / slug).glob("*.py")}
    assert sorted(present & set(OLD_NAMES)) == []


@pytest.mark.parametrize(
    ("text", "home"),
    [
        ("Bright Spark Electrical", "core/demo.py"),  # the demo customer list
        ("Metro Fuel Cards", "core/demo.py"),  # the demo supplier list
        ("Ashdown Veterinary Clinic", "core/demo.py"),  # the second company's customers
        ('"215.25"', "core/demo.py"),  # the history invoices
        ("request.cookies.get(", "core/pages.py"),  # which company a web page shows
        ('"wsgi.input"', "core/wsgi.py"),  # the WSGI environ of a request
        ('path.split(".")', "core/fields.py"),  # a dotted field in a query
    ],
)
def test_a_shared_rule_is_written_only_in_core(text, home):
    assert [name for name, source in _sources().items() if text in source] == [home]
