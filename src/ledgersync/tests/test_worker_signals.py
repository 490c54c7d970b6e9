"""`ledgersync worker` stops gracefully on SIGTERM (what systemd and containers send) and on
SIGINT (Ctrl-C), and keeps its log readable while the queue is down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

RUN = [sys.executable, "-m", "ledgersync"]


def migrated(tmp_path) -> dict[str, str]:
    """The environment of a worker on its own embedded database, migrated."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGERSYNC_", "DATABASE_"))}
    env.update({"LEDGERSYNC_VAR_DIR": str(tmp_path), "SECRET_KEY": "s" * 50})
    subprocess.run([*RUN, "migrate", "--verbosity", "0"], env=env, check=True, timeout=120)
    return env


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_stops_the_worker_gracefully_within_30_seconds(tmp_path, signum):
    env = migrated(tmp_path)
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([*RUN, "worker"], env=env, stdout=out, stderr=out)
        try:
            deadline = time.time() + 60
            while "executed in" not in log.read_text() and time.time() < deadline:
                time.sleep(0.2)  # wait until it is really working jobs
            worker.send_signal(signum)
            started = time.time()
            code = worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    text = log.read_text()
    assert code == 0, text
    assert time.time() - started < 30
    assert f"Received {signum.name}" in text
    assert "Shutting down gracefully" in text
    assert "All workers have stopped" in text
    assert "Traceback" not in text


def test_a_worker_with_the_queue_down_logs_one_line_per_kind_not_a_traceback_storm(tmp_path):
    """Redis unreachable: Huey's consumer fails to read the queue several times a second per
    thread; the log says so once per kind per minute, each time in one line."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = migrated(tmp_path)
    env["LEDGERSYNC_QUEUE_URL"] = f"redis://127.0.0.1:{port}/0"
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([*RUN, "worker"], env=env, stdout=out, stderr=out)
        try:
            deadline = time.time() + 60
            while "unreachable" not in log.read_text() and time.time() < deadline:
                time.sleep(0.2)
            time.sleep(8)  # long enough for hundreds of failed reads
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    text = log.read_text()
    outage_lines = [line for line in text.splitlines() if "unreachable" in line]
    assert "Traceback" not in text, text[:3000]
    assert outage_lines, text[:3000]
    assert len(outage_lines) <= 6, "\n".join(outage_lines)
    assert all("the queue is unreachable (ConnectionError" in line for line in outage_lines)
