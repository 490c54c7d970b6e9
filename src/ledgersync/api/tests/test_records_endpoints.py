"""Accounts, suppliers, nominal codes and tax codes: create, read, update, list."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Account, NominalCode, Supplier, TaxCode

pytestmark = pytest.mark.django_db


def test_an_account_is_created_read_updated_and_listed(api, org):
    created = api.post(
        "/accounts", {"number": "A2001", "name": "Seaview Hotel", "city": "Falmouth"}
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["number"], body["name"], body["kind"], body["company"], body["accs_id"]) == (
        "A2001",
        "Seaview Hotel",
        "company",
        None,
        None,
    )
    assert api.get(f"/accounts/{body['id']}").json() == body

    updated = api.patch(f"/accounts/{body['id']}", {"email": "accounts@seaview.example"})

    assert updated.status_code == 200
    assert (updated.json()["email"], updated.json()["city"]) == (
        "accounts@seaview.example",
        "Falmouth",
    )
    assert [a["number"] for a in api.get("/accounts").json()["items"]] == ["A1042", "A2001"]


def test_a_site_names_its_company(api, org):
    response = api.post(
        "/accounts", {"number": "A2002", "name": "Cafe annexe", "kind": "site", "company": "A1042"}
    )

    assert response.status_code == 201
    assert response.json()["company"] == "A1042"
    assert api.get("/accounts", company="A1042").json()["items"][0]["number"] == "A2002"
    assert api.get("/accounts", kind="site").json()["count"] == 1


def test_a_site_without_a_known_company_is_refused_with_the_field(api, org):
    response = api.post(
        "/accounts", {"number": "A2002", "name": "Annexe", "kind": "site", "company": "A404"}
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "company"
    assert response.json()["error"]["message"] == "No company account numbered 'A404'"
    assert not Account.objects.filter(number="A2002").exists()


def test_a_second_account_with_the_same_number_is_a_conflict(api, org):
    response = api.post("/accounts", {"number": "A1042", "name": "Someone else"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"
    assert Account.objects.get(number="A1042").name == "Harbour Cafe"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "", "name": "X"}, "number"),
        ({"number": "A1", "name": ""}, "name"),
        ({"number": "A1", "name": "X", "email": "not-an-email"}, "email"),
        ({"number": "A1", "name": "X", "country": "GBR"}, "country"),
        ({"number": "A1", "name": "X" * 201}, "name"),
        ({"number": "A1\x00", "name": "X"}, "number"),
    ],
)
def test_bad_account_fields_are_named(api, org, body, field):
    response = api.post("/accounts", body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == field
    assert Account.objects.count() == 1


def test_lists_page_and_filter(api, org):
    for n in range(5):
        api.post("/accounts", {"number": f"B{n}", "name": f"Customer {n}"})

    page = api.get("/accounts", limit=2, offset=1).json()

    assert (page["count"], page["limit"], page["offset"]) == (6, 2, 1)
    assert [a["number"] for a in page["items"]] == ["B0", "B1"]
    assert [a["number"] for a in api.get("/accounts", q="customer 3").json()["items"]] == ["B3"]
    assert api.get("/accounts", limit=0).status_code == 422
    assert api.get("/accounts", limit=201).json()["error"]["field"] == "limit"


def test_suppliers_are_created_updated_and_listed(api, org):
    created = api.post("/suppliers", {"number": "P2", "name": "Apex Plant Hire Ltd"}).json()

    api.patch(f"/suppliers/{created['id']}", {"phone": "01872 000000"})

    assert Supplier.objects.get(number="P2").phone == "01872 000000"
    assert api.get("/suppliers", number="P2").json()["items"][0]["phone"] == "01872 000000"
    assert api.post("/suppliers", {"number": "P2", "name": "Again"}).status_code == 409


def test_tax_codes_are_created_updated_and_listed(api, org):
    created = api.post("/tax-codes", {"code": "R", "name": "Reduced", "rate": "5"})

    assert created.status_code == 201
    assert created.json()["rate"] == "5"
    api.patch(f"/tax-codes/{created.json()['id']}", {"rate": "5.5"})
    assert TaxCode.objects.get(code="R").rate == TaxCode.objects.get(code="R").rate.__class__("5.5")
    assert [t["code"] for t in api.get("/tax-codes").json()["items"]] == ["R", "S"]
    assert api.post("/tax-codes", {"code": "R", "name": "Again", "rate": 5}).status_code == 409
    assert api.post("/tax-codes", {"code": "X", "name": "Too much", "rate": 101}).status_code == 422


def test_nominal_codes_are_created_with_a_tax_code_and_updated(api, org):
    created = api.post(
        "/nominal-codes",
        {"code": "4010", "description": "Materials", "kind": "sales", "default_tax_code": "S"},
    )

    assert created.status_code == 201
    assert created.json()["default_tax_code"] == "S"
    response = api.patch(f"/nominal-codes/{created.json()['id']}", {"default_tax_code": None})
    assert response.json()["default_tax_code"] is None
    assert NominalCode.objects.get(code="4010").default_tax_code is None
    missing = api.post(
        "/nominal-codes",
        {"code": "4020", "description": "X", "kind": "sales", "default_tax_code": "Q"},
    )
    assert (missing.status_code, missing.json()["error"]["field"]) == (422, "default_tax_code")
    assert not NominalCode.objects.filter(code="4020").exists()
