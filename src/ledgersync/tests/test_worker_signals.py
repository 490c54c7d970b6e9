"""`ledgersync worker` stops gracefully on SIGTERM (what systemd and containers send)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def test_sigterm_stops_the_worker_gracefully_within_30_seconds(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGERSYNC_", "DATABASE_"))}
    env.update({"LEDGERSYNC_VAR_DIR": str(tmp_path), "SECRET_KEY": "s" * 50})
    run = [sys.executable, "-m", "ledgersync"]
    subprocess.run([*run, "migrate", "--verbosity", "0"], env=env, check=True, timeout=120)
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([*run, "worker"], env=env, stdout=out, stderr=out)
        try:
            deadline = time.time() + 60
            while "executed in" not in log.read_text() and time.time() < deadline:
                time.sleep(0.2)  # wait until it is really working jobs
            worker.send_signal(signal.SIGTERM)
            started = time.time()
            code = worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    text = log.read_text()
    assert code == 0, text
    assert time.time() - started < 30
    assert "Shutting down gracefully" in text
    assert "All workers have stopped" in text
    assert "Traceback" not in text
