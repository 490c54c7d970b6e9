"""The second look (sync/late_copies.py): once a late write can no longer land, an extra
copy of a re-sent document is found by number and removed, audited, or left for a person."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.records.models import DocType, Document
from ledgersync.sync import engine, late_copies, mismatches
from ledgersync.sync.batch import BatchWork
from ledgersync.sync.checks import Checker, links_for
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import Attempt, AttemptState, AuditEvent, DocumentState, SyncRun
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import inject_fault
from ledgersync.sync.tests.sandbox_view import document_numbers
from ledgersync.sync.tests.test_engine import link_exact, no_sleep, statuses, sync_all
from ledgersync.sync.tests.test_late_write import (
    BILLS,
    add_bills,
    allow_repeated_bill_numbers,
    hold_the_first_push,
    land_late_writes,
)

pytestmark = pytest.mark.django_db(transaction=True)


def synced_bill(organisation, connection, sandbox, number="AAA-1"):
    allow_repeated_bill_numbers(sandbox)
    link_exact(organisation, connection, "P2001")
    add_bills(organisation, number)
    sync_all(organisation, DocType.SUPPLIER_INVOICE)
    assert statuses(organisation, DocType.SUPPLIER_INVOICE)[number] == StatusCode.SYNCED
    return Document.objects.get(number=number), Attempt.objects.get(
        document__number=number, state=AttemptState.SUCCEEDED
    )


def second_copy(connection, document):
    """The late original, landed: the same bill under another key, behind the engine."""
    connector = connector_for_connection(connection)
    run = SyncRun.objects.filter(organisation=document.organisation).latest("pk")
    work = BatchWork(
        run,
        connector,
        Checker(connector, connection),
        engine.RecordingTransport(),
        renew=lambda: None,
    )
    work.links = links_for(connection, [document.party])
    outbound = dataclasses.replace(work._outbound(document), idempotency_key=str(uuid.uuid4()))
    if connection.provider == "sage":  # its push refuses a number it holds; send it anyway
        bodies = connector._prepare_all([outbound])[1]
        result = connector._send([outbound], bodies)[0]
    else:
        result = connector.push([outbound])[0]
    assert result.ok, result.error
    return result.remote


def due_now(attempt):
    Attempt.objects.filter(pk=attempt.pk).update(
        recheck_after=timezone.now() - dt.timedelta(seconds=1)
    )


def test_an_extra_copy_is_removed_at_the_recheck_and_audited(demo, sandbox):
    organisation, connection = demo
    document, attempt = synced_bill(organisation, connection, sandbox)
    extra = second_copy(connection, document)
    assert document_numbers(sandbox, connection.company_id, "supplier_invoice")["AAA-1"] == 2
    due_now(attempt)

    looked = late_copies.recheck_due(connection, connector_for_connection(connection))

    assert looked == 1
    assert document_numbers(sandbox, connection.company_id, "supplier_invoice")["AAA-1"] == 1
    kept = connector_for_connection(connection).find_documents(
        RemoteDocType.SUPPLIER_INVOICE, "AAA-1", attempt.contact_id
    )
    assert [c.remote_id for c in kept] == [attempt.remote_id]
    events = AuditEvent.objects.filter(action=late_copies.REMOVED)
    assert [e.detail for e in events] == [
        f"AAA-1: {connector_for_connection(connection).capabilities.display_name} copy "
        f"{extra.remote_id} ({extra.total}) removed; an unanswered send landed late."
    ]
    assert Attempt.objects.get(pk=attempt.pk).recheck_after is None
    assert DocumentState.objects.get(document=document).mismatch == ""


def test_a_recheck_not_yet_due_touches_nothing(demo, sandbox):
    organisation, connection = demo
    document, attempt = synced_bill(organisation, connection, sandbox)
    second_copy(connection, document)
    Attempt.objects.filter(pk=attempt.pk).update(
        recheck_after=timezone.now() + dt.timedelta(minutes=5)
    )

    assert late_copies.recheck_due(connection, connector_for_connection(connection)) == 0
    assert document_numbers(sandbox, connection.company_id, "supplier_invoice")["AAA-1"] == 2


def test_a_copy_with_a_payment_is_left_and_waits_for_a_person_then_check_again_syncs(
    demo, sandbox, monkeypatch
):
    organisation, connection = demo
    document, attempt = synced_bill(organisation, connection, sandbox)
    extra = second_copy(connection, document)
    connector = connector_for_connection(connection)
    real_find = type(connector).find_documents

    def paid(self, *args):
        return [
            dataclasses.replace(c, balance=Decimal("0")) if c.remote_id == extra.remote_id else c
            for c in real_find(self, *args)
        ]

    monkeypatch.setattr(type(connector), "find_documents", paid)
    due_now(attempt)

    late_copies.recheck_due(connection, connector)

    name = connector.capabilities.display_name
    assert document_numbers(sandbox, connection.company_id, "supplier_invoice")["AAA-1"] == 2
    state = DocumentState.objects.get(document=document)
    # Not SYNCED: the package holds it twice, and a person must remove one. Never sent again.
    assert state.status_code == StatusCode.EXTRA_COPY
    assert state.holds_remote_copy and not state.is_synced
    assert state.message == (
        f"{name} holds another copy of AAA-1 (id {extra.remote_id}) that ledgersync could not "
        f"remove (a payment or credit is allocated to it): remove it in {name}, then press "
        "Check again."
    )
    assert AuditEvent.objects.filter(action=late_copies.LEFT).count() == 1

    # Check again while the copy is still there: still EXTRA_COPY, nothing removed.
    still = mismatches.check_again(document, connection, connector)
    assert (still.status_code, still.message) == (StatusCode.EXTRA_COPY, state.message)

    # The office removes the extra copy in the package, then presses Check again.
    monkeypatch.setattr(type(connector), "find_documents", real_find)
    connector.void_document(extra)
    done = mismatches.check_again(document, connection, connector)
    assert done.status_code == StatusCode.SYNCED
    assert done.remote_id == attempt.remote_id
    assert AuditEvent.objects.filter(action=late_copies.GONE).count() == 1
    with pytest.raises(mismatches.NotAMismatch):
        mismatches.check_again(document, connection, connector)


def test_a_busy_package_leaves_the_recheck_due(demo, sandbox):
    organisation, connection = demo
    document, attempt = synced_bill(organisation, connection, sandbox)
    due_now(attempt)
    inject_fault(sandbox, "error", count=10)

    assert late_copies.recheck_due(connection, connector_for_connection(connection)) == 0

    assert Attempt.objects.get(pk=attempt.pk).recheck_after is not None
    httpx.delete(f"{sandbox.url}/_sandbox/faults").raise_for_status()


def test_the_periodic_task_rechecks_every_connection_with_one_due(demo, sandbox):
    organisation, connection = demo
    document, attempt = synced_bill(organisation, connection, sandbox)
    second_copy(connection, document)
    due_now(attempt)

    assert late_copies.recheck_all() == 1

    assert document_numbers(sandbox, connection.company_id, "supplier_invoice")["AAA-1"] == 1


def test_a_late_original_after_the_replay_window_is_removed_at_the_recheck(
    demo, sandbox, monkeypatch
):
    """Past the provider's replay window a resend goes out alone (a repeat would be new
    anyway); when the held original then lands, the second look removes it. (A one-minute
    window stands in for each provider's own, which QuickBooks does not document.)"""
    organisation, connection = demo
    connector_class = type(connector_for_connection(connection))
    window = 60
    short = dataclasses.replace(connector_class.capabilities, replay_window_seconds=window)
    monkeypatch.setattr(connector_class, "capabilities", short)
    allow_repeated_bill_numbers(sandbox)
    link_exact(organisation, connection, "P2001")
    add_bills(organisation, *BILLS)
    pushes = hold_the_first_push(sandbox, connection, monkeypatch)
    run = engine.start_run(organisation, DocType.SUPPLIER_INVOICE, auto=True)
    engine.step(run.pk)
    # The held request: the three bills and the demo's BMD-6010, ready to go with them.
    held = pushes[0]
    assert held == [*BILLS, "BMD-6010"]
    Attempt.objects.filter(document__number__in=held).update(
        started_at=timezone.now() - dt.timedelta(seconds=window * 2)
    )
    engine.run_until_done(run, sleep=no_sleep, max_steps=50)
    land_late_writes(sandbox)
    numbers = document_numbers(sandbox, connection.company_id, "supplier_invoice")
    copies_before = [numbers[n] for n in held]
    due = Attempt.objects.filter(recheck_after__isnull=False)
    assert sorted(due.values_list("number", flat=True)) == sorted(held)  # each went alone
    due.update(recheck_after=timezone.now() - dt.timedelta(seconds=1))

    late_copies.recheck_due(connection, connector_for_connection(connection))

    numbers = document_numbers(sandbox, connection.company_id, "supplier_invoice")
    assert [numbers[n] for n in held] == [1] * len(held)
    removed = AuditEvent.objects.filter(action=late_copies.REMOVED).count()
    assert removed == sum(copies_before) - len(held)


def test_a_document_is_sent_once_when_its_request_mates_are_past_the_replay_window(
    demo, sandbox, monkeypatch
):
    """A request whose documents' sends are not all within the replay window is not sent
    again whole: each document goes alone, once, never both alone and with the request.
    (Only the bills' sends are made old; BMD-6010 travelled in the same request.)"""
    organisation, connection = demo
    connector_class = type(connector_for_connection(connection))
    window = 60
    short = dataclasses.replace(connector_class.capabilities, replay_window_seconds=window)
    monkeypatch.setattr(connector_class, "capabilities", short)
    allow_repeated_bill_numbers(sandbox)
    link_exact(organisation, connection, "P2001")
    add_bills(organisation, *BILLS)
    pushes = hold_the_first_push(sandbox, connection, monkeypatch)
    run = engine.start_run(organisation, DocType.SUPPLIER_INVOICE, auto=True)
    engine.step(run.pk)
    assert pushes[0] == [*BILLS, "BMD-6010"]
    Attempt.objects.filter(document__number__in=BILLS).update(
        started_at=timezone.now() - dt.timedelta(seconds=window * 2)
    )

    engine.run_until_done(run, sleep=no_sleep, max_steps=50)

    assert pushes[1:] == [[n] for n in pushes[0]]
    succeeded = Attempt.objects.filter(state=AttemptState.SUCCEEDED)
    assert sorted(succeeded.values_list("number", flat=True)) == sorted(pushes[0])
