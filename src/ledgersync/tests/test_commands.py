from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from ledgersync.providers.registry import PROVIDERS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_port_base() -> int:
    """A base whose sandbox ports (base + each provider's offset) are all free right now."""
    for _ in range(50):
        base = free_port()
        ports = [base + facts.sandbox_port_offset for facts in PROVIDERS.values()]
        try:
            for p in ports:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", p))
        except OSError:
            continue
        return base
    raise RuntimeError("no free sandbox ports above any base tried")


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ledgersync", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_serve_refuses_to_start_without_a_real_secret_key(tmp_path):
    result = run(
        "serve",
        "--port",
        str(free_port()),
        env={"SECRET_KEY": "", "LEDGERSYNC_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "set SECRET_KEY" in result.stderr


def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path):
    result = run("migrate", env={"DEBUG": "maybe", "LEDGERSYNC_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_the_demo_serves_its_login_page_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "LEDGERSYNC_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": "",
        "LEDGERSYNC_QUEUE_URL": "",
        "SECRET_KEY": "",
        "LEDGERSYNC_SANDBOX_PORT_BASE": str(free_port_base()),
    }
    demo = subprocess.Popen(
        [sys.executable, "-m", "ledgersync", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        page = None
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        if page is None:
            demo.send_signal(signal.SIGINT)
            pytest.fail(
                f"the demo never served its login page:\n{demo.communicate(timeout=20)[0][-3000:]}"
            )
        assert page.status_code == 200
        assert "Log in" in page.text
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=20)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    assert demo.returncode == 0
    assert f"http://127.0.0.1:{port}/" in output
    assert "log in as admin     password demo" in output
    assert "ledgersync demo stopped." in output


@pytest.mark.django_db
def test_createuser_adds_a_user_with_a_role():
    from ledgersync.cli import main
    from ledgersync.records.models import User
    from ledgersync.records.tests.factories import make_org

    make_org(slug="acme")
    assert (
        main(
            [
                "createuser",
                "sam",
                "--org",
                "acme",
                "--role",
                "engineer",
                "--password",
                "long enough",
            ]
        )
        == 0
    )
    sam = User.objects.get(username="sam")
    assert (sam.organisation.slug, sam.role, sam.check_password("long enough")) == (
        "acme",
        "engineer",
        True,
    )
    assert main(["createuser", "sam", "--org", "acme", "--password", "long enough"]) == 2
