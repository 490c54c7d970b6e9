"""Bulk actions on the Needs attention list (sync/bulk.py) over real HTTP to each sandbox:
the preview says what each does, the action does it once however often it is confirmed or
however often a worker takes it up, and a worker that died mid-way leaves the rest to the
next."""

from __future__ import annotations

import pytest

from ledgersync.records.models import DocType, Role
from ledgersync.records.tests.factories import make_user
from ledgersync.sync import bulk, linking, problems, reference
from ledgersync.sync.models import (
    AuditEvent,
    BulkAction,
    BulkItem,
    BulkKind,
    BulkState,
    ItemState,
)
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.sandbox_view import contact_names

pytestmark = pytest.mark.django_db(transaction=True)


def _problems(organisation):
    return list(
        problems.problems(organisation).select_related(
            "account", "supplier", "care_of", "sync_state"
        )
    )


def _contact_names(sandbox, connection) -> list[str]:
    return contact_names(sandbox, connection.company_id)


@pytest.fixture
def office(demo):
    organisation, connection = demo
    reference.refresh(connection)
    user = make_user(organisation, Role.ACCOUNTS)
    return organisation, connection, user


def test_link_this_links_every_exact_name_match_once_and_leaves_the_rest(office, sandbox):
    organisation, connection, user = office
    chosen = _problems(organisation)
    plan = bulk.preview(organisation, BulkKind.LINK_THIS, chosen)
    linkable = {item.label for item in plan.items if item.acts}
    left = {item.label: item.outcome for item in plan.items if not item.acts}
    assert linkable, "the demo's package has contacts named exactly as some accounts"
    assert all("no contact named exactly" in why for why in left.values())

    token = bulk.new_token()
    action, made = bulk.request(organisation, BulkKind.LINK_THIS, chosen, token=token, user=user)
    again, made_again = bulk.request(
        organisation, BulkKind.LINK_THIS, chosen, token=token, user=user
    )
    assert made and not made_again and again.pk == action.pk
    assert BulkAction.objects.count() == 1

    action.refresh_from_db()  # the test queue is immediate: the action ran on commit
    assert action.state == BulkState.DONE, action.message
    assert action.total == len(linkable) == action.changed
    linked = {item.label for item in BulkItem.objects.filter(bulk=action, state=ItemState.CHANGED)}
    assert linked == linkable
    for item in BulkItem.objects.filter(bulk=action).select_related("account", "supplier"):
        link = linking.current_link(connection, item.party)
        assert link is not None and link.method == "link_this", item.label
    # each link audited once where it was made, plus the action's start and end
    links = AuditEvent.objects.filter(organisation=organisation, action="link:link_this")
    assert links.count() == len(linkable)
    assert AuditEvent.objects.filter(action="bulk:link_this").count() == 1
    assert AuditEvent.objects.filter(action="bulk:link_this:done").count() == 1
    # a second worker taking the finished action up again does nothing more
    assert bulk.work(action.pk) is None
    assert AuditEvent.objects.filter(
        organisation=organisation, action="link:link_this"
    ).count() == len(linkable)


def test_create_new_warns_of_similar_contacts_and_makes_each_contact_once(office, sandbox):
    organisation, connection, user = office
    suppliers = [d for d in _problems(organisation) if d.doc_type == DocType.SUPPLIER_INVOICE]
    plan = bulk.preview(organisation, BulkKind.CREATE_NEW, suppliers)
    assert {item.label for item in plan.items} == {
        f"{d.supplier.name} ({d.supplier.number})" for d in suppliers
    }
    assert sum(item.documents for item in plan.items) == len(suppliers)
    # one with a contact of exactly its name is left for Link This, never made twice
    exact = [item for item in plan.items if not item.acts]
    assert all("named exactly" in item.outcome and "Link This" in item.outcome for item in exact)
    plan.items = [item for item in plan.items if item.acts]
    before = _contact_names(sandbox, connection)
    action, _ = bulk.request(organisation, BulkKind.CREATE_NEW, suppliers, token="t-1", user=user)
    action.refresh_from_db()
    outcomes = list(BulkItem.objects.filter(bulk=action).values_list("label", "message"))
    assert action.state == BulkState.DONE and action.changed == len(plan.items), outcomes
    after = _contact_names(sandbox, connection)
    assert len(after) == len(before) + len(plan.items)
    # their documents were judged again: none waits on its supplier's link now
    created = {item.party.pk for item in plan.items}
    for document in _problems(organisation):
        if document.supplier_id in created:
            codes = {f["code"] for f in document.sync_state.failures}
            assert StatusCode.ACCOUNT_NOT_LINKED not in codes, document


