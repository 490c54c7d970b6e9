"""Needs attention (the error centre, #18): every queued document that cannot sync, grouped by
status code in the order the checks run, with the Sync pages' counts, oldest first, each
with how many times it failed; filterable, paged, the organisation's own only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import (
    Account,
    DocType,
    Document,
    Line,
    NominalCode,
    Role,
    Supplier,
    User,
)
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.sync import assess, connections, linking, problems, reference
from ledgersync.sync.models import (
    Attempt,
    AttemptState,
    DocumentState,
    LinkMethod,
)
from ledgersync.sync.status import CHECK_NUMBERS, NEEDS_ATTENTION, StatusCode, check_failure
from ledgersync.sync.tests.conftest import connect_to_sandbox
from ledgersync.web.problem_views import PROBLEMS_PAGE_SIZE
from ledgersync.web.tests.helpers import other_tenant

pytestmark = pytest.mark.django_db

URL = "/sync/problems/"


@pytest.fixture
def connected_demo(quickbooks):
    """The demo organisation connected to the QuickBooks sandbox with its data read, so the
    documents show every check (records/demo_data.py)."""
    organisation = seed_demo()
    connection = connect_to_sandbox(organisation, quickbooks.url, "quickbooks")
    # Link This for every account and supplier the package has by name, as a person would:
    # then the later checks (care-of, number, nominals, lines) get their turn.
    connector = connections.connector_for_connection(connection)
    parties = [*Account.objects.for_org(organisation), *Supplier.objects.for_org(organisation)]
    for party in parties:
        match = linking.suggestions(connector, party).exact
        if match is not None:
            linking.link_existing(
                connection, connector, party, match.contact.id, method=LinkMethod.LINK_THIS
            )
    reference.refresh(connection)
    assess.assess(organisation)
    return organisation


@pytest.fixture
def demo():
    """The demo unconnected: NOT_CONNECTED for most, the local checks for the rest."""
    return seed_demo()


def accounts_client(client):
    client.force_login(User.objects.get(username="accounts"))
    return client


def group_codes(html: str) -> list[str]:
    return re.findall(r'<section class="problem-group" id="group-([a-z_]+)"', html)


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="problem-(\d+)">', html)]


def heading_count(html: str, code: str) -> int:
    heading = re.search(rf'id="heading-{code.lower()}">.*?<span class="count">(\d+)</span>', html)
    assert heading is not None, code
    return int(heading.group(1))


def summary_counts(html: str) -> dict[str, int]:
    """The counts above the groups: every code in the whole list, not just this page."""
    found = re.findall(r'<li id="total-([a-z_]+)">.*?<strong>(\d+)</strong>', html)
    return {code.upper(): int(n) for code, n in found}


def test_the_demo_groups_by_code_in_check_order_with_the_sync_pages_counts(client, connected_demo):
    html = accounts_client(client).get(URL).content.decode()

    sync_counts: dict[str, int] = {}
    for doc_type in DocType:
        for code, n in assess.queue_counts(connected_demo, doc_type).items():
            if code in NEEDS_ATTENTION:
                sync_counts[code] = sync_counts.get(code, 0) + n
    shown = [code.upper() for code in group_codes(html)]
    assert shown == [code for code in NEEDS_ATTENTION if code in sync_counts]
    assert {code: heading_count(html, code) for code in shown} == sync_counts
    assert summary_counts(html) == sync_counts
    # The demo shows every check, as its module promises.
    # The demo shows every check (records/demo_data.py), in the order they run.
    assert shown == [
        code
        for code, number in sorted(CHECK_NUMBERS.items(), key=lambda c: c[1])
        if code != StatusCode.ACCOUNT_ID_INVALID
    ]


def test_each_row_says_its_status_sentence_and_rows_come_oldest_first(client, connected_demo):
    html = accounts_client(client).get(URL).content.decode()

    expected = list(problems.problems(connected_demo).values_list("pk", flat=True))
    assert row_ids(html) == expected
    for document in Document.objects.filter(pk__in=expected).select_related("sync_state"):
        row = html[html.index(f'<tr id="problem-{document.pk}">') :]
        row = row[: row.index("</tr>")]
        assert f'href="/documents/{document.pk}/"' in row
        assert document.number in row
        assert document.party.name in row
        assert f'<span class="message">{document.sync_state.message}</span>' in row.replace(
            "&#x27;", "'"
        )
    for code in group_codes(html):
        dates = list(
            problems.problems(connected_demo)
            .filter(sync_state__status_code=code.upper())
            .values_list("issue_date", "number")
        )
        assert dates == sorted(dates)


def test_ready_synced_and_checking_documents_are_not_listed(client, demo):
    s1002, s1003, s1004 = (Document.objects.get(number=n) for n in ("S1002", "S1003", "S1004"))
    DocumentState.record(s1002, [])  # every check passes: READY
    DocumentState.objects.filter(document=s1003).update(status_code=StatusCode.SYNCED)
    DocumentState.objects.filter(document=s1004).update(status_code=StatusCode.CHECKING)

    ids = row_ids(accounts_client(client).get(URL).content.decode())

    assert {s1002.pk, s1003.pk, s1004.pk}.isdisjoint(ids)
    assert Document.objects.get(number="S1001").pk in ids


def test_documents_waiting_for_a_person_are_listed(client, demo):
    s1002 = Document.objects.get(number="S1002")
    DocumentState.objects.filter(document=s1002).update(
        status_code=StatusCode.TOTAL_MISMATCH, message="QuickBooks booked total 10.00"
    )

    html = accounts_client(client).get(URL).content.decode()

    assert "total_mismatch" in group_codes(html)
    assert heading_count(html, "TOTAL_MISMATCH") == 1
    assert "QuickBooks booked total 10.00" in html


def test_the_failed_column_counts_each_failed_send_and_nothing_else(client, demo):
    s1001 = Document.objects.get(number="S1001")
    for state in (
        AttemptState.FAILED,
        AttemptState.FAILED,
        AttemptState.SUCCEEDED,
        AttemptState.UNCERTAIN,
    ):
        Attempt.objects.create(
            organisation=demo,
            document=s1001,
            provider="quickbooks",
            company_id="9130",
            idempotency_key=f"key-{state}-{Attempt.objects.count()}",
            state=state,
        )

    html = accounts_client(client).get(URL).content.decode()

    assert re.search(rf'<tr id="problem-{s1001.pk}">.*?<td class="num"[^>]*>2</td>', html, re.S)
    assert problems.failures([s1001]) == {s1001.pk: 2}


def test_filters_narrow_by_type_account_supplier_and_date(client, demo):
    accounts_client(client)
    everything = problems.problems(demo)

    def shown(**params) -> set[int]:
        response = client.get(URL, params)
        assert response.status_code == 200
        return set(row_ids(response.content.decode()))

    supplier = Supplier.objects.get(organisation=demo, number="P2003")
    account = Account.objects.get(organisation=demo, number="A1001")
    day = Document.objects.get(number="S1005").issue_date
    assert shown(type="supplier-invoice") == set(
        everything.filter(doc_type=DocType.SUPPLIER_INVOICE).values_list("pk", flat=True)
    )
    assert shown(account="a1001") == set(
        everything.filter(account=account).values_list("pk", flat=True)
    )
    assert shown(supplier=supplier.number) == set(
        everything.filter(supplier=supplier).values_list("pk", flat=True)
    )
    assert shown(date_from=day.isoformat(), date_to=day.isoformat()) == {
        Document.objects.get(number="S1005").pk
    }
    assert (
        shown(type="sales-invoice", date_from=(day + dt.timedelta(days=365)).isoformat()) == set()
    )


@pytest.mark.parametrize(
    ("params", "sentence"),
    [
        ({"type": "purchase-order"}, "Select a valid choice."),
        ({"account": "A9999"}, "No account has the number A9999."),
        ({"supplier": "NOPE"}, "No supplier has the number NOPE."),
        ({"date_from": "31/02/2026"}, "Enter a valid date."),
        ({"date_from": "2026-12-01", "date_to": "2026-11-01"}, "The end date is before"),
    ],
)
def test_a_bad_filter_gets_the_form_again_with_a_sentence(client, demo, params, sentence):
    response = accounts_client(client).get(URL, params)
    html = response.content.decode()

    assert response.status_code == 400
    assert 'id="bad-filter"' in html
    assert sentence in html
    assert row_ids(html) == []
    assert '<form method="get" class="filters"' in html


def test_a_bad_page_number_shows_a_page_rather_than_failing(client, demo):
    response = accounts_client(client).get(URL, {"page": "many"})
    assert response.status_code == 200
    assert row_ids(response.content.decode())


def test_an_engineer_is_refused_and_has_no_menu_entry(client, demo):
    client.force_login(User.objects.get(username="engineer"))
    assert client.get(URL).status_code == 403
    assert "Needs attention" not in client.get("/").content.decode()


def test_the_menu_links_it_next_to_the_sync_pages(client, demo):
    html = accounts_client(client).get(URL).content.decode()
    menu = re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>', html)
    labels = [label for _, label in menu]
    assert labels[labels.index("Sync Accounts API") + 1] == "Needs attention"
    assert (URL, "Needs attention") in menu
    assert f'<a href="{URL}" aria-current="page">' in html


def test_another_organisations_documents_never_show(client, demo):
    other, _, other_document = other_tenant()
    other_document.marked_for_sync = True
    other_document.save()
    DocumentState.record(other_document, [check_failure(StatusCode.BLANK_LINE, line=1)])

    html = accounts_client(client).get(URL).content.decode()

    assert other_document.pk not in row_ids(html)
    assert problems.problems(demo).filter(organisation=other).count() == 0
    # Another organisation's account is not one of ours to filter by.
    refused = accounts_client(client).get(URL, {"account": "A1042"})
    assert refused.status_code == 400
    assert "No account has the number A1042." in refused.content.decode()
    assert problems.counts(problems.problems(other)) == {"BLANK_LINE": 1}


PROBLEMS = 10_000


@pytest.fixture
def ten_thousand_problems():
    """10,000 queued sales invoices, each with a line, failing check 1 or check 7."""
    organisation = make_org("big", "Big Heating Ltd")
    account = Account.objects.get(organisation=organisation)
    nominal = NominalCode.objects.get(organisation=organisation, code="4000")
    Document.objects.bulk_create(
        Document(
            organisation=organisation,
            doc_type=DocType.SALES_INVOICE,
            number=f"S{n:05d}",
            account=account,
            issue_date=dt.date(2026, 1, 1) + dt.timedelta(days=n % 300),
            marked_for_sync=True,
        )
        for n in range(PROBLEMS)
    )
    ids = list(Document.objects.for_org(organisation).values_list("pk", flat=True))
    Line.objects.bulk_create(
        Line(
            document_id=pk,
            position=1,
            text="Service",
            unit_price=Decimal("10"),
            nominal=nominal,
            net=Decimal("10.00"),
            tax=Decimal("2.00"),
        )
        for pk in ids
    )
    failures = [check_failure(StatusCode.NOT_SENT), check_failure(StatusCode.BLANK_LINE, line=1)]
    now = timezone.now()
    DocumentState.objects.bulk_create(
        DocumentState(
            document_id=pk,
            status_code=failures[pk % 2].code,
            message=failures[pk % 2].message,
            failures=[failures[pk % 2].as_json()],
            checked_at=now,
            provider=organisation.provider,
        )
        for pk in ids
    )
    return organisation, make_user(organisation, Role.ACCOUNTS)


def test_a_page_of_ten_thousand_problems_takes_a_fixed_number_of_queries(
    client, ten_thousand_problems, django_assert_max_num_queries
):
    organisation, user = ten_thousand_problems
    client.force_login(user)
    with django_assert_max_num_queries(10):  # 9, and since when each row's problem is open
        response = client.get(URL, {"page": "3", "type": "sales-invoice"})
    html = response.content.decode()

    assert response.status_code == 200
    assert len(row_ids(html)) == PROBLEMS_PAGE_SIZE
    assert "Showing 101–150 of 10000" in html
    assert summary_counts(html) == assess.queue_counts(organisation, DocType.SALES_INVOICE)
    assert summary_counts(html) == {"NOT_SENT": PROBLEMS // 2, "BLANK_LINE": PROBLEMS // 2}
    assert heading_count(html, "NOT_SENT") == PROBLEMS // 2
    assert group_codes(html) == ["not_sent"]  # page 3 of 200: every NOT_SENT comes first
