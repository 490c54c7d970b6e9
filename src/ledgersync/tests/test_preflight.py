"""Config preflight: a bad or missing setting stops the command at start with one line.

Each case runs the real `ledgersync` command as a subprocess, as a deployment would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SECRET_A = "a" * 50
SECRET_B = "b" * 50


def ledgersync(args: list[str], env: dict[str, str], timeout: int = 60):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGERSYNC_", "DATABASE_"))}
    full.pop("SECRET_KEY", None)
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "ledgersync", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line(result, variable: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert variable in lines[0]


@pytest.fixture
def var_dir(tmp_path: Path) -> dict[str, str]:
    return {"LEDGERSYNC_VAR_DIR": str(tmp_path), "SECRET_KEY": SECRET_A}


@pytest.mark.parametrize("command", ["serve", "worker", "migrate", "status --org x"])
@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("LEDGERSYNC_PORT", "eighty"),
        ("LEDGERSYNC_PORT", "70000"),
        ("LEDGERSYNC_SANDBOX_PORT_BASE", "abc"),
        ("LEDGERSYNC_SANDBOX_PORT_BASE", "65534"),
        ("DATABASE_URL", "postgress://postgres@127.0.0.1/hops"),
    ],
)
def test_a_bad_setting_stops_every_command_with_one_line(var_dir, command, setting, value):
    result = ledgersync(command.split(), {**var_dir, setting: value})
    assert_one_line(result, setting)


@pytest.mark.parametrize("command", ["serve", "worker", "sync --org x"])
def test_an_unreachable_database_stops_serve_worker_and_sync(var_dir, command):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    dead = "postgres://postgres@127.0.0.1:1/hops"
    result = ledgersync(command.split(), {**var_dir, "DATABASE_URL": dead})
    assert_one_line(result, "DATABASE_URL")
    assert "cannot reach the database" in result.stderr


SEED_TOKEN = """
from ledgersync.commands.common import setup_django
setup_django()
from ledgersync.records.models import Organisation
from ledgersync.sync.models import Connection
org = Organisation.objects.create(name="Preflight Ltd", slug="preflight")
Connection.objects.create(organisation=org, provider="xero", company_id="c1",
                          access_token="access-1", refresh_token="refresh-1")
"""


@pytest.mark.parametrize("command", ["worker", "sync --org preflight"])
def test_keys_that_cannot_decrypt_stored_tokens_stop_worker_and_sync(var_dir, command):
    assert ledgersync(["migrate", "--verbosity", "0"], var_dir).returncode == 0
    seeded = subprocess.run(
        [sys.executable, "-c", SEED_TOKEN],
        env={**os.environ, **var_dir, "DATABASE_URL": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert seeded.returncode == 0, seeded.stderr

    # Without SECRET_KEY (the placeholder derives another key) and with the wrong one.
    for env in (
        {"LEDGERSYNC_VAR_DIR": var_dir["LEDGERSYNC_VAR_DIR"]},
        {**var_dir, "SECRET_KEY": SECRET_B},
    ):
        result = ledgersync(command.split(), env)
        assert_one_line(result, "SECRET_KEY")
        assert "LEDGERSYNC_ENCRYPTION_KEYS" in result.stderr

    # The right key passes preflight: `sync` goes on to its own checks (no such failure).
    ok = ledgersync(["status", "--org", "preflight"], var_dir)
    assert "cannot decrypt" not in ok.stderr, ok.stderr
