from __future__ import annotations

import httpx

from ledgersync.providers.http import ErrorDetail
from ledgersync.providers.quickbooks import mapping

from .fixtures import load, raw


def response(status: int, name: str) -> httpx.Response:
    return httpx.Response(status, content=raw(name))


def test_a_fault_reads_as_its_detail_and_code():
    detail = mapping.describe_error(response(400, "fault_duplicate_doc_number.json"))
    assert detail == ErrorDetail(
        "Duplicate Document Number Error : You must specify a different number. This number has "
        "already been used. DocNumber=1001 is assigned to TxnType=Invoice with TxnId=17984",
        "6140",
        None,
    )


def test_the_lower_case_401_fault_reads_as_its_detail():
    detail = mapping.describe_error(response(401, "fault_auth_lowercase.json"))
    assert detail == ErrorDetail("Malformed bearer token: too short or too long", "3200", None)


def test_an_xml_throttle_body_is_a_429_whatever_the_status():
    detail = mapping.describe_error(response(403, "throttle.xml"))
    assert detail == ErrorDetail("The request limit was reached. Try again later", "3001", 429)


def test_a_token_endpoint_error_names_the_oauth_error():
    detail = mapping.describe_error(httpx.Response(400, json={"error": "invalid_grant"}))
    assert detail == ErrorDetail("QuickBooks refused the request (invalid_grant)", "invalid_grant")


def test_batch_faults_map_their_type_to_the_status_they_would_have_had():
    items = mapping.batch_items(load("batch_response.json"))
    assert mapping.fault_detail(items["bid1"]["Fault"]) == ErrorDetail(
        "Duplicate Name Exists Error: The name supplied already exists. : Another customer, "
        "vendor or employee is already using this name. Please use a different name.",
        "6240",
        400,
    )
    system = {"type": "SystemFault", "Error": [{"Message": "Internal error", "code": "10000"}]}
    assert mapping.fault_detail(system).status == 500
