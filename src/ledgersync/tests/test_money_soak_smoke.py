"""The money soak (benchmarks/money_soak.py) on a tiny input: three sandbox processes, every
document found in its package with ledgersync's total, VAT and net."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).resolve().parents[3] / "benchmarks" / "money_soak.py"


def test_the_money_soak_runs_on_a_tiny_input_and_finds_no_mismatch(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SOAK), "--documents", "8", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-2000:])
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for slug, provider in figures["providers"].items():
        assert (provider["tried"], provider["matching_in_package"], provider["synced"]) == (
            8,
            8,
            8,
        ), slug
