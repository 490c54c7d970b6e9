"""Suite-wide rules: in CI (CI=true) a skipped test is a failure, not a pass. And two costs
of every test cut: passwords are hashed with one PBKDF2 iteration (ledgersync.tests.hashers),
not a million, and on PostgreSQL a transactional test's flush deletes the rows instead of
truncating each table."""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Only this hasher: Django keys hashers by algorithm name, and it shares PBKDF2's.
    settings.PASSWORD_HASHERS = ["ledgersync.tests.hashers.QuickPBKDF2PasswordHasher"]
    _flush_postgres_by_delete()
    _flush_keeps_content_types()


def _flush_postgres_by_delete():
    """After each ``transaction=True`` test Django flushes every table. On PostgreSQL that is
    one TRUNCATE of all 38 tables, which swaps each table's and index's files: 0.6 to 1.7 s on
    this machine. DELETE FROM each table empties the same few rows in about 0.05 s. The end
    state is the same: every foreign key is deferrable (checked when the flush commits),
    there are no triggers, and neither form resets the id sequences (Django asks for that
    with reset_sequences, which is left to TRUNCATE ... RESTART IDENTITY)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            # Table names from Django's own introspection, quoted.
            f"DELETE FROM {self.quote_name(table)};"  # noqa: S608
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


# Rows migrate writes and Django's post_migrate signal writes again, the same, after every
# flush (about 160 permission and 40 content type rows: 0.15 to 0.25 s a test). ledgersync's
# permissions come from roles (records.auth.RoleBackend), and no test writes these tables.
KEPT_THROUGH_FLUSH = frozenset({"django_content_type", "auth_permission"})


def _flush_keeps_content_types():
    """The flush after a ``transaction=True`` test empties every table but these two; the
    post_migrate signal that follows then finds its rows in place and writes nothing."""
    from django.core.management.commands import flush

    def sql_flush(style, connection, reset_sequences=True, allow_cascade=False):
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        return connection.ops.sql_flush(
            style,
            [table for table in tables if table not in KEPT_THROUGH_FLUSH],
            reset_sequences=reset_sequences,
            allow_cascade=allow_cascade,
        )

    flush.sql_flush = sql_flush


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
