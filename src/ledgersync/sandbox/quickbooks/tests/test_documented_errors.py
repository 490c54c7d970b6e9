"""Every documented error comes back in the shape reference/qbo.md shows (section 6, 7)."""

from __future__ import annotations

import httpx

from ledgersync.sandbox.quickbooks.settings import AuthFaultStyle
from ledgersync.sandbox.quickbooks.tests.conftest import ROOT, Api, fault_of

INACTIVE = (
    "Object Not Found : Something you're trying to use has been made inactive. "
    "Check the fields with accounts, customers, items, vendors or employees."
)


def invoice(api: Api, doc_number: str, customer_id: str = "1", **extra) -> dict:
    item = api.one("Item", "Name", "4000 Sales - Labour")
    return {
        "CustomerRef": {"value": customer_id},
        "DocNumber": doc_number,
        "Line": [
            {
                "Amount": 100.00,
                "DetailType": "SalesItemLineDetail",
                "Description": "Labour",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": item["Id"]},
                    "Qty": 2,
                    "UnitPrice": 50,
                    "TaxCodeRef": {"value": "2"},
                },
            }
        ],
        **extra,
    }


def test_a_duplicate_display_name_is_6240_across_customers_and_vendors(api):
    response = api.post("customer", {"DisplayName": "builders merchants direct"})
    assert response.status_code == 400
    assert fault_of(response) == {
        "Error": [
            {
                "Message": "Duplicate Name Exists Error",
                "Detail": "The name supplied already exists. : Another customer, vendor or employee is already using this \nname. Please use a different name.",
                "code": "6240",
                "element": "",
            }
        ],
        "type": "ValidationFault",
    }
    assert (
        api.rows(
            "select * from Customer where DisplayName = 'Builders Merchants Direct'", "Customer"
        )
        == []
    )


def test_a_duplicate_doc_number_is_6140_naming_the_existing_transaction(api):
    existing = api.one("Invoice", "DocNumber", "S1003")
    response = api.post("invoice", invoice(api, "S1003"))
    assert response.status_code == 400
    assert fault_of(response) == {
        "Error": [
            {
                "Message": "Duplicate Document Number Error",
                "Detail": "Duplicate Document Number Error : You must specify a different number. This number has already been used. "
                f"DocNumber=S1003 is assigned to TxnType=Invoice with TxnId={existing['Id']}",
                "code": "6140",
                "element": "",
            }
        ],
        "type": "ValidationFault",
    }
    assert len(api.rows("select * from Invoice where DocNumber = 'S1003'", "Invoice")) == 1


def test_allowduplicatedocnum_lets_a_duplicate_through(api):
    response = api.post("invoice", invoice(api, "S1003"), include="allowduplicatedocnum")
    assert response.status_code == 200
    assert len(api.rows("select * from Invoice where DocNumber = 'S1003'", "Invoice")) == 2


def test_a_stale_sync_token_is_5010_and_changes_nothing(api):
    customer = api.one("Customer", "DisplayName", "Harbour Cafe")
    first = api.post(
        "customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "first"}
    )
    assert first.json()["Customer"]["SyncToken"] == "1"
    second = api.post(
        "customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "second"}
    )
    assert second.status_code == 400
    assert fault_of(second) == {
        "Error": [
            {
                "Message": "Stale Object Error",
                "Detail": "Stale Object Error : You and root were working on this at the same time. root finished before you did, so your work was not saved.",
                "code": "5010",
                "element": "",
            }
        ],
        "type": "ValidationFault",
    }
    assert api.get(f"customer/{customer['Id']}").json()["Customer"]["Notes"] == "first"


def test_a_missing_required_param_is_2020(api):
    body = invoice(api, "S2020")
    del body["CustomerRef"]
    response = api.post("invoice", body)
    assert response.status_code == 400
    assert fault_of(response) == {
        "Error": [
            {
                "Message": "Required param missing, need to supply the required value for the API",
                "Detail": "Required parameter CustomerRef is missing in the request",
                "code": "2020",
                "element": "CustomerRef",
            }
        ],
        "type": "ValidationFault",
    }
    assert api.rows("select * from Invoice where DocNumber = 'S2020'", "Invoice") == []


