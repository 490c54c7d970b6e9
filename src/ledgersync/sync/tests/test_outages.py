"""The database or the queue goes away while a run is being worked: the run is not failed, it
goes on when the service is back, nothing is sent twice, and a run nobody works says so."""

from __future__ import annotations

import datetime as dt

import pytest
import redis.exceptions
from django.db.utils import OperationalError
from django.utils import timezone

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.models import DocType
from ledgersync.sync import engine, tasks
from ledgersync.sync.models import Attempt, AttemptState, RunState, SyncRun
from ledgersync.sync.recording import RecordingTransport
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.sandbox_view import document_numbers
from ledgersync.sync.tests.test_engine import link_exact, no_sleep, statuses

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_drops_after_the_write(monkeypatch):
    """The package books S1002, and the database goes away before its outcome is written."""
    real = RecordingTransport.handle_request
    dropped = []

    def handle(self, request):
        response = real(self, request)
        if not dropped and request.method != "GET" and b"S1002" in request.content:
            dropped.append(request.url)
            raise OperationalError("server closed the connection unexpectedly")
        return response

    monkeypatch.setattr(RecordingTransport, "handle_request", handle)
    return dropped


def test_a_database_outage_mid_push_interrupts_the_run_and_the_same_worker_resumes_it(
    demo, sandbox, database_drops_after_the_write
):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001", "A1006")
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)

    with pytest.raises(engine.Interrupted) as interrupted:
        engine.step(run.pk)

    assert database_drops_after_the_write
    run.refresh_from_db()
    # Not failed, still held: nobody else takes it while this worker waits for the database.
    assert run.state == RunState.RUNNING
    assert run.lease_token == interrupted.value.token
    assert engine.Lease.claim(run.pk) is None
    in_flight = Attempt.objects.filter(run=run, state=AttemptState.IN_FLIGHT)
    assert in_flight.exists()  # the send left without an outcome, as after a kill -9

    engine.step(run.pk, resume=interrupted.value.token)
    run = engine.run_until_done(run, sleep=no_sleep)

    numbers = document_numbers(sandbox, connection.company_id, "sales_invoice")
    assert (numbers["S1002"], numbers["S1010"]) == (1, 1)
    assert statuses(organisation)["S1002"] == statuses(organisation)["S1010"] == StatusCode.SYNCED
    assert run.state == RunState.FINISHED
    assert not in_flight.exists()


def test_the_worker_waits_for_the_database_then_takes_up_the_step_it_held(
    demo, sandbox, database_drops_after_the_write, monkeypatch
):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001", "A1006")
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    answers = iter([False, False, True])
    looks = []

    def database_answers():
        looks.append(1)
        return next(answers)

    steps = []
    real_step = engine.step

    def step(run_id, **kwargs):
        steps.append(kwargs.get("resume"))
        return real_step(run_id, **kwargs)

    monkeypatch.setattr(tasks, "database_answers", database_answers)
    monkeypatch.setattr(tasks, "OUTAGE_POLL_SECONDS", 0)
    monkeypatch.setattr(engine, "step", step)
    scheduled = []
    monkeypatch.setattr(tasks, "_schedule_through_outages", lambda *a: scheduled.append(a))

    tasks.run_step.call_local(run.pk)

    assert len(looks) == 3  # it looked until the database answered
    assert steps[0] is None and steps[1]  # then resumed under the lease it held
    run.refresh_from_db()
    assert run.state == RunState.RUNNING
    assert scheduled and scheduled[0][0] == run.pk  # and scheduled the next step as usual
    run = engine.run_until_done(run, sleep=no_sleep)
    numbers = document_numbers(sandbox, connection.company_id, "sales_invoice")
    assert (numbers["S1002"], numbers["S1010"]) == (1, 1)


def test_with_the_queue_down_the_next_step_is_scheduled_once_it_is_back(demo, monkeypatch):
    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    tries = []

    def schedule(args, delay):
        tries.append(delay)
        if len(tries) < 3:
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(tasks.run_step, "schedule", schedule)
    monkeypatch.setattr(tasks, "OUTAGE_POLL_SECONDS", 0)

    tasks._schedule_through_outages(run.pk, 5.0)

    assert len(tries) == 3
    assert all(0 <= delay <= 5.0 for delay in tries)


