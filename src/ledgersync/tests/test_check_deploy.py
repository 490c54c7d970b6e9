"""`manage.py check --deploy` is clean with the production settings docs/deploy.md documents."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys


def test_check_deploy_has_no_warnings_with_the_documented_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERSYNC_")}
    env.update(
        DJANGO_SETTINGS_MODULE="ledgersync.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        LEDGERSYNC_PUBLIC_URL="https://sync.example.com",
        LEDGERSYNC_TRUSTED_PROXIES="127.0.0.1",
        ALLOWED_HOSTS="sync.example.com",
        LEDGERSYNC_VAR_DIR=str(tmp_path),
        DEBUG="false",
    )
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' setting, not production's
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
