"""What the type checker proves about the settings helpers.

`make typecheck` (part of `make test`) keeps all of src/ clean under mypy with the Django
plugin; this checks that the types it relies on say what callers need.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


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
