"""Classes and locations (the Department entity): seeded, listed by query, booked on lines and
headers, and refused when a Ref names none, as QuickBooks does (Intuit's Class / Department
entities; ClassRef on SalesItemLineDetail and AccountBasedExpenseLineDetail, reference/qbo.md).
"""

from __future__ import annotations

import httpx

from ledgersync.sandbox.core import demo
from ledgersync.sandbox.quickbooks.tests.conftest import fault_of
from ledgersync.sandbox.quickbooks.tests.test_documents import create_invoice, sales_line


def test_the_seeded_classes_and_locations_are_listed_by_query_active_only(api):
    classes = api.rows("select * from Class", "Class")
    locations = api.rows("select * from Department", "Department")

    assert [c["Name"] for c in classes] == list(demo.DEMO_JOBS)
    assert all(c["Active"] is True and c["SubClass"] is False for c in classes)
    assert [d["FullyQualifiedName"] for d in locations] == list(demo.DEMO_PLACES)
    everything = api.rows("select * from Class where Active in (true, false)", "Class")
    assert [c["Name"] for c in everything] == [*demo.DEMO_JOBS, demo.RETIRED_JOB]


def test_an_invoice_keeps_its_lines_class_and_its_location_with_their_names(api):
    servicing = api.one("Class", "Name", "Servicing")
    bath = api.one("Department", "Name", "Bath")
    line = sales_line(api, 100, ClassRef={"value": servicing["Id"]})

    response = api.post(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "DocNumber": "S4001",
            "DepartmentRef": {"value": bath["Id"]},
            "Line": [line],
        },
    )

    assert response.status_code == 200, response.text
    invoice = response.json()["Invoice"]
    assert invoice["DepartmentRef"] == {"value": bath["Id"], "name": "Bath"}
    detail = invoice["Line"][0]["SalesItemLineDetail"]
    assert detail["ClassRef"] == {"value": servicing["Id"], "name": "Servicing"}


def test_a_class_or_location_that_does_not_exist_is_refused_with_2500(api):
    refused = api.post(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "DocNumber": "S4002",
            "Line": [sales_line(api, 100, ClassRef={"value": "999"})],
        },
    )
    no_place = api.post(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "DocNumber": "S4003",
            "DepartmentRef": {"value": "999"},
            "Line": [sales_line(api, 100)],
        },
    )

    for response, kind in ((refused, "Class"), (no_place, "Department")):
        assert response.status_code == 400
        error = fault_of(response)["Error"][0]
        assert error["code"] == "2500"
        assert error["Detail"] == f"Invalid Reference Id : {kind} element id 999 not found"
    numbers = {i.get("DocNumber") for i in api.rows("select * from Invoice", "Invoice")}
    assert not numbers & {"S4002", "S4003"}


def test_an_inactive_class_is_refused_as_inactive(api):
    retired = api.rows(
        f"select * from Class where Name = '{demo.RETIRED_JOB}' and Active = false", "Class"
    )[0]

    response = api.post(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "Line": [sales_line(api, 100, ClassRef={"value": retired["Id"]})],
        },
    )

    assert response.status_code == 400
    assert fault_of(response)["Error"][0]["code"] == "610"


def test_a_class_can_be_created_and_a_second_of_the_same_name_is_refused(api):
    created = api.post("class", {"Name": "Plastering"})
    again = api.post("class", {"Name": "plastering"})

    assert created.status_code == 200, created.text
    assert created.json()["Class"]["FullyQualifiedName"] == "Plastering"
    assert again.status_code == 400
    assert fault_of(again)["Error"][0]["code"] == "6240"
    invoice = create_invoice(
        api,
        "S4004",
        [sales_line(api, 10, ClassRef={"value": created.json()["Class"]["Id"]})],
    )
    assert invoice["Line"][0]["SalesItemLineDetail"]["ClassRef"]["name"] == "Plastering"


def test_the_web_view_lists_classes_and_locations_and_shows_them_on_the_invoice(app, api):
    servicing = api.one("Class", "Name", "Repairs")
    invoice = api.post(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "DocNumber": "S4005",
            "DepartmentRef": {"value": api.one("Department", "Name", "Bristol")["Id"]},
            "Line": [sales_line(api, 100, ClassRef={"value": servicing["Id"]})],
        },
    ).json()["Invoice"]
    web = httpx.Client(transport=app.transport(), base_url="http://qbo.sandbox.test")

    listing = web.get("/app/classes").text
    page = web.get("/app/invoice", params={"txnId": invoice["Id"]}).text

    for name in (*demo.DEMO_JOBS, *demo.DEMO_PLACES):
        assert f"<td>{name}</td>" in listing
    assert "Class Repairs" in page
    assert "Location Bristol" in page
