"""POST /batch: up to 30 items, each with its own answer or Fault, under one HTTP 200."""

from __future__ import annotations

from ledgersync.sandbox.quickbooks.tests.conftest import fault_of


def test_the_documented_batch_request_gets_an_answer_per_item(api):
    body = {
        "BatchItemRequest": [
            {"bId": "bid1", "operation": "create", "Vendor": {"DisplayName": "Smith Family Store"}},
            {"bId": "bid2", "operation": "delete", "Invoice": {"Id": "129", "SyncToken": "0"}},
            {
                "bId": "bid3",
                "operation": "update",
                "SalesReceipt": {
                    "Id": "11",
                    "SyncToken": "0",
                    "sparse": True,
                    "PrivateNote": "A private note.",
                },
            },
            {"bId": "bid4", "Query": "select * from SalesReceipt where TotalAmt > '300.00'"},
        ]
    }
    response = api.post("batch", body)
    assert response.status_code == 200
    items = response.json()["BatchItemResponse"]
    assert [i["bId"] for i in items] == ["bid1", "bid2", "bid3", "bid4"]
    assert items[0]["Vendor"]["DisplayName"] == "Smith Family Store"
    assert items[1] == {
        "bId": "bid2",
        "Fault": {
            "Error": [
                {
                    "Message": "Object Not Found",
                    "Detail": "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
                    "code": "610",
                    "element": "",
                }
            ],
            "type": "ValidationFault",
        },
    }
    assert items[2]["Fault"]["Error"][0]["code"] == "500"
    assert items[3] == {"bId": "bid4", "QueryResponse": {}}


def test_a_duplicate_name_in_a_batch_is_a_fault_in_that_item_only(api):
    body = {
        "BatchItemRequest": [
            {"bId": "1", "operation": "create", "Vendor": {"DisplayName": "Harbour Cafe"}},
            {
                "bId": "2",
                "operation": "create",
                "Customer": {"DisplayName": "Northgate Dental Practice"},
            },
        ]
    }
    items = api.post("batch", body).json()["BatchItemResponse"]
    assert items[0]["Fault"]["Error"][0]["code"] == "6240"
    assert items[1]["Customer"]["DisplayName"] == "Northgate Dental Practice"
    assert api.rows("select * from Vendor where DisplayName = 'Harbour Cafe'", "Vendor") == []


def test_queries_in_a_batch_answer_like_the_query_endpoint(api):
    body = {
        "BatchItemRequest": [
            {"bId": "a", "Query": "select * from Account where AcctNum = '4000'"},
            {"bId": "b", "Query": "select * from TaxCode"},
        ]
    }
    items = api.post("batch", body).json()["BatchItemResponse"]
    assert items[0]["QueryResponse"]["Account"][0]["Name"] == "Sales - Labour"
    assert len(items[1]["QueryResponse"]["TaxCode"]) == 5


def test_options_data_allows_a_duplicate_doc_number_per_item(api):
    invoice = api.one("Invoice", "DocNumber", "S1003")
    copy = {k: invoice[k] for k in ("CustomerRef", "DocNumber")}
    copy["Line"] = invoice["Line"][:1]
    body = {
        "BatchItemRequest": [
            {"bId": "1", "operation": "create", "Invoice": copy},
            {
                "bId": "2",
                "operation": "create",
                "optionsData": ["allowduplicatedocnum"],
                "Invoice": copy,
            },
        ]
    }
    items = api.post("batch", body).json()["BatchItemResponse"]
    assert items[0]["Fault"]["Error"][0]["code"] == "6140"
    assert items[1]["Invoice"]["DocNumber"] == "S1003"


def test_more_than_30_items_is_1040_and_nothing_runs(api):
    body = {
        "BatchItemRequest": [
            {"bId": str(i), "operation": "create", "Vendor": {"DisplayName": f"V{i}"}}
            for i in range(31)
        ]
    }
    response = api.post("batch", body)
    assert response.status_code == 400
    assert fault_of(response)["Error"][0] == {
        "Message": "Batch size exceeds allowed limit",
        "Detail": "Batch size exceeds allowed limit : Batch Size: 31 exceeds allowed limit: 30",
        "code": "1040",
        "element": "",
    }
    assert api.rows("select * from Vendor where DisplayName = 'V0'", "Vendor") == []


def test_batch_calls_have_their_own_per_minute_limit(app, api):
    app.limiter.update({"batch_per_minute": 2})
    body = {"BatchItemRequest": [{"bId": "a", "Query": "select * from TaxCode"}]}
    assert [api.post("batch", body).status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("companyinfo/1").status_code == 200
