"""Someone edits a document while a run is sending it (issue #12, part 2).

The QuickBooks sandbox's ``slow`` fault is put on ``/batch``; a stand-in for the sandbox's
sleeper holds the slow call that the test picks until the test has made its edit through
the web or the API, with the run working in another thread. Whatever the moment, the
package ends with exactly what ledgersync shows, or the document says it differs: never
"SYNCED, package differs, no mismatch".
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection as db_connection
from django.db import transaction

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.records.models import Document, Role
from ledgersync.records.services import DocumentLocked, LockReason
from ledgersync.records.tests.factories import make_user
from ledgersync.sync import engine
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.fingerprint import fingerprint, reread
from ledgersync.sync.models import Attempt, AttemptState, DocumentState, RunState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import inject_fault
from ledgersync.sync.tests.test_engine import link_exact
from ledgersync.sync.tests.test_step_protocol import mark_only

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True),
]

NUMBER = "S1002"  # 95.00 + 2 x 18.50 net, at 20 %: 158.40 gross
WAIT = 20.0  # seconds any one side waits for the other before the test gives up


class HeldCall:
    """Stands in for the sandbox's sleeper: the first slow call for which ``when()`` holds
    waits until the test lets it go, so the edit lands at a known point of the run."""

    def __init__(self, when: Callable[[], bool]) -> None:
        self.when = when
        self.holding = threading.Event()
        self.released = threading.Event()

    def sleep(self, _seconds: float) -> None:
        if self.holding.is_set():
            return
        try:
            hold = self.when()
        finally:
            db_connection.close()  # the sandbox's thread must not keep a connection open
        if hold:
            self.holding.set()
            self.released.wait(WAIT)

    def wake_all(self) -> None:
        self.released.set()


def in_flight(document: Document) -> Callable[[], bool]:
    return Attempt.objects.filter(document=document, state=AttemptState.IN_FLIGHT).exists


def first_call() -> bool:
    return True


@pytest.fixture
def prepared(demo, sandbox, monkeypatch):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001")
    mark_only(organisation, NUMBER)
    inject_fault(sandbox, "slow", path="/batch", probability=1.0)
    return organisation, connection, Document.objects.get(number=NUMBER)


def run_in_thread(organisation) -> tuple[threading.Thread, list]:
    run = engine.start_run(organisation, engine.DocType.SALES_INVOICE)
    ended: list = []

    def work() -> None:
        try:
            ended.append(engine.run_until_done(run, sleep=lambda _s: None, max_steps=20))
        except BaseException as exc:  # reported by the test
            ended.append(exc)
        finally:
            db_connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    return thread, ended


def hold(sandbox, monkeypatch, when: Callable[[], bool]) -> HeldCall:
    held = HeldCall(when)
    monkeypatch.setattr(sandbox.app, "sleeper", held)
    return held


def finish(thread: threading.Thread, ended: list, held: HeldCall):
    held.released.set()
    thread.join(WAIT)
    assert not thread.is_alive()
    (run,) = ended
    assert not isinstance(run, BaseException), run
    return run


def in_package(connection, number: str) -> Decimal | None:
    found = connector_for_connection(connection).find_document(
        RemoteDocType.SALES_INVOICE, number, None
    )
    return found.total if found else None


def web_client(client, organisation):
    client.force_login(make_user(organisation, Role.ACCOUNTS))
    return client


def web_edit(client, document: Document, price: str):
    return client.post(
        f"/documents/{document.pk}/edit/",
        {
            "account": document.account_id,
            "issue_date": str(document.issue_date),
            "currency": "GBP",
            "reference": "changed",
            "line_count": "1",
            "lines-0-text": "Annual gas safety check",
            "lines-0-quantity": "1",
            "lines-0-unit_price": price,
            "lines-0-nominal": "4000",
        },
    )


def api_edit(organisation, document: Document, price: str):
    api = ApiClient(create_key(organisation, "job system")[1])
    lines = [{"text": "Annual gas safety check", "unit_price": price, "nominal": "4000"}]
    return api.patch(f"/documents/{document.pk}", {"lines": lines})


def shown(document: Document) -> tuple:
    document = Document.objects.get(pk=document.pk)
    state = DocumentState.objects.get(document=document)
    return state.status_code, document.gross_total, state.mismatch


@pytest.mark.parametrize("path", ["web", "api"])
def test_an_edit_while_the_run_checks_is_what_is_sent(prepared, sandbox, monkeypatch, client, path):
    organisation, connection, document = prepared
    held = hold(sandbox, monkeypatch, first_call)  # the checks' reference-data batch
    thread, ended = run_in_thread(organisation)
    assert held.holding.wait(WAIT)

    if path == "web":
        answer = web_edit(web_client(client, organisation), document, "250.00")
        assert answer.status_code == 302
    else:
        answer = api_edit(organisation, document, "250.00")
        assert answer.status_code == 200

    run = finish(thread, ended, held)
    assert (run.state, run.synced_count) == (RunState.FINISHED, 1)
    assert shown(document) == (StatusCode.SYNCED, Decimal("300.00"), "")
    assert in_package(connection, NUMBER) == Decimal("300.00")


@pytest.mark.parametrize("path", ["web", "api"])
def test_an_edit_while_the_push_is_unanswered_is_refused_in_the_packages_name(
    prepared, sandbox, monkeypatch, client, path
):
    organisation, connection, document = prepared
    held = hold(sandbox, monkeypatch, in_flight(document))  # the push itself
    thread, ended = run_in_thread(organisation)
    assert held.holding.wait(WAIT)
    expected = DocumentLocked(document, LockReason.IN_FLIGHT, provider="QuickBooks").message

    if path == "web":
        answer = web_edit(web_client(client, organisation), document, "250.00")
        said = [str(m) for m in get_messages(answer.wsgi_request)]
        assert (answer.status_code, said) == (302, [expected])
    else:
        answer = api_edit(organisation, document, "250.00")
        error = answer.json()["error"]
        assert (answer.status_code, error["code"], error["message"]) == (
            409,
            "sync_in_progress",
            expected,
        )

    run = finish(thread, ended, held)
    assert (run.state, run.synced_count) == (RunState.FINISHED, 1)
    assert expected == "Sales Invoice S1002 is being sent to QuickBooks; try again in a moment."
    assert shown(document) == (StatusCode.SYNCED, Decimal("158.40"), "")
    assert in_package(connection, NUMBER) == Decimal("158.40")


# -- edits that go around the lock (the admin, a script): never silently SYNCED ---------------


def edit_around_the_lock(document: Document, *, price: str = "", reference: str = "") -> None:
    """What the Django admin or a shell script does: save the rows, no service, no lock."""
    if price:
        line = document.lines.order_by("position").first()
        line.unit_price = Decimal(price)
        line.save()
    if reference:
        Document.objects.filter(pk=document.pk).update(reference=reference)


def test_an_edit_around_the_lock_during_the_push_leaves_a_visible_mismatch(
    prepared, sandbox, monkeypatch
):
    organisation, connection, document = prepared
    held = hold(sandbox, monkeypatch, in_flight(document))
    thread, ended = run_in_thread(organisation)
    assert held.holding.wait(WAIT)

    edit_around_the_lock(document, price="195.00")  # 195 + 37 net: 278.40 gross

    run = finish(thread, ended, held)
    assert run.synced_count == 1
    assert shown(document) == (
        StatusCode.SYNCED,
        Decimal("278.40"),
        "changed since it was sent to QuickBooks: "
        "QuickBooks has the total 158.40, ledgersync 278.40",
    )
    assert in_package(connection, NUMBER) == Decimal("158.40")


def test_an_unanswered_send_adopted_after_an_edit_around_the_lock_says_it_changed(
    prepared, sandbox, monkeypatch
):
    organisation, connection, document = prepared
    monkeypatch.setattr(sandbox.app, "sleeper", HeldCall(lambda: False))
    run = engine.run_until_done(engine.start_run(organisation, engine.DocType.SALES_INVOICE))
    assert run.synced_count == 1
    # The answer was lost: ledgersync knows only that it sent it (UNCERTAIN).
    Attempt.objects.filter(document=document).update(state=AttemptState.UNCERTAIN)
    DocumentState.objects.filter(document=document).delete()
    edit_around_the_lock(document, reference="changed by a script")

    run = engine.run_until_done(engine.start_run(organisation, engine.DocType.SALES_INVOICE))

    assert run.synced_count == 1
    assert shown(document) == (
        StatusCode.SYNCED,
        Decimal("158.40"),
        "changed since it was sent to QuickBooks: "
        "its details were edited here while it was being sent",
    )
    assert Attempt.objects.get(document=document).state == AttemptState.ADOPTED


def test_the_attempt_keeps_the_fingerprint_of_what_was_sent(prepared, sandbox, monkeypatch):
    organisation, _, document = prepared
    monkeypatch.setattr(sandbox.app, "sleeper", HeldCall(lambda: False))

    engine.run_until_done(engine.start_run(organisation, engine.DocType.SALES_INVOICE))

    attempt = Attempt.objects.get(document=document)
    assert (attempt.state, attempt.fingerprint) == (
        AttemptState.SUCCEEDED,
        fingerprint(reread(document)),
    )


# -- PostgreSQL: the push waits for an edit that holds the row -------------------------------


@pytest.mark.postgres
def test_the_push_waits_for_an_edit_holding_the_row_and_sends_the_edit(
    on_postgres, prepared, sandbox, monkeypatch
):
    organisation, connection, document = prepared
    held = hold(sandbox, monkeypatch, first_call)
    thread, ended = run_in_thread(organisation)
    assert held.holding.wait(WAIT)

    with transaction.atomic():  # an edit in progress: it holds the row as every change does
        Document.objects.select_for_update().get(pk=document.pk)
        edit_around_the_lock(document, price="250.00")  # 250 + 37 net: 344.40 gross
        held.released.set()
        time.sleep(1.0)  # the run reaches its push and must wait for this row
        assert not Attempt.objects.filter(document=document).exists()

    run = finish(thread, ended, held)
    assert run.synced_count == 1
    assert shown(document) == (StatusCode.SYNCED, Decimal("344.40"), "")
    assert in_package(connection, NUMBER) == Decimal("344.40")


def test_a_repeat_edited_during_its_checks_is_looked_up_again_and_sent_under_its_key(
    prepared, sandbox, monkeypatch
):
    organisation, connection, document = prepared
    key = str(uuid.uuid4())
    Attempt.objects.create(  # a send whose answer never came, that never reached the package
        organisation=organisation,
        document=document,
        provider=connection.provider,
        company_id=connection.company_id,
        idempotency_key=key,
        number=NUMBER,
        state=AttemptState.UNCERTAIN,
        fingerprint=fingerprint(reread(document)),
    )
    held = hold(sandbox, monkeypatch, first_call)  # after the look-up, during the checks
    thread, ended = run_in_thread(organisation)
    assert held.holding.wait(WAIT)

    assert api_edit(organisation, document, "250.00").status_code == 200

    run = finish(thread, ended, held)
    assert run.synced_count == 1
    assert shown(document) == (StatusCode.SYNCED, Decimal("300.00"), "")
    assert in_package(connection, NUMBER) == Decimal("300.00")
    sent = Attempt.objects.get(document=document, state=AttemptState.SUCCEEDED)
    assert sent.idempotency_key == key
