"""GET on collections: the $items envelope, paging, attributes, filters and decimals."""

from __future__ import annotations

from ledgersync.sandbox.sage.ledger import UK_TAX_RATES


def test_items_carry_only_id_displayed_as_and_path_by_default(api):
    body = api.get("/tax_rates").json()
    assert body["$items"][0] == {
        "id": "GB_STANDARD",
        "displayed_as": "Standard 20.00%",
        "$path": "/tax_rates/GB_STANDARD",
    }
    assert [row["id"] for row in body["$items"]] == [rate[0] for rate in UK_TAX_RATES]


def test_the_envelope_pages_and_links_both_ways(api):
    first = api.get("/contacts", items_per_page=5, contact_type_id="CUSTOMER").json()
    assert {k: first[k] for k in ("$total", "$page", "$back", "$itemsPerPage")} == {
        "$total": 8,
        "$page": 1,
        "$back": None,
        "$itemsPerPage": 5,
    }
    assert first["$next"] == "/contacts?contact_type_id=CUSTOMER&page=2&items_per_page=5"
    second = api.get("/contacts", items_per_page=5, contact_type_id="CUSTOMER", page=2).json()
    assert (len(second["$items"]), second["$next"]) == (3, None)
    assert second["$back"] == "/contacts?contact_type_id=CUSTOMER&page=1&items_per_page=5"


def test_a_page_past_the_end_answers_the_last_page(api):
    body = api.get("/contacts", items_per_page=5, contact_type_id="CUSTOMER", page=9).json()
    assert (body["$page"], len(body["$items"])) == (2, 3)


def test_more_than_200_items_per_page_is_refused(api):
    answer = api.get("/contacts", items_per_page=201)
    assert answer.status_code == 422
    assert answer.json()[0]["$source"] == "items_per_page"


def test_attributes_add_the_named_fields(api):
    row = api.get("/ledger_accounts", attributes="nominal_code,tax_rate").json()["$items"][5]
    assert sorted(row) == ["$path", "displayed_as", "id", "nominal_code", "tax_rate"]
    assert (row["displayed_as"], row["nominal_code"]) == ("Sales - Labour (4000)", 4000)


def test_decimals_travel_as_strings(api):
    invoice = api.one("/sales_invoices", "reference", "S1003")
    assert (invoice["net_amount"], invoice["tax_amount"], invoice["total_amount"]) == (
        "150.0",
        "30.0",
        "180.0",
    )
    assert invoice["invoice_lines"][0]["quantity"] == "1.0"
    assert api.get("/tax_rates/GB_LOWER").json()["percentage"] == "5.0"


def test_contacts_filter_by_search_email_and_type(api):
    found = api.get("/contacts", search="harbour").json()["$items"]
    assert [row["displayed_as"] for row in found] == ["Harbour Cafe (HARB001)"]
    vendors = api.items("/contacts", contact_type_id="VENDOR", exclude_system="true")
    assert [row["name"] for row in vendors] == [
        "Builders Merchants Direct",
        "Apex Plant Hire",
        "Metro Fuel Cards",
    ]
    created = api.post(
        "/contacts",
        {
            "contact": {
                "name": "Lee Property Agents",
                "contact_type_ids": ["CUSTOMER"],
                "main_contact_person": {"email": "lee@agents.example"},
            }
        },
    ).json()
    assert [r["id"] for r in api.items("/contacts", email="LEE@agents.example")] == [created["id"]]


def test_ledger_accounts_filter_by_where_they_are_visible(api):
    sales = [row["nominal_code"] for row in api.items("/ledger_accounts", visible_in="sales")]
    assert sales == [4000, 4010, 4020, 4030]
    expenses = [row["nominal_code"] for row in api.items("/ledger_accounts", visible_in="expenses")]
    assert expenses == [5000, 5010, 7500, 8200]


def test_documents_filter_by_reference_search_and_contact(api):
    found = api.items("/sales_invoices", search="S099")
    assert [row["reference"] for row in found] == ["S0990", "S0995", "S0999"]
    bmd = api.contact("Builders Merchants Direct")
    bills = api.items("/purchase_invoices", contact_id=bmd)
    assert [row["vendor_reference"] for row in bills] == ["BMD-5521"]
    assert api.items("/purchase_invoices", contact_id=api.contact("Apex Plant Hire")) == []
