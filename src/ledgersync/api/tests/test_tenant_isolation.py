"""A key sees only its own organisation's rows, whatever id it asks for."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Account, Document, NominalCode, Supplier, TaxCode
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(org):
    document = create_document(org, invoice_data(external_ref="job-1"))
    return {
        "accounts": Account.objects.get(organisation=org).pk,
        "suppliers": Supplier.objects.get(organisation=org).pk,
        "tax-codes": TaxCode.objects.get(organisation=org).pk,
        "nominal-codes": NominalCode.objects.filter(organisation=org).first().pk,
        "documents": document.pk,
    }


def test_lists_show_only_the_keys_organisation(ours, other_api):
    for collection in ours:
        body = other_api.get(f"/{collection}").json()
        assert all(
            item["id"] not in ours.values() or collection == "documents" for item in body["items"]
        )
    assert other_api.get("/documents").json()["count"] == 0
    assert other_api.get("/accounts", number="A1042").json()["items"][0]["id"] != ours["accounts"]


def test_another_organisations_ids_are_not_found(ours, other_api):
    for collection, pk in ours.items():
        response = other_api.get(f"/{collection}/{pk}")
        assert response.status_code == 404, collection
        assert response.json()["error"]["code"] == "not_found"


def test_another_organisation_cannot_change_or_sync_our_rows(ours, other_api):
    doc = ours["documents"]

    assert other_api.patch(f"/documents/{doc}", {"reference": "hijacked"}).status_code == 404
    assert other_api.post(f"/documents/{doc}/mark").status_code == 404
    assert other_api.post(f"/documents/{doc}/sent", {"via": "email"}).status_code == 404
    assert other_api.patch(f"/accounts/{ours['accounts']}", {"name": "Hijacked"}).status_code == 404
    assert (
        other_api.post(f"/accounts/{ours['accounts']}/link", {"method": "create_new"}).status_code
        == 404
    )

    document = Document.objects.get(pk=doc)
    assert (document.reference, document.marked_for_sync, document.sent_at) == ("", False, None)
    assert Account.objects.get(pk=ours["accounts"]).name == "Harbour Cafe"


def test_an_external_ref_in_another_organisation_makes_a_new_document(ours, other_api, org):
    other_api.post("/accounts", {"number": "A1", "name": "Their Customer"})
    body = {
        "type": "sales_invoice",
        "account": "A1",
        "external_ref": "job-1",
        "lines": [{"text": "Service", "unit_price": "10", "nominal": "4000"}],
    }

    response = other_api.post("/documents", body)

    assert response.status_code == 201
    assert response.json()["id"] != ours["documents"]
    assert Document.objects.filter(external_ref="job-1").count() == 2