def test_an_unknown_reference_is_2500(api):
    response = api.post("invoice", invoice(api, "S2500", customer_id="999"))
    assert response.status_code == 400
    assert fault_of(response) == {
        "Error": [
            {
                "Message": "Invalid Reference Id",
                "Detail": "Invalid Reference Id : Names element id 999 not found",
                "code": "2500",
                "element": "",
            }
        ],
        "type": "ValidationFault",
    }


def test_an_inactive_reference_is_610(api):
    customer = api.one("Customer", "DisplayName", "Castle Hotel Group")
    api.post(
        "customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False},
    )
    response = api.post("invoice", invoice(api, "S0610", customer_id=customer["Id"]))
    assert response.status_code == 400
    assert fault_of(response) == {
        "Error": [
            {"Message": "Object Not Found", "Detail": INACTIVE, "code": "610", "element": ""}
        ],
        "type": "ValidationFault",
    }


def test_reading_a_missing_object_is_610(api):
    response = api.get("invoice/99999")
    assert response.status_code == 400
    assert fault_of(response)["Error"][0]["code"] == "610"


def test_amount_not_qty_times_unit_price_is_6070(api):
    body = invoice(api, "S6070")
    body["Line"][0]["Amount"] = 1000
    response = api.post("invoice", body)
    assert response.status_code == 400
    assert fault_of(response) == {
        "Error": [
            {
                "Message": "Amount calculation incorrect in the request.",
                "Detail": "Amount is not equal to UnitPrice * Qty. Supplied value:1,000",
                "code": "6070",
                "element": "Line.Amount",
            }
        ],
        "type": "ValidationFault",
    }


def test_a_uk_line_without_a_tax_code_is_refused(api):
    body = invoice(api, "S6000")
    del body["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"]
    response = api.post("invoice", body)
    assert fault_of(response)["Error"][0] == {
        "Message": "Business Validation Error",
        "Detail": "Business Validation Error: Make sure all your transactions have a VAT rate before you save.",
        "code": "6000",
        "element": "Line.TaxCodeRef",
    }


def test_a_doc_number_longer_than_21_is_2050(api):
    response = api.post("invoice", invoice(api, "S" * 22))
    assert fault_of(response)["Error"][0]["code"] == "2050"


def test_a_missing_token_is_401_authentication_failed(app, api):
    response = httpx.Client(transport=app.transport(), base_url=ROOT).get(api.url("companyinfo/1"))
    assert response.status_code == 401
    assert response.json() == {
        "Fault": {
            "Error": [
                {
                    "Message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "Detail": "Token is missing",
                    "code": "3200",
                }
            ],
            "type": "AuthenticationFault",
        },
        "time": response.json()["time"],
    }


def test_the_lower_case_401_shape_can_be_chosen(app, api):
    app.settings.auth_fault_style = AuthFaultStyle.LOWER
    client = httpx.Client(
        transport=app.transport(), base_url=ROOT, headers={"Authorization": "Bearer nope"}
    )
    response = client.get(api.url("companyinfo/1"))
    body = response.json()
    assert response.status_code == 401
    assert body == {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": "Token revoked or invalid",
                    "code": "3200",
                    "element": None,
                }
            ],
            "type": "AUTHENTICATION",
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": body["time"],
        "status": None,
        "cdcresponse": [],
    }


def test_a_token_for_another_realm_is_403(app, api):
    response = api.http.get("/v3/company/9341452168453013/companyinfo/1")
    assert response.status_code == 403
    assert response.json()["fault"]["error"][0]["code"] == "3100"


def test_throttling_is_429_with_an_xml_body(app, api):
    app.limiter.update({"per_minute": 1})
    assert api.get("companyinfo/1").status_code == 200
    response = api.get("companyinfo/1")
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/xml"
    time = response.text.split('time="')[1].split('"')[0]
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">'
        '<Fault type="SERVICE"><Error code="3001">'
        "<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>"
        "<Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>"
    )
    assert "Retry-After" not in response.headers
