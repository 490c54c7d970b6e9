"""Documents: create with lines, idempotently by external_ref; read; update while unsynced;
list with filters; mark sent; mark and unmark for sync."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Document
from ledgersync.sync.models import DocumentState
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db

INVOICE = {
    "type": "sales_invoice",
    "account": "A1042",
    "external_ref": "job-4411",
    "issue_date": "2026-11-02",
    "lines": [
        {"text": "Boiler service", "quantity": "1", "unit_price": "95.00", "nominal": "4000"},
        {"text": "Thermocouple", "quantity": 2, "unit_price": 18.5, "nominal": "4000"},
    ],
}


def test_a_document_is_created_with_its_lines_and_totals(api, org):
    response = api.post("/documents", INVOICE)

    assert response.status_code == 201
    body = response.json()
    assert (body["type"], body["number"], body["account"], body["issue_date"]) == (
        "sales_invoice",
        "S0001",
        "A1042",
        "2026-11-02",
    )
    assert [
        (li["text"], li["quantity"], li["unit_price"], li["net"], li["tax"]) for li in body["lines"]
    ] == [
        ("Boiler service", "1", "95.00", "95.00", "19.00"),
        ("Thermocouple", "2", "18.50", "37.00", "7.40"),
    ]
    assert (body["net_total"], body["tax_total"], body["gross_total"]) == (
        "132.00",
        "26.40",
        "158.40",
    )
    assert body["sync"] == {
        "status_code": None,
        "message": "",
        "failures": [],
        "remote_id": None,
        "remote_draft": False,
        "synced_at": None,
    }
    assert body["post_as"] == ""  # as the organisation's setting says


def test_a_repeated_post_with_the_same_external_ref_returns_the_same_document(api, org):
    first = api.post("/documents", INVOICE)
    again = api.post("/documents", {**INVOICE, "reference": "changed"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Document.objects.filter(organisation=org).count() == 1


def test_a_supplier_invoice_names_its_supplier_and_reference(api, org):
    body = {
        "type": "supplier_invoice",
        "supplier": "P1",
        "number": "BMD-6010",
        "lines": [{"text": "Copper pipe", "unit_price": "96.40", "nominal": "5000"}],
    }

    assert api.post("/documents", body).json()["supplier"] == "P1"
    again = api.post("/documents", body)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "duplicate")
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"account": "A404"}, "account", "No account numbered 'A404'"),
        (
            {"lines": [{"text": "x", "unit_price": "1", "nominal": "9999"}]},
            "lines[1]",
            "Nominal code '9999' on line 1 is not in your nominal codes",
        ),
        (
            {"lines": [{"text": "x", "unit_price": "abc", "nominal": "4000"}]},
            "lines[1].unit_price",
            None,
        ),
        (
            {
                "lines": [
                    {"text": "x", "unit_price": "9999999999", "nominal": "4000", "quantity": "1000"}
                ]
            },
            "lines[1]",
            None,
        ),
        ({"supplier": "P1"}, "supplier", "A sales invoice names an account, not a supplier"),
        ({"issue_date": "2026-13-01"}, "issue_date", None),
    ],
)
def test_a_bad_document_is_refused_naming_the_field_and_nothing_is_saved(
    api, org, change, field, message
):
    response = api.post("/documents", {**INVOICE, **change})

    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", field)
    if message:
        assert error["message"] == message
    assert not Document.objects.exists()


def test_an_unsynced_document_is_updated_and_its_lines_replaced(api, org):
    doc = api.post("/documents", INVOICE).json()

    response = api.patch(
        f"/documents/{doc['id']}",
        {
            "reference": "PO 77",
            "due_date": "2026-12-02",
            "lines": [{"text": "Boiler service (revised)", "unit_price": "90", "nominal": "4000"}],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["reference"], body["due_date"], body["gross_total"]) == (
        "PO 77",
        "2026-12-02",
        "108.00",
    )
    assert [li["text"] for li in body["lines"]] == ["Boiler service (revised)"]


def test_a_synced_document_cannot_change(api, org):
    doc = api.post("/documents", INVOICE).json()
    DocumentState.objects.create(
        document_id=doc["id"], status_code=StatusCode.SYNCED, remote_id="150"
    )

    response = api.patch(f"/documents/{doc['id']}", {"reference": "too late"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_synced"
    assert Document.objects.get(pk=doc["id"]).reference == ""
    assert api.post(f"/documents/{doc['id']}/unmark").status_code == 409


def test_marking_sent_and_for_sync(api, org):
    doc = api.post("/documents", INVOICE).json()

    sent = api.post(f"/documents/{doc['id']}/sent", {"via": "post"}).json()
    marked = api.post(f"/documents/{doc['id']}/mark").json()

    assert (sent["sent_via"], sent["sent_at"] is not None) == ("post", True)
    assert marked["marked_for_sync"] is True
    assert (
        api.post(f"/documents/{doc['id']}/sent", {"via": "email"}).json()["sent_at"]
        == sent["sent_at"]
    )
    assert api.post(f"/documents/{doc['id']}/unmark").json()["marked_for_sync"] is False
    assert (
        api.post(f"/documents/{doc['id']}/sent", {"via": "pigeon"}).json()["error"]["field"]
        == "via"
    )


def test_documents_are_listed_with_filters(api, org):
    api.post("/documents", {**INVOICE, "sent_via": "email", "mark_for_sync": True})
    api.post("/documents", {**INVOICE, "external_ref": "job-2", "issue_date": "2026-10-01"})

    assert api.get("/documents").json()["count"] == 2
    assert [d["number"] for d in api.get("/documents", sent="true").json()["items"]] == ["S0001"]
    assert [
        d["number"] for d in api.get("/documents", marked_for_sync="false").json()["items"]
    ] == ["S0002"]
    assert [d["number"] for d in api.get("/documents", issued_to="2026-10-31").json()["items"]] == [
        "S0002"
    ]
    assert api.get("/documents", external_ref="job-2").json()["items"][0]["number"] == "S0002"
    assert api.get("/documents", type="supplier_invoice").json()["count"] == 0
    assert api.get("/documents", synced="false").json()["count"] == 2
    assert api.get("/documents", type="bogus").status_code == 422


def test_a_document_that_does_not_exist_is_404(api, org):
    response = api.get("/documents/999999")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "field": None,
        "details": [],
        "message": "No document with that id in your organisation.",
    }


def test_moving_a_supplier_invoice_onto_a_reference_the_supplier_has_is_a_conflict(api, org):
    api.post("/suppliers", {"number": "P2", "name": "Apex Plant Hire Ltd"})
    bill = {
        "type": "supplier_invoice",
        "number": "INV-1",
        "lines": [{"text": "Hire", "unit_price": "10", "nominal": "5000"}],
    }
    api.post("/documents", {**bill, "supplier": "P1"})
    second = api.post("/documents", {**bill, "supplier": "P2"}).json()

    response = api.patch(f"/documents/{second['id']}", {"supplier": "P1"})

    assert (response.status_code, response.json()["error"]["code"]) == (409, "duplicate")
    assert Document.objects.get(pk=second["id"]).supplier.number == "P2"


def test_a_document_may_be_posted_as_a_draft_and_says_what_else_it_may_be(api, org):
    created = api.post("/documents", {**INVOICE, "post_as": "draft"})
    assert created.status_code == 201 and created.json()["post_as"] == "draft"

    changed = api.patch(f"/documents/{created.json()['id']}", {"post_as": "approved"})
    assert changed.status_code == 200 and changed.json()["post_as"] == "approved"
    refused = api.patch(f"/documents/{created.json()['id']}", {"post_as": "pending"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "post_as" and "'approved' or 'draft'" in error["message"]
    assert Document.objects.get().post_as == "approved"


def test_a_document_not_in_the_package_cannot_be_voided_and_says_why(api, org):
    doc = api.post("/documents", INVOICE).json()

    refused = api.post(f"/documents/{doc['id']}/void")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "cannot_void"
    assert refused.json()["error"]["message"] == (
        "Sales Invoice S0001 is not in the package, so there is nothing to void: unmark it for "
        "sync instead."
    )
