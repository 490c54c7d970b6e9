"""Queue, suggestions, links, runs and the connection, against each provider's sandbox."""

from __future__ import annotations

import pytest

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.models import Account
from ledgersync.sync import engine
from ledgersync.sync.models import AccsIdLink, RunState, SyncRun

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_api(demo):
    organisation, _ = demo
    return ApiClient(create_key(organisation, "job system")[1])


def account_id(number: str) -> int:
    return Account.objects.get(organisation__slug="demo", number=number).pk


def test_the_connection_says_which_company_it_is(demo_api, demo):
    _, connection = demo

    body = demo_api.get("/connection").json()

    assert (body["status"], body["provider"], body["company_id"]) == (
        "connected",
        connection.provider,
        connection.company_id,
    )


def test_without_a_connection_linking_and_syncing_say_not_connected(api, org):
    assert api.get("/connection").json()["status"] == "disconnected"
    account = Account.objects.get(organisation=org).pk

    for response in (
        api.post("/sync/runs", {"type": "sales_invoice"}),
        api.get(f"/accounts/{account}/suggestions"),
        api.post(f"/accounts/{account}/link", {"method": "create_new"}),
    ):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "not_connected"
    assert not SyncRun.objects.exists()


def test_suggestions_offer_link_this_for_an_identical_name(demo_api):
    body = demo_api.get(f"/accounts/{account_id('A1001')}/suggestions").json()

    assert body["accs_id"] is None
    assert body["link_this"]["name"] == "Harbour Cafe"
    assert body["link_this"]["exact"] is True
    assert body["matches"][0] == body["link_this"]


def test_link_this_links_the_identical_contact(demo_api):
    suggested = demo_api.get(f"/accounts/{account_id('A1001')}/suggestions").json()["link_this"][
        "id"
    ]

    response = demo_api.post(f"/accounts/{account_id('A1001')}/link", {"method": "link_this"})

    assert response.status_code == 200
    assert (response.json()["accs_id"], response.json()["method"]) == (suggested, "link_this")
    assert demo_api.get(f"/accounts/{account_id('A1001')}").json()["accs_id"] == suggested


def test_link_this_without_an_identical_name_is_a_conflict(demo_api):
    response = demo_api.post(f"/accounts/{account_id('A1003')}/link", {"method": "link_this"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_exact_match"
    assert not AccsIdLink.objects.exists()


def test_create_new_makes_the_contact_in_the_package_and_links_it(demo_api):
    response = demo_api.post(f"/accounts/{account_id('A1003')}/link", {"method": "create_new"})

    assert response.status_code == 200
    assert response.json()["method"] == "create_new"
    again = demo_api.get(f"/accounts/{account_id('A1003')}/suggestions").json()
    assert again["link_this"]["id"] == response.json()["accs_id"] == again["accs_id"]


def test_a_wrong_typed_accs_id_is_refused_with_the_reason(demo_api):
    response = demo_api.post(
        f"/accounts/{account_id('A1001')}/link", {"method": "accs_id", "accs_id": "abc"}
    )

    assert response.status_code == 422
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "link_refused",
        "accs_id",
    )
    assert (
        "abc" in response.json()["error"]["message"]
        or "not available" in response.json()["error"]["message"]
    )
    assert not AccsIdLink.objects.exists()


def test_unlinking_removes_the_accs_id(demo_api):
    demo_api.post(f"/accounts/{account_id('A1001')}/link", {"method": "link_this"})

    assert demo_api.delete(f"/accounts/{account_id('A1001')}/link").status_code == 204
    assert not AccsIdLink.objects.exists()
    assert (
        demo_api.delete(f"/accounts/{account_id('A1001')}/link").json()["error"]["code"]
        == "not_linked"
    )


def test_a_sync_run_reports_its_result_and_the_queue_keeps_every_failing_check(demo_api, demo):
    organisation, _ = demo
    organisation.batch_size = 20
    organisation.save()
    demo_api.post(f"/accounts/{account_id('A1001')}/link", {"method": "link_this"})

    started = demo_api.post("/sync/runs", {"type": "sales_invoice"})

    assert started.status_code == 202
    run = demo_api.get(f"/sync/runs/{started.json()['id']}").json()
    assert run["state"] == "finished"
    # The run took only what was ready; the others were judged before it and wait.
    assert [(r["number"], r["status_code"]) for r in run["results"]] == [("S1002", "SYNCED")]
    assert (run["synced_count"], run["failed_count"]) == (1, 0)
    queue = demo_api.get("/sync/queues/sales_invoice").json()
    numbers = [item["number"] for item in queue["items"]]
    assert "S1002" not in numbers and numbers == sorted(numbers)
    assert queue["counts"]["NOT_SENT"] == 1
    first = next(item for item in queue["items"] if item["number"] == "S1001")
    assert first["failures"][0] == {
        "code": "NOT_SENT",
        "message": "Cannot sync until marked as sent.",
        "remedy": "Email the invoice, or open its Print dialogue and set Sent to Yes.",
    }
    blank = next(
        item for item in queue["items"] if item["number"] == "S1008"
    )  # every check, not only the first
    assert blank["failures"][0]["code"] == "ACCOUNT_NOT_LINKED"
    assert {
        "code": "BLANK_LINE",
        "message": "Line 2 has no text",
        "remedy": "Give every line some text.",
    } in blank["failures"]
    assert demo_api.get("/sync/queues/sales_invoice", status_code="NOT_SENT").json()["count"] == 1


def test_a_second_run_while_one_is_live_is_a_conflict_and_can_be_stopped(demo_api, demo):
    organisation, _ = demo
    demo_api.post(f"/accounts/{account_id('A1001')}/link", {"method": "link_this"})  # S1002
    live = engine.start_run(organisation, "sales_invoice")

    response = demo_api.post("/sync/runs", {"type": "supplier_invoice", "auto": True})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "run_in_progress"
    assert str(live.pk) in response.json()["error"]["message"]
    assert SyncRun.objects.count() == 1
    assert [r["id"] for r in demo_api.get("/sync/runs", live="true").json()["items"]] == [live.pk]
    stopped = demo_api.post(f"/sync/runs/{live.pk}/stop").json()
    assert (stopped["stop_requested"], stopped["state"]) == (True, "stopped")  # no worker held it


def test_stopping_a_finished_run_is_a_conflict(demo_api, demo):
    organisation, _ = demo
    demo_api.post(f"/accounts/{account_id('A1001')}/link", {"method": "link_this"})  # S1002
    run = engine.start_run(organisation, "sales_invoice")
    SyncRun.objects.filter(pk=run.pk).update(state=RunState.FINISHED)

    response = demo_api.post(f"/sync/runs/{run.pk}/stop")

    assert (response.status_code, response.json()["error"]["code"]) == (409, "run_over")


def test_a_read_only_key_cannot_start_a_run(demo):
    organisation, _ = demo
    reader = ApiClient(create_key(organisation, "reports", read_only=True)[1])

    assert reader.post("/sync/runs", {"type": "sales_invoice"}).status_code == 403
    assert reader.get("/sync/queues/sales_invoice").status_code == 200
    assert not SyncRun.objects.exists()
