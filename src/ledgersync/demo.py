"""`ledgersync demo`: everything on this machine, on the embedded defaults.

One process tree: this process serves the web app; children run the background worker and
one sandbox per provider on loopback. Ctrl-C (or SIGTERM) stops them all.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

from ledgersync.commands.common import setup_django
from ledgersync.providers.facts import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ledgersync.providers.registry import PROVIDERS
from ledgersync.sandbox.registry import sandbox_ports


def demo_secrets(var_dir: Path) -> dict[str, str]:
    """A SECRET_KEY and an encryption key made once and kept under ./var/ (demo only)."""
    path = var_dir / "demo-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LEDGERSYNC_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def demo_environment(var_dir: Path, host: str, port: int, ports: dict[str, int]) -> dict[str, str]:
    """The settings the demo runs on: its var dir and secrets, and every provider pointed at
    its sandbox on ``ports`` (slug to port) with the sandbox client."""
    env = {
        "LEDGERSYNC_VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "LEDGERSYNC_PUBLIC_URL": f"http://{host}:{port}",
        "ALLOWED_HOSTS": f"{host},localhost,127.0.0.1",
    }
    env.update(demo_secrets(var_dir))
    for slug, facts in PROVIDERS.items():
        prefix = facts.env_prefix
        env[f"{prefix}_SANDBOX_URL"] = f"http://127.0.0.1:{ports[slug]}"
        env[f"{prefix}_CLIENT_ID"] = SANDBOX_CLIENT_ID
        env[f"{prefix}_CLIENT_SECRET"] = SANDBOX_CLIENT_SECRET
    return env


def run_demo(port: int = 8000, host: str = "127.0.0.1") -> int:
    var_dir = Path(os.environ.get("LEDGERSYNC_VAR_DIR", "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    ports = sandbox_ports()
    wanted = [(host, port)] + [("127.0.0.1", p) for p in ports.values()]
    busy = [f"{h}:{p}" for h, p in wanted if not port_is_free(h, p)]
    if busy:
        print(
            f"ledgersync demo: port(s) {', '.join(busy)} already in use; stop the other "
            f"program or pass --port N",
            file=sys.stderr,
        )
        return 2
    for key, value in demo_environment(var_dir, host, port, ports).items():
        os.environ.setdefault(key, value)

    setup_django()
    from django.core.management import call_command

    from ledgersync.records.demo_data import DEMO_PASSWORD, DEMO_USERS, seed_demo

    call_command("migrate", interactive=False, verbosity=0)
    organisation = seed_demo()

    children = [_spawn("worker")] + [
        _spawn("sandbox", slug, "--port", str(ports[slug])) for slug in ports
    ]
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    url = f"http://{host}:{port}/"
    print(f"\nledgersync demo is running: {url}\n  organisation: {organisation.name}")
    for username, role in DEMO_USERS:
        print(f"  log in as {username:<9} password {DEMO_PASSWORD}   ({role.label})")
    for slug, sandbox_port in ports.items():
        print(f"  {slug} sandbox: http://127.0.0.1:{sandbox_port}/")
    print("Press Ctrl-C to stop.\n", flush=True)
    try:
        from ledgersync.cli import run_web

        return run_web(host, port)
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(children)


def _spawn(*args: str) -> subprocess.Popen:
    # Our own interpreter and module with fixed arguments: nothing user-supplied runs here.
    return subprocess.Popen([sys.executable, "-m", "ledgersync", *args], env=os.environ.copy())  # noqa: S603


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    print("ledgersync demo stopped.", flush=True)
