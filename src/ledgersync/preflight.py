"""Checks every command runs before it does anything: one line naming the variable.

A bad setting found here stops the command at start with ``ConfigError`` (``cli.main`` prints
it as one line, no traceback) instead of failing later in a request, a run or a token refresh.
"""

from __future__ import annotations

from ledgersync.env import ConfigError, env_int

# Commands that talk to the database for their whole life: an unreachable database, or keys
# that cannot decrypt the stored tokens, must stop them at start.
NEEDS_DATABASE = frozenset({"serve", "worker", "sync"})


def port_setting(name: str, default: int) -> int:
    """A TCP port from ``name``; ConfigError naming the variable for anything else."""
    port = env_int(name, default, minimum=1)
    if port > 65535:
        raise ConfigError(f"{name}={port} is not a TCP port: use a number from 1 to 65535")
    return port


def check_environment() -> None:
    """Settings every command reads, checked before Django starts."""
    from ledgersync.sandbox.registry import sandbox_ports

    port_setting("LEDGERSYNC_PORT", 8000)
    for port in sandbox_ports().values():
        if port > 65535:
            raise ConfigError(
                "LEDGERSYNC_SANDBOX_PORT_BASE is too high: the sandboxes' ports "
                f"(up to {port}) must stay below 65536; use e.g. 8100"
            )


def check_database() -> None:
    """The database answers; ConfigError naming DATABASE_URL when it does not."""
    from django.db import connection
    from django.db.utils import Error as DatabaseError

    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"DATABASE_URL: cannot reach the database ({reason}); "
            "check the host, port, name and password, and that the server is running"
        ) from None


def check_token_keys() -> None:
    """The configured keys decrypt a stored token, so runs do not fail later on each one."""
    from django.db import connection
    from django.db.utils import Error as DatabaseError

    from ledgersync.sync.crypto import decrypt
    from ledgersync.sync.models import Connection

    # Raw SQL: the field would decrypt on read and raise; here we want the ciphertext.
    table = Connection._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT refresh_token FROM {table} "  # noqa: S608 - the model's own table name
                "WHERE refresh_token IS NOT NULL AND refresh_token <> '' LIMIT 1"
            )
            row = cursor.fetchone()
    except DatabaseError:
        return  # tables not migrated yet: `migrate` says so; nothing is stored to decrypt
    if row is None:
        return
    try:
        decrypt(row[0])
    except ValueError:
        raise ConfigError(
            "SECRET_KEY / LEDGERSYNC_ENCRYPTION_KEYS cannot decrypt the stored tokens: set the "
            "same SECRET_KEY, or list the key they were stored under in "
            "LEDGERSYNC_ENCRYPTION_KEYS (newest first)"
        ) from None


def check_for(command: str) -> None:
    """Everything ``command`` needs; called once by ``cli.main`` before the command runs."""
    check_environment()
    if command in NEEDS_DATABASE:
        from ledgersync.commands.common import setup_django

        setup_django()
        check_database()
        check_token_keys()
