from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_sync.py"


def test_the_sync_benchmark_runs_on_a_tiny_input(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH), "--documents", "6", "--batch-size", "5"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert (figures["documents"], figures["synced"]) == (6, 6)
    assert 0 < figures["api_calls_per_document"] < 3
