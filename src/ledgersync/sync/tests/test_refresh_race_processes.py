"""Six real processes refreshing one connection at once, locked and unlocked mixed, against a
sandbox on a loopback socket that rotates every refresh token and kills the old one at once."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections as databases
from django.utils import timezone

from ledgersync.providers.base import AuthError
from ledgersync.providers.registry import get_connector_class
from ledgersync.sync import connections
from ledgersync.sync.models import Connection, ConnectionStatus
from ledgersync.sync.tests.conftest import strict_rotation

PROCESSES = 6
ROUNDS = 4
START_WAIT = 30.0  # seconds the processes wait for each other before the test gives up


def refresh_rounds(pk: int, mode: str, start, results) -> None:
    """One process: ``ROUNDS`` refreshes, all processes starting together. "locked" is a
    run's start, a web request or keep-alive (refresh_if_due); "connector" a connector that
    finds its token about to lapse and refreshes on its own, mid-request."""
    refused = []
    try:
        start.wait(START_WAIT)
        for _ in range(ROUNDS):
            connection = Connection.objects.get(pk=pk)
            try:
                if mode == "locked":
                    connections.refresh_if_due(connection, force=True)
                else:
                    connection.access_expires_at = timezone.now()
                    connections.connector_for_connection(connection, fresh=False).company()
            except AuthError as exc:
                refused.append(exc.message)
    finally:
        results.put(refused)
        databases.close_all()


def run_together(connection: Connection, sandbox) -> list[str]:
    """Fork the processes (Django is set up already, so they start in milliseconds), run
    their rounds at once and return every refusal they met."""
    get_connector_class(sandbox.slug)  # imported once, before the fork
    databases.close_all()  # each child opens its own; an inherited socket must not be shared
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(PROCESSES), context.Queue()
    modes = ["locked", "connector"] * (PROCESSES // 2)
    workers = [
        context.Process(target=refresh_rounds, args=(connection.pk, mode, start, results))
        for mode in modes
    ]
    for worker in workers:
        worker.start()
    try:
        refused = [m for _ in workers for m in results.get(timeout=START_WAIT + 30)]
        for worker in workers:
            worker.join(timeout=10)
            assert worker.exitcode == 0
        return refused
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_processes_refreshing_one_connection_never_mark_it_for_relinking(
    demo, sandbox, on_postgres
):
    _, connection = demo
    strict_rotation(sandbox)

    refused = run_together(connection, sandbox)

    row = Connection.objects.get(pk=connection.pk)
    assert (refused, row.status, row.status_detail) == ([], ConnectionStatus.CONNECTED, "")
    connections.connector_for_connection(row, fresh=False).company()  # the stored tokens work
    assert connections.refresh_if_due(row, force=True).status == ConnectionStatus.CONNECTED
