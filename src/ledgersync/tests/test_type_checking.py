"""mypy (with the Django plugin, as pyproject configures it) stays clean on all of src/.

`make test` runs `make typecheck` too; this test keeps a plain pytest run honest as well.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

ROOT = Path(__file__).resolve().parents[3]
CLEAN = ("src/ledgersync/",)


def mypy(*paths: str | Path) -> list[str]:
    """mypy's report lines for ``paths``, run from the repository root with its config."""
    done = subprocess.run(  # noqa: S603 - our own interpreter running mypy on our files
        [sys.executable, "-m", "mypy", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout.splitlines()


def test_src_has_no_mypy_errors():
    report = mypy(*(path.rstrip("/") for path in CLEAN))
    # mypy also reports modules these import; only errors inside the clean areas count here.
    errors = [line for line in report if line.startswith(CLEAN) and ": error:" in line]
    assert errors == []


def test_env_int_with_an_int_default_is_typed_int_so_callers_need_no_none_check(tmp_path):
    snippet = tmp_path / "uses_env_int.py"
    snippet.write_text(
        "from ledgersync.env import env_int\n"
        'reveal_type(env_int("A", 5))\n'
        'reveal_type(env_int("A", 5, minimum=1))\n'
        'reveal_type(env_int("A"))\n'
    )
    revealed = [line.split(": note: ")[1] for line in mypy(snippet) if ": note: " in line]
    assert revealed == [
        'Revealed type is "builtins.int"',
        'Revealed type is "builtins.int"',
        'Revealed type is "builtins.int | None"',
    ]