def test_a_worker_killed_mid_way_leaves_the_rest_and_no_item_twice(office, sandbox, monkeypatch):
    organisation, connection, user = office
    chosen = _problems(organisation)
    calls = []
    real = linking.create_new

    def dies_on_the_second(*args, **kwargs):
        calls.append(kwargs["idempotency_key"])
        made = real(*args, **kwargs)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the worker dies after the package made the contact
        return made

    monkeypatch.setattr(linking, "create_new", dies_on_the_second)
    monkeypatch.setattr("ledgersync.sync.tasks.enqueue_bulk", lambda action_id: None)
    action, _ = bulk.request(organisation, BulkKind.CREATE_NEW, chosen, token="t-2", user=user)
    with pytest.raises(KeyboardInterrupt):
        bulk.work(action.pk)
    action.refresh_from_db()
    assert action.done == 1 and action.state == BulkState.RUNNING
    # its lease lapses; the next worker goes on from the item still pending
    BulkAction.objects.filter(pk=action.pk).update(lease_until=None)
    monkeypatch.setattr(linking, "create_new", real)
    names_before = _contact_names(sandbox, connection)
    finished = bulk.work(action.pk)
    assert finished.state == BulkState.DONE and finished.done == finished.total
    # the contact made just before the kill was replayed by the package, not made again
    names_after = _contact_names(sandbox, connection)
    assert len(names_after) == len(names_before) + finished.total - 2
    for item in BulkItem.objects.filter(bulk=action):
        assert item.state == ItemState.CHANGED, (item.label, item.message)


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_mark_sent_and_check_again_settle_each_document(office):
    organisation, connection, user = office
    chosen = _problems(organisation)
    plan = bulk.preview(organisation, BulkKind.MARK_SENT, chosen)
    acting = [item.label for item in plan.items if item.acts]
    assert acting == ["Sales Invoice S1001"]  # the demo's one invoice not marked as sent
    assert any("only invoices" in item.outcome for item in plan.items)
    action, _ = bulk.request(organisation, BulkKind.MARK_SENT, chosen, token="t-3", user=user)
    action.refresh_from_db()
    assert (action.state, action.total, action.changed) == (BulkState.DONE, 1, 1)
    document = next(d for d in _problems(organisation) if d.number == "S1001")
    assert document.is_sent and document.sync_state.status_code != StatusCode.NOT_SENT

    checked, _ = bulk.request(organisation, BulkKind.RECHECK, chosen, token="t-4", user=user)
    checked.refresh_from_db()
    assert checked.state == BulkState.DONE and checked.done == len(chosen)
    messages = set(BulkItem.objects.filter(bulk=checked).values_list("message", flat=True))
    assert all(m.startswith(("Still:", "Now:", "Ready")) for m in messages), messages


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_nothing_to_do_and_too_many_are_refused_in_words(office):
    organisation, connection, user = office
    with pytest.raises(bulk.BulkError, match="Choose at least one"):
        bulk.preview(organisation, BulkKind.RECHECK, [])
    credit_notes = [d for d in _problems(organisation) if d.doc_type == DocType.SALES_CREDIT_NOTE]
    with pytest.raises(bulk.BulkError, match="Nothing to do"):
        bulk.request(organisation, BulkKind.MARK_SENT, credit_notes, token="t-5", user=user)
    assert not BulkAction.objects.exists()


def test_sync_the_fixed_ones_starts_an_auto_sync_for_the_ready_types(office, sandbox, monkeypatch):
    from ledgersync.sync import tasks
    from ledgersync.sync.models import SyncRun

    organisation, connection, user = office
    started = []
    monkeypatch.setattr(tasks, "enqueue", started.append)  # the run itself is the engine's
    chosen = _problems(organisation)
    bulk.request(organisation, BulkKind.LINK_THIS, chosen, token="t-6", user=user)
    action, _ = bulk.request(organisation, BulkKind.RESYNC, chosen, token="t-7", user=user)
    action.refresh_from_db()
    assert action.state == BulkState.DONE, action.message
    ready = BulkItem.objects.filter(bulk=action, message=bulk.READY)
    assert ready.exists(), list(
        BulkItem.objects.filter(bulk=action).values_list("label", "message")
    )
    types = set(ready.values_list("document__doc_type", flat=True))
    first = sorted(types)[0]
    run = SyncRun.objects.get(organisation=organisation)
    assert (run.doc_type, run.auto, run.started_by) == (first, True, user)
    assert started == [run]
    assert "an Auto Sync started" in action.message
    if len(types) > 1:  # one run per connection at a time: the next type says so
        assert "a run is going on this connection" in action.message


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_the_minute_s_revival_takes_up_an_action_whose_worker_died_or_never_came(office):
    import datetime as dt

    from django.utils import timezone

    from ledgersync.sync import tasks

    organisation, connection, user = office
    now = timezone.now()
    running = BulkAction.objects.create(
        organisation=organisation, kind="recheck", token="r1", state=BulkState.RUNNING,
        lease_until=now - dt.timedelta(seconds=1),
    )  # fmt: skip
    held = BulkAction.objects.create(
        organisation=organisation, kind="recheck", token="r2", state=BulkState.RUNNING,
        lease_until=now + dt.timedelta(seconds=50),
    )  # fmt: skip
    waiting = BulkAction.objects.create(organisation=organisation, kind="recheck", token="r3")
    BulkAction.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(minutes=2))
    fresh = BulkAction.objects.create(organisation=organisation, kind="recheck", token="r4")
    assert set(bulk.revivable()) == {running.pk, waiting.pk}
    assert held.pk not in bulk.revivable() and fresh.pk not in bulk.revivable()
    assert tasks.revive_bulk_actions() == 2  # what the minute's periodic job does for them
    for action in (running, waiting):
        action.refresh_from_db()
        assert action.state == BulkState.DONE  # no items: done at once


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_more_than_an_action_takes_is_refused_and_linking_counts_accounts(office, monkeypatch):
    organisation, connection, user = office
    chosen = _problems(organisation)
    with monkeypatch.context() as limited:
        limited.setattr(bulk, "MAX_DOCUMENTS", 3)
        with pytest.raises(bulk.BulkError, match="More than 3 documents are chosen"):
            bulk.preview(organisation, BulkKind.RECHECK, chosen[:4])
    plan = bulk.preview(organisation, BulkKind.LINK_THIS, chosen)
    assert plan.acting > 1  # the demo's package has several contacts of exactly our names
    assert plan.summary.startswith(f"{plan.acting} accounts or suppliers will change")
