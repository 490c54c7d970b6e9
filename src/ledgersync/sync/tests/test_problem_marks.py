"""A problem that is fixed is marked resolved with who and when; one that comes back is
counted (issue #18), whichever way the state changed: a link on the web, a bulk action, a
re-assessment, a sync. Over real HTTP to each sandbox."""

from __future__ import annotations

import pytest

from ledgersync.records import services
from ledgersync.records.models import Document, Role, SentVia
from ledgersync.records.tests.factories import make_user
from ledgersync.sync import actor, bulk, problems, reference
from ledgersync.sync.models import BulkKind, DocumentState, Problem
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office(demo):
    organisation, connection = demo
    reference.refresh(connection)
    return organisation, connection, make_user(organisation, Role.ACCOUNTS)


def _problem(number: str, code: str) -> Problem:
    return Problem.objects.get(document__number=number, code=code)


def test_fixed_is_resolved_by_who_fixed_it_and_coming_back_is_counted(office, sandbox):
    organisation, connection, user = office
    s1001 = Document.objects.get(organisation=organisation, number="S1001")
    opened = _problem("S1001", StatusCode.NOT_SENT)
    assert opened.resolved_at is None and opened.times == 1

    with actor.acting(user):
        services.mark_sent(s1001, SentVia.HAND)
    fixed = _problem("S1001", StatusCode.NOT_SENT)
    assert fixed.resolved_at is not None and fixed.resolved_by == user
    # the next check in line is its problem now, open since this moment
    next_code = Document.objects.get(pk=s1001.pk).sync_state.status_code
    assert _problem("S1001", next_code).resolved_at is None

    services.clear_sent(s1001)  # by nobody in particular (ledgersync, an API key)
    back = _problem("S1001", StatusCode.NOT_SENT)
    assert back.resolved_at is None and back.resolved_by is None
    assert back.times == 2 and back.came_back == 1 and back.first_seen_at == opened.first_seen_at
    assert _problem("S1001", next_code).resolved_at is not None

    # shown on the page's rows: since when, and how often it has come
    marks = problems.open_marks(list(problems.problems(organisation).select_related("sync_state")))
    assert marks[s1001.pk].times == 2


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_being_checked_neither_resolves_nor_counts_again(office, sandbox):
    organisation, connection, user = office
    s1002 = Document.objects.get(organisation=organisation, number="S1002")
    code = s1002.sync_state.status_code
    problems.track([(s1002.pk, StatusCode.CHECKING)])
    problems.track([(s1002.pk, code)])
    row = _problem("S1002", code)
    assert row.resolved_at is None and row.times == 1


def test_a_bulk_action_resolves_what_it_fixes_by_whoever_asked(office, sandbox):
    organisation, connection, user = office
    chosen = list(
        problems.problems(organisation).select_related(
            "account", "supplier", "care_of", "sync_state"
        )
    )
    bulk.request(organisation, BulkKind.LINK_THIS, chosen, token="marks", user=user)
    resolved = Problem.objects.filter(code=StatusCode.ACCOUNT_NOT_LINKED, resolved_at__isnull=False)
    assert resolved.exists()
    assert set(resolved.values_list("resolved_by", flat=True)) == {user.pk}
    earliest = min(resolved.values_list("resolved_at", flat=True))
    listed = list(problems.resolved(organisation, since=earliest))
    assert {p.pk for p in resolved} <= {p.pk for p in listed}


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_tracking_costs_the_same_few_queries_for_one_document_or_all(office):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    organisation, connection, user = office
    ids = list(Document.objects.filter(organisation=organisation).values_list("pk", flat=True))
    with CaptureQueriesContext(db) as one:
        problems.track([(ids[0], StatusCode.BLANK_LINE)])
    Problem.objects.filter(code=StatusCode.BLANK_LINE).delete()
    with CaptureQueriesContext(db) as every:
        problems.track([(pk, StatusCode.BLANK_LINE) for pk in ids])
    assert len(every) == len(one) <= 8  # resolve, look up, reopen, open (and their savepoints)
    opened = Problem.objects.filter(code=StatusCode.BLANK_LINE, resolved_at__isnull=True)
    assert opened.count() == len(ids)
    real = DocumentState.objects.filter(document__in=ids).values_list("document", "status_code")
    problems.track(list(real))  # the real states again: BLANK_LINE resolved where untrue
    assert opened.count() <= 1
