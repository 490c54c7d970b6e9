"""CI's smoke run of benchmarks/soak.py: tiny input, one kill -9, and all four counts 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SOAK = Path(__file__).resolve().parents[3] / "benchmarks" / "soak.py"
COUNTS = ("duplicates", "lost", "silent_divergences", "false_relinks")


@pytest.mark.postgres
@pytest.mark.redis
def test_the_soak_ends_with_no_duplicate_loss_divergence_or_false_relink(tmp_path):
    # The soak empties its queue database first, so it gets one of its own: the test server's,
    # database 14 (the rest of the suite uses LEDGERSYNC_TEST_REDIS_URL's database).
    server = urlsplit(os.environ.get("LEDGERSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    queue = urlunsplit(server._replace(path="/14"))
    # The soak stops as soon as every document has settled; the limit is slack for a busy CI
    # machine (the suite runs beside it), not the expected length.
    argv = [sys.executable, str(SOAK), "--documents", "10", "--minutes", "4"]
    argv += ["--kill-every", "4", "--max-kills", "1", "--min-kills", "1", "--base-port", "0"]
    argv += ["--database", "postgres://postgres@127.0.0.1:5432/soak_ci_smoke", "--queue", queue]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=330, cwd=tmp_path)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert {k: figures["counts"][k] for k in COUNTS} == dict.fromkeys(COUNTS, 0)
    counts = figures["counts"]
    assert (counts["documents"], counts["waiting"], figures["kills"]) == (30, 0, 1)
    assert result.returncode == 0, result.stderr[-2000:]
