"""Status codes judged at once, without calling the package (sync/assess.py), from the
package's data read per connection (sync/reference.py). No sandbox here: any HTTP request
made by these tests fails them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from ledgersync.records.models import Account, DocType, Document, Line, NominalCode
from ledgersync.records.services import create_document, mark_sent, update_document
from ledgersync.records.tests.factories import invoice_data, make_org
from ledgersync.sync import assess, connections, linking, reference
from ledgersync.sync.models import (
    AccsIdLink,
    Attempt,
    AttemptState,
    Connection,
    ConnectionStatus,
    DocumentState,
    FetchState,
    LinkMethod,
    ReferenceCache,
)
from ledgersync.sync.status import READY, StatusCode, data_age

pytestmark = pytest.mark.django_db

COMPANY = "9130"
# What a read of the package left: 4000 exists with a tax rate, 4010 does not exist;
# customer 129 exists, 404 does not; S0001 is already used in the package.
READ = {
    "accounts": [
        {
            "id": "79",
            "code": "4000",
            "name": "Sales",
            "account_type": "Income",
            "tax_code_id": "2",
            "active": True,
        }
    ],
    "tax_codes": [{"id": "2", "name": "20.0% S", "rate": "20", "code": "S"}],
    "contacts": {"customer": {"129": True, "404": False}},
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(self, request, **kwargs):
        raise AssertionError(f"no call to the package expected: {request.method} {request.url}")

    monkeypatch.setattr(httpx.Client, "send", refuse)


@pytest.fixture
def org():
    return make_org()


def connect(organisation, provider="quickbooks", company=COMPANY, **values) -> Connection:
    """A live connection as complete_connection leaves it (no tokens are ever used here)."""
    connection = Connection.objects.create(
        organisation=organisation,
        provider=provider,
        company_id=company,
        company_name="Acme in the package",
        status=values.pop("status", ConnectionStatus.CONNECTED),
        refresh_token="never-used",
        access_token="never-used",
        access_expires_at=timezone.now() + dt.timedelta(hours=1),
        **values,
    )
    assess.connection_changed(organisation)
    return connection


def read(connection, numbers=None, **fields) -> ReferenceCache:
    values = {
        **READ,
        "numbers": {"sales_invoice": {"": numbers or {}}},
        "fetched_at": timezone.now(),
        "state": FetchState.FRESH,
        **fields,
    }
    cache, _ = ReferenceCache.objects.update_or_create(connection=connection, defaults=values)
    return cache


def link(connection, account, remote_id) -> None:
    AccsIdLink.objects.create(
        organisation=connection.organisation,
        provider=connection.provider,
        company_id=connection.company_id,
        account=account,
        remote_id=remote_id,
        method=LinkMethod.TYPED,
    )


def state(document) -> DocumentState:
    return DocumentState.objects.get(document=document)


def shown(document) -> tuple[str, str]:
    found = state(document)
    return (found.status_code or READY, found.message)


def invoice(organisation, number, **overrides) -> Document:
    data = invoice_data(number=number, mark_for_sync=True, sent_via="email")
    data.update(overrides)
    return create_document(organisation, data)


# -- judged at once -----------------------------------------------------------------------------


def test_not_connected_shows_the_local_checks_then_not_connected(org):
    unsent = invoice(org, "S0001", sent_via=None)
    sent = invoice(org, "S0002")

    assert shown(unsent) == (StatusCode.NOT_SENT, "Cannot sync until marked as sent.")
    assert shown(sent) == (
        StatusCode.NOT_CONNECTED,
        "Not connected to QuickBooks: connect on the Sync Accounts API page first.",
    )
    assert (state(sent).provider, state(sent).company_id) == ("quickbooks", "")


def test_connected_before_the_package_is_read_judges_what_it_can_and_says_being_checked(org):
    unsent = invoice(org, "S0001", sent_via=None)
    unlinked = invoice(org, "S0002")
    connection = connect(org)
    other = Account.objects.create(organisation=org, number="A2", name="Seaview Hotel")
    link(connection, other, "129")
    waiting = invoice(org, "S0003", account="A2")

    assert shown(unsent) == (StatusCode.NOT_SENT, "Cannot sync until marked as sent.")
    assert shown(unlinked) == (
        StatusCode.ACCOUNT_NOT_LINKED,
        "Customer Account 'Harbour Cafe' (A1042) does not exist in QuickBooks",
    )
    assert shown(waiting) == (StatusCode.CHECKING, "Being checked against QuickBooks now.")
    assert (state(waiting).provider, state(waiting).company_id) == ("quickbooks", COMPANY)
    # A read of the package is queued once (it runs once the transaction commits).
    assert ReferenceCache.objects.get(connection=connection).state == FetchState.FETCHING


def test_every_check_is_judged_from_the_read_data_without_a_call(org):
    connection = connect(org)
    read(connection, {"S0001": True, "S0002": False, "S0003": False, "S0004": False})
    harbour = Account.objects.get(organisation=org, number="A1042")
    link(connection, harbour, "129")
    missing = Account.objects.create(organisation=org, number="A2", name="Gone Ltd")
    link(connection, missing, "404")
    NominalCode.objects.create(organisation=org, code="4010", description="Parts", kind="sales")

    duplicate = invoice(org, "S0001")
    ready = invoice(org, "S0002")
    no_contact = invoice(org, "S0003", account="A2")
    no_nominal = invoice(
        org,
        "S0004",
        lines=[{"text": "Parts", "unit_price": "5", "nominal": "4010"}],
    )

    assert shown(duplicate) == (
        StatusCode.DUPLICATE_NUMBER,
        "Invoice S0001 already exists in QuickBooks",
    )
    assert shown(ready) == (READY, "")
    assert shown(no_contact) == (
        StatusCode.ACCOUNT_ID_INVALID,
        "AccountsID (404) is not correct, QuickBooks requires the ID of an existing customer",
    )
    assert shown(no_nominal) == (
        StatusCode.NOMINAL_MISSING,
        "Nominal code 4010 (line 1) does not exist in QuickBooks",
    )


def test_a_typed_accs_id_of_the_wrong_shape_is_refused_at_once(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    document = invoice(org, "S0001")
    harbour = Account.objects.get(organisation=org, number="A1042")

    linking.save_raw_accs_id(connection, harbour, "abc")

    assert shown(document) == (
        StatusCode.ACCOUNT_ID_INVALID,
        "AccountsID (abc) is not correct, QuickBooks requires a number",
    )


def test_a_number_not_read_yet_waits_for_its_read_and_asks_for_it(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    harbour = Account.objects.get(organisation=org, number="A1042")
    link(connection, harbour, "129")

    document = invoice(org, "S0009")

    assert shown(document) == (StatusCode.CHECKING, "Being checked against QuickBooks now.")
    assert ReferenceCache.objects.get(connection=connection).gaps_wanted is True


def test_a_failed_read_says_why_the_row_waits(org):
    connection = connect(org)
    read(connection, {}, state=FetchState.FAILED, error="QuickBooks could not be asked just now.")
    harbour = Account.objects.get(organisation=org, number="A1042")
    link(connection, harbour, "129")

    document = invoice(org, "S0001")

    assert shown(document) == (
        StatusCode.CHECKING,
        "Not checked against QuickBooks yet: QuickBooks could not be asked just now. "
        "Use Refresh from QuickBooks.",
    )


def test_relink_needed_shows_the_local_checks_then_relink_needed(org):
    connect(org, status=ConnectionStatus.RELINK_NEEDED, status_detail="invalid_grant")
    unsent = invoice(org, "S0001", sent_via=None)
    sent = invoice(org, "S0002")

    assert shown(unsent)[0] == StatusCode.NOT_SENT
    assert shown(sent) == (
        StatusCode.RELINK_NEEDED,
        "QuickBooks no longer accepts ledgersync's access: connect again.",
    )


# -- what a state keeps -------------------------------------------------------------------------


def test_a_synced_state_is_never_written_over_even_by_a_judgement_made_before_it(org):
    document = invoice(org, "S0001")
    judge = assess.Judge.now(org)
    loaded = assess._load(org, [document.pk])
    found = judge(loaded)
    # The engine records the push while the judgement is being made.
    DocumentState.objects.filter(document=document).update(
        status_code=StatusCode.SYNCED, message="Synced", remote_id="150"
    )

    assess._write(loaded, found, judge.key, keep_outcomes=False)
    assess.assess(org, [document.pk])

    assert (state(document).status_code, state(document).remote_id) == (StatusCode.SYNCED, "150")


def test_an_unanswered_send_on_the_live_connection_shows_as_uncertain(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    document = invoice(org, "S0001")
    Attempt.objects.create(
        organisation=org,
        document=document,
        provider="quickbooks",
        company_id=COMPANY,
        idempotency_key="k1",
        state=AttemptState.UNCERTAIN,
    )

    assess.connection_changed(org)

    assert shown(document) == (
        StatusCode.UNCERTAIN,
        "No answer from QuickBooks; ledgersync will check before sending it again.",
    )


def test_a_rejection_stays_through_a_re_read_and_goes_when_the_document_changes(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    harbour = Account.objects.get(organisation=org, number="A1042")
    link(connection, harbour, "129")
    document = invoice(org, "S0001")
    rejected = [{"code": "REJECTED", "message": "QuickBooks rejected it: Customer is inactive"}]
    DocumentState.objects.filter(document=document).update(
        status_code=StatusCode.REJECTED,
        message=rejected[0]["message"],
        failures=rejected,
    )

    assess.after_read(org)
    assert state(document).status_code == StatusCode.REJECTED

    update_document(document, {"reference": "PO 7"})
    assert shown(document) == (READY, "")


# -- the hooks ----------------------------------------------------------------------------------


def test_marking_sent_through_the_service_clears_not_sent_at_once(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    link(connection, Account.objects.get(organisation=org, number="A1042"), "129")
    document = invoice(org, "S0001", sent_via=None)
    assert shown(document)[0] == StatusCode.NOT_SENT

    mark_sent(document)

    assert shown(document) == (READY, "")


def test_clearing_a_care_of_accounts_accs_id_re_judges_its_document(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    harbour = Account.objects.get(organisation=org, number="A1042")
    agent = Account.objects.create(organisation=org, number="A7", name="Lee Property Agents")
    link(connection, harbour, "129")
    link(connection, agent, "130")
    document = invoice(org, "S0001", care_of="A7")
    assert shown(document) == (READY, "")

    linking.save_raw_accs_id(connection, agent, "")

    assert shown(document) == (
        StatusCode.CARE_OF_NOT_LINKED,
        "Care of account 'Lee Property Agents' (A7) is not linked to QuickBooks",
    )


def test_a_disconnect_re_judges_the_queue_and_a_provider_switch_names_the_new_one(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    document = invoice(org, "S0001")
    assert "QuickBooks" in state(document).message

    Connection.objects.filter(pk=connection.pk).update(refresh_token=None)  # nothing to revoke
    connections.disconnect(Connection.objects.get(pk=connection.pk))
    assert shown(document)[0] == StatusCode.NOT_CONNECTED
    org.provider = "xero"
    org.save()
    assess.connection_changed(org)

    assert shown(document) == (
        StatusCode.NOT_CONNECTED,
        "Not connected to Xero: connect on the Sync Accounts API page first.",
    )
    assert (state(document).provider, state(document).company_id) == ("xero", "")


def test_relink_needed_then_judged_again_against_the_read_data(org):
    connection = connect(org)
    read(connection, {"S0001": False})
    link(connection, Account.objects.get(organisation=org, number="A1042"), "129")
    document = invoice(org, "S0001")

    connections.mark_relink_needed(connection, "invalid_grant")
    assert shown(document)[0] == StatusCode.RELINK_NEEDED

    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.CONNECTED)
    assess.connection_changed(org)
    assert shown(document) == (READY, "")


# -- in bulk ------------------------------------------------------------------------------------


def test_ten_thousand_documents_are_judged_in_a_bounded_number_of_queries(
    org, django_assert_max_num_queries
):
    connection = connect(org)
    read(connection, {f"S{n:05d}": n % 10 == 0 for n in range(10_000)})
    harbour = Account.objects.get(organisation=org, number="A1042")
    link(connection, harbour, "129")
    nominal = NominalCode.objects.get(organisation=org, code="4000")
    Document.objects.bulk_create(
        Document(
            organisation=org,
            doc_type=DocType.SALES_INVOICE,
            number=f"S{n:05d}",
            account=harbour,
            issue_date=dt.date(2026, 1, 1),
            sent_at=timezone.now(),
            marked_for_sync=True,
        )
        for n in range(10_000)
    )
    Line.objects.bulk_create(
        Line(document_id=pk, position=1, text="Service", unit_price=Decimal(10), nominal=nominal)
        for pk in Document.objects.filter(organisation=org).values_list("pk", flat=True)
    )

    with django_assert_max_num_queries(250) as first:
        found = assess.assess(org)
    print("queries, first judgement of 10,000:", len(first))

    assert len(found) == 10_000
    codes = assess.queue_counts(org, DocType.SALES_INVOICE)
    assert codes == {StatusCode.DUPLICATE_NUMBER: 1000, READY: 9000}
    # Judged again with nothing changed: read, compared, nothing written.
    with django_assert_max_num_queries(80) as again:
        assess.after_read(org)
    print("queries, judged again unchanged:", len(again))


def test_the_data_age_reads_as_a_time_of_day():
    now = timezone.make_aware(dt.datetime(2026, 12, 2, 15, 0))
    earlier = timezone.make_aware(dt.datetime(2026, 12, 2, 10, 42))
    assert (
        data_age("QuickBooks", earlier, now) == "Checked against QuickBooks data from 10:42 today."
    )
    assert data_age("Xero", earlier - dt.timedelta(days=1), now) == (
        "Checked against Xero data from 10:42 yesterday."
    )
    assert data_age("Sage", None, now) == "Not checked against Sage data yet."


def test_the_schedule_reads_everything_daily_and_only_what_is_new_in_between(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    connection = connect(org)
    invoice(org, "S0001")
    now = timezone.now()
    read(
        connection,
        {"S0001": False},
        fetched_at=now - dt.timedelta(minutes=31),
        everything_at=now - dt.timedelta(hours=2),
    )
    asked = []
    monkeypatch.setattr(
        "ledgersync.sync.tasks.refresh_reference", lambda pk, everything: asked.append(everything)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reference.keep_fresh(now) == {"refreshed": 1, "filled": 0}
    ReferenceCache.objects.filter(pk=connection.pk).update(
        state=FetchState.FRESH,
        fetched_at=now - dt.timedelta(minutes=31),
        everything_at=now - dt.timedelta(hours=25),
    )
    with django_capture_on_commit_callbacks(execute=True):
        reference.keep_fresh(now)
    ReferenceCache.objects.filter(pk=connection.pk).update(
        state=FetchState.FRESH, fetched_at=now - dt.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reference.keep_fresh(now) == {"refreshed": 0, "filled": 0}

    assert asked == [False, True]


def test_a_read_whose_worker_went_silent_is_taken_over_within_minutes(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    connection = connect(org)
    invoice(org, "S0001")
    now = timezone.now()
    began = now - dt.timedelta(minutes=4)
    # Begun 4 minutes ago (well inside STUCK_AFTER), last beat 3 minutes ago: its worker died.
    cache = read(connection, state=FetchState.FETCHING, started_at=began)
    ReferenceCache.objects.filter(pk=cache.pk).update(beat_at=now - dt.timedelta(minutes=3))
    asked = []
    monkeypatch.setattr(
        "ledgersync.sync.tasks.refresh_reference", lambda pk, everything: asked.append(everything)
    )

    assert not reference.is_reading(reference.cache_of(connection), now)
    with django_capture_on_commit_callbacks(execute=True):
        assert reference.revive_dead_reads(now) == 1
    assert asked == [False]  # goes on from what it kept
    cache = reference.cache_of(connection)
    assert cache.state == FetchState.FETCHING and cache.started_at >= now
    # Asked for again, not yet begun: it is reading, and no one asks for it a second time.
    assert reference.is_reading(cache, now + dt.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert reference.revive_dead_reads(now + dt.timedelta(minutes=3)) == 0
        assert not reference.request_refresh(connection)
    assert asked == [False]


def test_a_read_that_beats_is_left_to_its_worker(org):
    connection = connect(org)
    now = timezone.now()
    read(connection, state=FetchState.FETCHING, started_at=now - dt.timedelta(minutes=30))
    ReferenceCache.objects.filter(connection=connection).update(
        beat_at=now - dt.timedelta(seconds=30)
    )

    assert reference.is_reading(reference.cache_of(connection), now)
    assert reference.revive_dead_reads(now) == 0
    assert not reference.request_refresh(connection)


def test_documents_left_being_checked_by_a_dead_worker_are_judged_again(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    connection = connect(org)
    read(connection, {"S0001": False})
    link(connection, Account.objects.get(organisation=org, number="A1042"), "129")
    document = invoice(org, "S0001")
    assert shown(document) == (READY, "")
    # The read ended (the cache is fresh) but its worker died judging the queue from it.
    DocumentState.objects.filter(document=document).update(status_code=StatusCode.CHECKING)
    monkeypatch.setattr(
        "ledgersync.sync.tasks.fill_reference_gaps",
        lambda pk: reference.fill_gaps(reference.by_id(pk)),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reference.revive_dead_reads() == 1
    assert shown(document) == (READY, "")
    with django_capture_on_commit_callbacks(execute=True):
        assert reference.revive_dead_reads() == 0
