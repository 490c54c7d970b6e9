"""kill -9 a real worker process in the middle of a push: nothing lost, nothing duplicated."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from django.db import connection as db
from django.utils import timezone

from ledgersync.records.models import DocType
from ledgersync.sync import engine
from ledgersync.sync.models import Attempt, AttemptState, SyncRun
from ledgersync.sync.tests.conftest import inject_fault
from ledgersync.sync.tests.sandbox_view import document_numbers
from ledgersync.sync.tests.test_engine import link_exact, statuses

STEP = (
    "from ledgersync.commands.common import setup_django; setup_django(); "
    "from ledgersync.sync import engine; engine.step({run_id})"
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_push_is_reconciled_on_restart(demo, sandbox, on_postgres):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001", "A1006")
    # Every request is slowed, so the push stays in flight long enough to be seen and killed
    # whichever request the worker makes first (a busy machine starts the worker slowly).
    inject_fault(sandbox, "slow", seconds=1, probability=1.0, path="*")
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    settings_db = db.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/{settings_db['NAME']}",
        f"{sandbox.slug.upper()}_SANDBOX_URL": sandbox.url,
    }
    worker = subprocess.Popen([sys.executable, "-c", STEP.format(run_id=run.pk)], env=env)
    try:
        deadline = time.monotonic() + 90
        while not Attempt.objects.filter(run=run, state=AttemptState.IN_FLIGHT).exists():
            assert time.monotonic() < deadline, "the worker never started a push"
            time.sleep(0.05)
        worker.kill()  # SIGKILL: no cleanup of any kind
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    time.sleep(1.5)  # the package finishes the request it was given
    httpx.delete(f"{sandbox.url}/_sandbox/faults").raise_for_status()
    SyncRun.objects.filter(pk=run.pk).update(lease_until=timezone.now())  # the lease lapses

    run = engine.run_until_done(run, sleep=lambda _s: None)

    numbers = document_numbers(sandbox, connection.company_id, "sales_invoice")
    assert (numbers["S1002"], numbers["S1010"]) == (1, 1)
    assert statuses(organisation)["S1002"] == statuses(organisation)["S1010"] == "SYNCED"
    assert not Attempt.objects.filter(run=run, state=AttemptState.IN_FLIGHT).exists()
