"""The wheel ships the service: templates and static files, and no tests or test data."""

from __future__ import annotations

import zipfile

import pytest

from ledgersync.tests.production import ROOT, build_wheel


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> list[str]:
    return zipfile.ZipFile(build_wheel(tmp_path_factory.mktemp("build"))).namelist()


def test_the_wheel_holds_no_tests_and_no_test_data(wheel_names):
    test_files = [
        name
        for name in wheel_names
        if "/tests/" in name or "/fixtures/" in name or name.endswith("conftest.py")
    ]
    assert test_files == []


def test_the_wheel_holds_the_templates_and_static_files_the_pages_need(wheel_names):
    assert "ledgersync/web/templates/web/sync.html" in wheel_names
    assert "ledgersync/web/static/web/vendor/htmx.min.js" in wheel_names
    assert "ledgersync/api/templates/api/api_keys.html" in wheel_names


def test_no_shipped_module_imports_pytest(wheel_names):
    # The connector contract suite is test code; it lives in the test tree, not the package.
    shipped = [ROOT / "src" / name for name in wheel_names if name.endswith(".py")]
    assert [str(p) for p in shipped if "import pytest" in p.read_text()] == []
