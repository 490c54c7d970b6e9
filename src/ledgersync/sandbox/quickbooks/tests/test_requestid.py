"""requestid: the same id gets the same stored answer and never a second write."""

from __future__ import annotations

from ledgersync.sandbox.quickbooks.tests.conftest import fault_of


def customer(name: str) -> dict:
    return {"DisplayName": name}


def test_a_repeated_requestid_replays_the_first_answer_without_writing_again(api):
    first = api.post("customer", customer("Northgate Dental Practice"), requestid="req-1")
    again = api.post("customer", customer("Northgate Dental Practice"), requestid="req-1")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert (
        len(
            api.rows(
                "select * from Customer where DisplayName = 'Northgate Dental Practice'", "Customer"
            )
        )
        == 1
    )


def test_without_a_requestid_a_retry_is_a_second_attempt(api):
    api.post("customer", customer("Lee Property Agents"))
    retry = api.post("customer", customer("Lee Property Agents"))
    assert fault_of(retry)["Error"][0]["code"] == "6240"


def test_a_stored_fault_is_replayed_too(api):
    first = api.post("customer", customer("Harbour Cafe"), requestid="req-dup")
    assert (
        api.post("customer", customer("Something else"), requestid="req-dup").content
        == first.content
    )
    assert api.rows("select * from Customer where DisplayName = 'Something else'", "Customer") == []


def test_requestids_are_per_company(app, api, us_api):
    assert api.post("vendor", {"DisplayName": "Shared Id Ltd"}, requestid="same").status_code == 200
    from ledgersync.sandbox.quickbooks.tests.conftest import Api

    other = Api(app, "9341452168453013")
    assert other.post("vendor", {"DisplayName": "Shared Id Ltd"}, requestid="same").json()[
        "Vendor"
    ]["Id"]
    assert (
        len(other.rows("select * from Vendor where DisplayName = 'Shared Id Ltd'", "Vendor")) == 1
    )


def test_a_requestid_longer_than_50_characters_is_refused(api):
    response = api.post("customer", customer("Too Long Ltd"), requestid="x" * 51)
    assert fault_of(response)["Error"][0]["code"] == "2130"
    assert api.rows("select * from Customer where DisplayName = 'Too Long Ltd'", "Customer") == []


def test_a_replayed_batch_is_not_run_twice(api):
    body = {
        "BatchItemRequest": [
            {"bId": "1", "operation": "create", "Vendor": {"DisplayName": "Batch Once Ltd"}}
        ]
    }
    first = api.post("batch", body, requestid="batch-1")
    assert api.post("batch", body, requestid="batch-1").content == first.content
    assert len(api.rows("select * from Vendor where DisplayName = 'Batch Once Ltd'", "Vendor")) == 1
