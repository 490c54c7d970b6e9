"""Each engine protocol rule lives in one module: a second copy elsewhere fails here.

What a run tried (RunDocument's rounds, DONE_WITH) is read and written only in sync/models.py, the idle poll delay
only in sync/engine.py, steps are looped only by the engine's runner and the Huey task, and
no run trigger is a bare string.
"""

from __future__ import annotations

import re
from pathlib import Path

from ledgersync.sync.models import SyncRun

PACKAGE = Path(__file__).resolve().parents[2]


def sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path.relative_to(PACKAGE).as_posix(), path.read_text()


def modules_matching(pattern: str) -> list[str]:
    return [name for name, text in sources() if re.search(pattern, text)]


def test_only_the_run_model_reads_or_writes_what_a_run_tried_directly():
    assert modules_matching(r"\bRunDocument\b|\bDONE_WITH\b") == ["sync/models.py"]


def test_only_the_engine_knows_the_idle_poll_delay():
    assert modules_matching(r"IDLE_POLL_SECONDS") == ["sync/engine.py"]


def test_only_the_runner_and_the_worker_task_call_step():
    assert modules_matching(r"\bstep\(") == ["sync/engine.py", "sync/tasks.py"]


def test_no_trigger_is_a_bare_string():
    assert modules_matching(r"trigger\s*=\s*[\"']") == []


def test_a_document_done_with_stays_done_whatever_rounds_follow():
    run = SyncRun()  # unsaved: its rounds are in memory until Lease.save writes them
    run.count_round(7)
    run.count_round(7)
    run.done_with(8)
    run.count_round(8)
    assert (run.rounds(7), run.rounds(8), run.is_done_with(8), run.is_done_with(7)) == (
        2,
        0,
        True,
        False,
    )
    assert run.open_ids() == [7]


def test_settled_means_done_with_or_out_of_rounds_and_open_means_not_done_with():
    run = SyncRun()
    run.done_with(1)
    for _ in range(5):
        run.count_round(2)
    run.count_round(3)
    assert (run.settled_ids(5), run.open_ids(), run.tried_ids()) == ({1, 2}, [2, 3], [1, 2, 3])
