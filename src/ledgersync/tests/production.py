"""The pieces of a production machine, for the smoke test: the wheel in a fresh virtual
environment, a self-signed certificate, and ledgersync's processes with their logs."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def build_wheel(work: Path) -> Path:
    """The wheel, built from a copy so a stale build/ or egg-info in the checkout cannot leak
    in."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    junk = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", source / "src", ignore=junk)
    out = work / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("ledgersync-*.whl")
    return wheel


def install_wheel(work: Path, wheel: Path) -> Path:
    """A new virtual environment holding the wheel; returns its ``bin``.

    The wheel goes in without its dependencies (no download, and the very versions the suite
    runs on): they are read from this test environment's site-packages through a ``.pth`` line, whose
    own ``.pth`` files (the checkout's editable install among them) are not run, so
    ``ledgersync`` itself can only come from the wheel."""
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check"]
        + [str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv / "bin"


def self_signed(work: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = work / "cert.pem", work / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str, every: float = 0.2, explain=None):
    """Poll ``condition`` until it returns something true; fail naming ``what``, followed by
    what ``explain()`` says (the processes' logs), read only then."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            detail = f"\n{explain()}" if explain is not None else ""
            raise AssertionError(f"not within {timeout:.0f} s: {what}{detail}")
        time.sleep(every)


class Processes:
    """ledgersync's commands as the deployment runs them, each logging to its own file."""

    def __init__(self, work: Path, bin_dir: Path, env: dict[str, str]) -> None:
        self.work, self.bin, self.env = work, bin_dir, env
        self.running: dict[str, subprocess.Popen] = {}

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / "ledgersync"), *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=self.work,
        )

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.work / f"{name}.log").open("w")
        process = subprocess.Popen(
            [str(self.bin / "ledgersync"), *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.work,
        )
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text()

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)[-3000:]}" for name in self.running)

    def terminate(self, name: str, timeout: float = 30) -> float:
        """SIGTERM, as systemd and containers send; the seconds it took to exit."""
        process = self.running[name]
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout)
        return time.monotonic() - started

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(35)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def clean_environment() -> dict[str, str]:
    """This process's environment without any ledgersync or provider setting."""
    own = ("LEDGERSYNC_", "DATABASE_", "QUICKBOOKS_", "XERO_", "SAGE_", "DJANGO_", "SECRET_KEY")
    own += ("ALLOWED_HOSTS", "DEFAULT_FROM_EMAIL", "PYTHONPATH")
    return {k: v for k, v in os.environ.items() if not k.startswith(own)}
