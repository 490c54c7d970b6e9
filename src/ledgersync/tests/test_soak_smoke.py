"""CI's smoke run of benchmarks/soak.py: tiny input, one kill -9, and all four counts 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[3] / "benchmarks" / "soak.py"
COUNTS = ("duplicates", "lost", "silent_divergences", "false_relinks")


@pytest.mark.postgres
@pytest.mark.redis
def test_the_soak_ends_with_no_duplicate_loss_divergence_or_false_relink(tmp_path):
    queue = os.environ.get("LEDGERSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
    argv = [sys.executable, str(SOAK), "--documents", "10", "--minutes", "1.5"]
    argv += ["--kill-every", "4", "--max-kills", "1", "--min-kills", "1", "--base-port", "0"]
    argv += ["--database", "postgres://postgres@127.0.0.1:5432/soak_ci_smoke", "--queue", queue]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=150, cwd=tmp_path)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert {k: figures["counts"][k] for k in COUNTS} == dict.fromkeys(COUNTS, 0)
    counts = figures["counts"]
    assert (counts["documents"], counts["waiting"], figures["kills"]) == (30, 0, 1)
    assert result.returncode == 0, result.stderr[-2000:]
