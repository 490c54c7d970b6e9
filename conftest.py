"""Suite-wide rules: in CI (CI=true) a skipped test is a failure, not a pass; passwords are
hashed with one PBKDF2 iteration (ledgersync.tests.hashers), not a million."""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Only this hasher: Django keys hashers by algorithm name, and it shares PBKDF2's.
    settings.PASSWORD_HASHERS = ["ledgersync.tests.hashers.QuickPBKDF2PasswordHasher"]


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped; in CI a skipped database, queue or "
            "browser test is a failure.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def on_postgres(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
