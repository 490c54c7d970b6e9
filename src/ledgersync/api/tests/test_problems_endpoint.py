"""GET /sync/problems: the Needs attention list through the API, the same documents, order
and counts as the web page (both read sync/problems.py), the caller's organisation only."""

from __future__ import annotations

import datetime as dt

import pytest

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import DocType, Document
from ledgersync.sync import assess, problems
from ledgersync.sync.models import Attempt, AttemptState, DocumentState, Problem
from ledgersync.sync.status import NEEDS_ATTENTION, StatusCode, check_failure
from ledgersync.web.tests.helpers import other_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_api():
    organisation = seed_demo()
    return organisation, ApiClient(create_key(organisation, "job system")[1])


def test_it_lists_every_type_in_the_pages_order_with_the_queues_counts(demo_api):
    organisation, api = demo_api

    body = api.get("/sync/problems", limit=200).json()

    assert [item["id"] for item in body["items"]] == list(
        problems.problems(organisation).values_list("pk", flat=True)
    )
    expected: dict[str, int] = {}
    for doc_type in DocType:
        for code, n in assess.queue_counts(organisation, doc_type).items():
            if code in NEEDS_ATTENTION:
                expected[code] = expected.get(code, 0) + n
    assert body["counts"] == expected
    assert list(body["counts"]) == [code for code in NEEDS_ATTENTION if code in expected]
    assert body["count"] == sum(expected.values())
    s1001 = next(item for item in body["items"] if item["number"] == "S1001")
    assert s1001 == {
        "id": Document.objects.get(number="S1001").pk,
        "type": "sales_invoice",
        "number": "S1001",
        "party": "A1001",
        "party_name": "Harbour Cafe",
        "issue_date": Document.objects.get(number="S1001").issue_date.isoformat(),
        "gross_total": "216.00",
        "status_code": "NOT_SENT",
        "message": "Cannot sync until marked as sent.",
        "failed_attempts": 0,
        "waiting_since": s1001["waiting_since"],
        "times": 1,
    }
    waiting = Problem.objects.get(document__number="S1001", code="NOT_SENT", resolved_at=None)
    shown = dt.datetime.fromisoformat(s1001["waiting_since"])
    assert abs(shown - waiting.seen_at) < dt.timedelta(milliseconds=1)  # JSON keeps ms


def test_it_counts_failed_sends_and_filters_like_the_page(demo_api):
    organisation, api = demo_api
    s1002 = Document.objects.get(number="S1002")
    for n in range(3):
        Attempt.objects.create(
            organisation=organisation,
            document=s1002,
            provider="quickbooks",
            company_id="9130",
            idempotency_key=f"k{n}",
            state=AttemptState.FAILED if n else AttemptState.SUCCEEDED,
        )

    # Numbers match in any case, as on the page.
    body = api.get("/sync/problems", type="sales_invoice", account="a1001").json()

    assert {item["number"] for item in body["items"]} == set(
        Document.objects.filter(
            doc_type=DocType.SALES_INVOICE, account__number="A1001", marked_for_sync=True
        ).values_list("number", flat=True)
    )
    assert next(i for i in body["items"] if i["number"] == "S1002")["failed_attempts"] == 2
    suppliers = api.get("/sync/problems", supplier="P2003").json()
    assert {item["type"] for item in suppliers["items"]} == {"supplier_invoice"}
    day = s1002.issue_date.isoformat()
    dated = api.get("/sync/problems", issued_from=day, issued_to=day).json()
    assert [item["number"] for item in dated["items"]] == ["S1002"]


def test_an_unknown_or_another_organisations_account_is_refused_with_its_field(demo_api):
    organisation, api = demo_api
    other_tenant()  # has A1042

    response = api.get("/sync/problems", account="A1042")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "account"
    assert "No account has the number A1042." in response.json()["error"]["message"]
    assert api.get("/sync/problems", issued_from="yesterday").status_code == 422


def test_another_organisations_documents_never_show(demo_api):
    organisation, api = demo_api
    other, _, document = other_tenant()
    document.marked_for_sync = True
    document.save()
    DocumentState.record(document, [check_failure(StatusCode.BLANK_LINE, line=1)])

    ids = [item["id"] for item in api.get("/sync/problems", limit=200).json()["items"]]

    assert document.pk not in ids
    assert len(ids) == problems.problems(organisation).count()
