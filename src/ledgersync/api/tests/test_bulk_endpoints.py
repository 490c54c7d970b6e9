"""Bulk actions through the API, over real HTTP to each sandbox: a preview changes nothing,
a start with a key acts once however often it is sent, progress and outcomes are read back,
and bad requests are 422s in words."""

from __future__ import annotations

import pytest

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.models import Document
from ledgersync.sync import reference
from ledgersync.sync.models import BulkAction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(demo):
    organisation, connection = demo
    reference.refresh(connection)
    return organisation, ApiClient(create_key(organisation, "job system")[1])


def test_preview_then_start_twice_with_one_key(api, sandbox):
    organisation, client = api
    body = {"action": "link_this", "group": "ACCOUNT_NOT_LINKED"}
    preview = client.post("/sync/bulk/preview", body)
    assert preview.status_code == 200, preview.json()
    plan = preview.json()
    assert plan["acting"] >= 1 and plan["documents"] >= plan["acting"]
    assert any(not item["acts"] and "named exactly" in item["outcome"] for item in plan["items"])
    assert not BulkAction.objects.exists()

    first = client.post("/sync/bulk", {**body, "key": "job-42"})
    again = client.post("/sync/bulk", {**body, "key": "job-42"})
    assert first.status_code == again.status_code == 202, first.json()
    assert first.json()["id"] == again.json()["id"]
    assert BulkAction.objects.count() == 1
    done = client.get(f"/sync/bulk/{first.json()['id']}").json()
    assert done["state"] == "done" and done["changed"] == plan["acting"], done
    assert done["progress"].startswith(f"{plan['acting']} done")
    assert {i["state"] for i in done["items"]} == {"changed"}
    assert all(i["account"] or i["supplier"] for i in done["items"])


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_mark_sent_by_ids(api, sandbox):
    organisation, client = api
    unsent = Document.objects.get(organisation=organisation, number="S1001")
    started = client.post(
        "/sync/bulk", {"action": "mark_sent", "documents": [unsent.pk], "key": "k1"}
    ).json()
    assert started["total"] == 1
    unsent.refresh_from_db()
    assert unsent.is_sent


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"action": "recheck"}, "Name the documents"),
        ({"action": "recheck", "all": True, "group": "NOT_SENT"}, "Name the documents"),
        ({"action": "recheck", "documents": []}, "Choose at least one"),
        ({"action": "recheck", "all": True, "account": "A9999"}, "No account has the number"),
        (
            {"action": "mark_sent", "all": True, "type": "sales_credit_note", "key": "x"},
            "Nothing to do",
        ),
    ],
)
@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_bad_requests_say_what_to_fix(api, sandbox, body, words):
    organisation, client = api
    path = "/sync/bulk" if "key" in body else "/sync/bulk/preview"
    answer = client.post(path, body)
    assert answer.status_code == 422, answer.json()
    assert words in answer.json()["error"]["message"], answer.json()
    assert not BulkAction.objects.exists()


@pytest.mark.parametrize(
    "sandbox_server", ["quickbooks"], indirect=True
)  # the same for every package
def test_a_read_only_key_cannot_start_one_and_others_are_not_found(api, sandbox):
    organisation, client = api
    reader = ApiClient(create_key(organisation, "reader", read_only=True)[1])
    assert reader.post("/sync/bulk/preview", {"action": "recheck", "all": True}).status_code == 403
    from ledgersync.records.tests.factories import make_org

    theirs = BulkAction.objects.create(
        organisation=make_org("o2", "Other"), kind="recheck", token="t"
    )
    assert client.get(f"/sync/bulk/{theirs.pk}").status_code == 404