def test_a_run_started_with_the_queue_down_says_so_and_starts_when_it_is_back(demo, monkeypatch):
    organisation, _ = demo
    api = ApiClient(create_key(organisation, "job system")[1])
    real_run_step = tasks.run_step
    started = []

    class Down:
        def __call__(self, run_id):
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(tasks, "run_step", Down())

    answer = api.post("/sync/runs", {"type": "sales_invoice", "auto": True})

    assert answer.status_code == 202
    body = answer.json()
    assert body["state"] == "queued"
    assert body["message"] == body["stalled"] == engine.QUEUE_WAIT
    assert list(engine.waiting_for_queue().values_list("pk", flat=True)) == [body["id"]]

    monkeypatch.setattr(tasks, "run_step", lambda run_id: started.append(run_id))
    assert tasks.start_waiting_runs() == 1
    assert started == [body["id"]]
    assert not engine.waiting_for_queue().exists()  # queued once, not again at every beat
    assert tasks.start_waiting_runs() == 0
    monkeypatch.setattr(tasks, "run_step", real_run_step)


def test_a_run_nobody_works_says_so_in_one_sentence(demo):
    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    now = timezone.now()

    assert engine.stalled_sentence(run, now) == ""  # just queued
    late = engine.stalled_sentence(run, now + dt.timedelta(seconds=45))
    assert late.startswith("No worker has worked this run for 45 seconds")
    assert "`ledgersync worker`" in late and "/readyz" in late

    lease = engine.Lease.claim(run.pk)
    assert lease is not None
    run.refresh_from_db()
    assert engine.stalled_sentence(run, now + dt.timedelta(minutes=4)) == ""  # held, working
    lapsed = engine.stalled_sentence(run, run.lease_until + dt.timedelta(minutes=1))
    assert lapsed.startswith("No worker has worked this run for 6 minutes")

    lease.finish(RunState.FINISHED, "Done.")
    run.refresh_from_db()
    assert engine.stalled_sentence(run, now + dt.timedelta(hours=1)) == ""


def test_the_api_and_the_sync_page_show_the_same_stalled_sentence(demo, client):
    from ledgersync.records.models import Role, User

    organisation, _ = demo
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    SyncRun.objects.filter(pk=run.pk).update(not_before=timezone.now() - dt.timedelta(minutes=3))
    api = ApiClient(create_key(organisation, "job system")[1])
    user = User.objects.create_user(
        username="office", password="x" * 12, organisation=organisation, role=Role.ACCOUNTS
    )
    client.force_login(user)

    sentence = api.get(f"/sync/runs/{run.pk}").json()["stalled"]
    page = client.get(f"/sync/runs/{run.pk}/").content.decode()

    assert sentence.startswith("No worker has worked this run for 3 minutes")
    assert 'id="run-stalled"' in page
    assert sentence in page  # the same words, from engine.stalled_sentence


def test_a_stopping_worker_ends_its_step_after_the_batch_in_flight(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001", "A1006")
    organisation.batch_size = 1
    organisation.save()
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    engine.stopping.set()
    try:
        result = engine.step(run.pk)
    finally:
        engine.stopping.clear()

    run.refresh_from_db()
    assert (result.kind, result.next_in) == (engine.StepKind.AGAIN, 0.0)
    assert run.synced_count == 1  # one batch, then the run was let go for another worker
    assert (run.lease_token, run.lease_until) == ("", None)
    assert engine.run_until_done(run, sleep=no_sleep).synced_count == 2


def test_asking_for_a_read_with_the_queue_down_neither_fails_nor_leaves_it_being_read(
    demo, monkeypatch
):
    from ledgersync.sync import reference
    from ledgersync.sync.models import FetchState, ReferenceCache

    _, connection = demo

    def down(*args):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    down.name = "refresh_reference"
    monkeypatch.setattr(tasks, "refresh_reference", down)
    before = ReferenceCache.objects.get_or_create(connection=connection)[0].state

    assert reference.request_refresh(connection) is True  # the request itself goes through

    state = ReferenceCache.objects.get(connection=connection).state
    assert state == before != FetchState.FETCHING  # not "being read" while nothing reads it
