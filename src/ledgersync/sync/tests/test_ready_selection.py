"""Sync sends the first documents that are ready; the blocked keep their reasons; when
nothing is ready, Sync says so and names the first fix. One provider is enough: which
documents go does not depend on the package."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ledgersync.records.models import DocType, Document
from ledgersync.records.services import create_document
from ledgersync.sync import assess, engine, reference
from ledgersync.sync.models import (
    AccsIdLink,
    Attempt,
    AttemptState,
    DocumentState,
    RunState,
    SyncRun,
)
from ledgersync.sync.status import NOT_SENT_MESSAGE, StatusCode
from ledgersync.sync.tests.test_engine import link_exact, no_sleep, statuses

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True),
]


def invoices(organisation, numbers, *, sent=True):
    """Fresh sales invoices for Harbour Cafe (linked by the caller), marked for sync."""
    made = []
    for number in numbers:
        document = create_document(
            organisation,
            {
                "type": "sales_invoice",
                "number": number,
                "account": "A1001",
                "lines": [{"text": "Work", "unit_price": "10.00", "nominal": "4000"}],
            },
        )
        Document.objects.filter(pk=document.pk).update(
            marked_for_sync=True, sent_at=timezone.now() if sent else None
        )
        made.append(Document.objects.get(pk=document.pk))
    return made


@pytest.fixture
def queue_of_twelve(demo):
    """T001-T005 not sent (blocked), T006-T012 ready; nothing else queued."""
    organisation, connection = demo
    link_exact(organisation, connection, "A1001")
    Document.objects.filter(organisation=organisation).delete()
    blocked = invoices(organisation, [f"T{n:03d}" for n in range(1, 6)], sent=False)
    ready = invoices(organisation, [f"T{n:03d}" for n in range(6, 13)])
    return organisation, connection, blocked, ready


def sync(organisation, auto=False):
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=auto)
    return engine.run_until_done(run, sleep=no_sleep, max_steps=50)


def test_sync_sends_the_first_five_ready_after_the_blocked_ones(queue_of_twelve):
    organisation, connection, blocked, _ = queue_of_twelve
    engine.recheck_all(blocked, connection)

    run = sync(organisation)

    assert (run.state, run.synced_count, run.failed_count, run.message) == (
        RunState.FINISHED,
        5,
        0,
        "Done.",
    )
    assert statuses(organisation) == {
        **{f"T{n:03d}": StatusCode.NOT_SENT for n in range(1, 6)},
        **{f"T{n:03d}": StatusCode.SYNCED for n in range(6, 11)},
        "T011": "",  # judged ready, for the next press
        "T012": "",
    }
    assert not Attempt.objects.filter(document__in=blocked).exists()
    assert run.left_count == 2  # T011 and T012 are ready for the next press


def test_a_sync_whose_first_documents_were_never_checked_still_sends_five_ready(
    queue_of_twelve,
):
    """Marked behind the services' back (a bulk write), the twelve have no state: the run
    judges them before it chooses, so it takes no blocked one and still sends five."""
    organisation, _, blocked, _ = queue_of_twelve
    assert not DocumentState.objects.exists()

    run = sync(organisation)

    assert (run.synced_count, run.failed_count) == (5, 0)
    assert statuses(organisation) == {
        **{f"T{n:03d}": StatusCode.NOT_SENT for n in range(1, 6)},
        **{f"T{n:03d}": StatusCode.SYNCED for n in range(6, 11)},
        "T011": "",
        "T012": "",
    }
    assert not Attempt.objects.filter(document__in=blocked).exists()
    # The judgements are kept for this connection, so the next press skips them too.
    assert set(engine.blocked_queue(organisation, DocType.SALES_INVOICE, run.connection)) == set(
        blocked
    )


def test_a_state_judged_for_another_connection_is_judged_again_before_a_sync(
    queue_of_twelve,
):
    organisation, connection, blocked, ready = queue_of_twelve
    engine.recheck_all(blocked + ready, connection)
    # As an older release or another package left them: T006 "blocked", T001 "ready".
    DocumentState.objects.filter(document=ready[0]).update(
        provider="xero", status_code=StatusCode.BLANK_LINE
    )
    DocumentState.objects.filter(document=blocked[0]).update(company_id="another", status_code="")

    run = sync(organisation)

    assert statuses(organisation)["T001"] == StatusCode.NOT_SENT
    tried = Document.objects.filter(pk__in=run.tried_ids()).values_list("number", flat=True)
    assert sorted(tried) == [f"T{n:03d}" for n in range(6, 11)]
    assert (run.synced_count, run.failed_count) == (5, 0)


def test_the_ready_queue_skips_only_checks_failed_for_this_connection(queue_of_twelve):
    organisation, connection, blocked, ready = queue_of_twelve
    engine.recheck_all(blocked, connection)
    DocumentState.objects.filter(document=blocked[0]).update(provider="xero")
    DocumentState.objects.filter(document=blocked[1]).update(company_id="another company")
    DocumentState.objects.filter(document=blocked[2]).update(status_code=StatusCode.UNCERTAIN)
    DocumentState.objects.create(document=ready[0], status_code=StatusCode.RATE_LIMITED)

    numbers = [
        d.number for d in engine.ready_queue(organisation, DocType.SALES_INVOICE, connection)
    ]

    assert numbers == ["T001", "T002", "T003", *(f"T{n:03d}" for n in range(6, 13))]


def test_a_blocked_document_with_an_unanswered_send_is_still_taken_to_be_reconciled(
    queue_of_twelve,
):
    organisation, connection, blocked, _ = queue_of_twelve
    engine.recheck_all(blocked, connection)
    Attempt.objects.create(
        organisation=organisation,
        document=blocked[0],
        provider=connection.provider,
        company_id=connection.company_id,
        idempotency_key="0b3f6c1e-0000-4000-8000-000000000001",
        number=blocked[0].number,
        state=AttemptState.IN_FLIGHT,
    )

    ready = engine.ready_queue(organisation, DocType.SALES_INVOICE, connection)

    assert ready.first() == blocked[0]
    assert blocked[1] not in ready


def test_sync_with_nothing_ready_is_refused_naming_the_first_fix(demo):
    organisation, connection = demo
    documents = list(engine.queue(organisation, DocType.SALES_INVOICE))
    engine.recheck_all(documents, connection)

    with pytest.raises(engine.NothingReady) as refused:
        engine.start_run(organisation, DocType.SALES_INVOICE)

    assert refused.value.sentence == (
        "Nothing is ready to sync: 10 invoices are waiting for a fix. "
        f"First: S1001: {NOT_SENT_MESSAGE}"
    )
    assert refused.value.first.number == "S1001"
    assert not SyncRun.objects.exists()


def test_a_sync_whose_ready_ones_fail_at_send_time_ends_with_the_first_fix(demo):
    """A state judged from package data read before the package changed: S1003's number
    was free when read, and is taken now. The live check just before the push catches it."""
    organisation, connection = demo
    link_exact(organisation, connection, "A1004")  # Oakfield: reads the package's data
    assert statuses(organisation)["S1003"] == StatusCode.DUPLICATE_NUMBER
    cache = reference.cache_of(connection)
    cache.numbers[DocType.SALES_INVOICE][""]["S1003"] = False  # as read before it was used
    cache.save()
    assess.assess(organisation, ask=False)
    assert engine.ready_queue(organisation, DocType.SALES_INVOICE, connection).count() == 1

    run = sync(organisation)

    assert (run.state, run.synced_count, run.failed_count) == (RunState.FINISHED, 0, 1)
    assert statuses(organisation)["S1003"] == StatusCode.DUPLICATE_NUMBER
    assert not Attempt.objects.filter(document__number="S1003").exists()
    assert run.message == (
        "Nothing is ready to sync: 10 invoices are waiting for a fix. "
        f"First: S1001: {NOT_SENT_MESSAGE}"
    )
    # What the push found is kept with the package's data: judged again from it (any
    # change, the next read), S1003 stays blocked rather than ready for the next press.
    assert reference.cache_of(connection).numbers[DocType.SALES_INVOICE][""]["S1003"] is True
    assess.assess(organisation, ask=False)
    assert statuses(organisation)["S1003"] == StatusCode.DUPLICATE_NUMBER


def test_a_sync_whose_whole_batch_fails_at_send_time_says_nothing_went_and_why(demo):
    """Others are still ready, so it is not "nothing ready"; nor is it "Done." with 0 sent."""
    organisation, connection = demo
    organisation.batch_size = 1
    organisation.save()
    link_exact(organisation, connection, "A1004")
    cache = reference.cache_of(connection)
    cache.numbers[DocType.SALES_INVOICE][""]["S1003"] = False  # as read before it was used
    cache.save()
    later = invoices(organisation, ["T100"])[0]
    Document.objects.filter(pk=later.pk).update(
        account=Document.objects.get(number="S1003").account
    )
    assess.assess(organisation, ask=False)
    ready = engine.ready_queue(organisation, DocType.SALES_INVOICE, connection)
    assert list(ready.values_list("number", flat=True)) == ["S1003", "T100"]

    run = sync(organisation)

    assert (run.synced_count, run.failed_count) == (0, 1)
    reason = DocumentState.objects.get(document__number="S1003").message
    assert run.message == (
        "Nothing was sent: the invoice this Sync took failed a check as it went out. "
        f"First: S1003: {reason.rstrip('.')}. Press Sync again for the next ready invoices."
    )
    assert list(ready.values_list("number", flat=True)) == ["T100"]


def test_a_contact_the_push_finds_gone_blocks_every_document_naming_it(queue_of_twelve):
    """The cache says Harbour Cafe's contact exists; the package no longer has it. The one
    document Sync takes fails its live check, and what it learnt judges the rest at once."""
    organisation, connection, blocked, ready = queue_of_twelve
    organisation.batch_size = 1
    organisation.save()
    engine.recheck_all(blocked + ready, connection)
    AccsIdLink.objects.filter(account__number="A1001").update(remote_id="999999")
    cache = reference.cache_of(connection)
    cache.contacts["customer"]["999999"] = True  # as read before it went
    cache.save()
    assess.assess(organisation, ask=False)
    assert engine.ready_queue(organisation, DocType.SALES_INVOICE, connection).count() == 7

    run = sync(organisation)

    assert (run.synced_count, run.failed_count) == (0, 1)
    assert reference.cache_of(connection).contacts["customer"]["999999"] is False
    assert {n: c for n, c in statuses(organisation).items() if n >= "T006"} == {
        f"T{n:03d}": StatusCode.ACCOUNT_ID_INVALID for n in range(6, 13)
    }
    assert run.message == (
        "Nothing is ready to sync: 12 invoices are waiting for a fix. "
        f"First: T001: {NOT_SENT_MESSAGE}"
    )


def test_the_nothing_ready_sentence_counts_one_and_ends_with_a_full_stop(demo):
    organisation, connection = demo
    Document.objects.filter(organisation=organisation).exclude(number="S1002").update(
        marked_for_sync=False
    )
    engine.recheck_all(list(engine.queue(organisation, DocType.SALES_INVOICE)), connection)

    refusal = engine.nothing_ready(organisation, DocType.SALES_INVOICE, connection)

    assert refusal is not None
    assert refusal.sentence == (
        "Nothing is ready to sync: 1 invoice is waiting for a fix. First: S1002: "
        "Customer Account 'Harbour Cafe' (A1001) does not exist in QuickBooks."
    )


def test_auto_sync_takes_only_ready_ones_then_says_until_when_it_waits(queue_of_twelve):
    organisation, connection, blocked, _ = queue_of_twelve
    engine.recheck_all(blocked, connection)
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)

    while not engine.step(run.pk).idle:
        pass

    run.refresh_from_db()
    deadline = timezone.localtime(run.deadline)
    assert (run.state, run.synced_count, run.failed_count, run.left_count) == (
        RunState.RUNNING,
        7,
        0,
        0,
    )
    assert run.message == f"Waiting for new documents until {deadline:%H:%M}"
    assert not Attempt.objects.filter(document__in=blocked).exists()
