"""Contacts (names unique among active ones) and the list parameters: searchTerm, where,
order, paging, includeArchived, IDs."""

from __future__ import annotations

UNIQUE = (
    "The contact name Harbour Cafe is already assigned to another contact. "
    "The contact name must be unique across all active contacts."
)


def names(answer) -> list[str]:
    return [c["Name"] for c in answer.json()["Contacts"]]


def test_a_name_is_unique_among_active_contacts_only(xero):
    answer = xero.put(
        "/Contacts",
        {"Contacts": [{"Name": "Harbour Cafe"}, {"Name": "Old Mill Bakery"}]},
        params={"summarizeErrors": "false"},
    )
    first, second = answer.json()["Contacts"]
    assert (
        first["ValidationErrors"] == [{"Message": UNIQUE}] and first["HasValidationErrors"] is True
    )
    assert (second["StatusAttributeString"], second["ContactStatus"]) == ("OK", "ACTIVE")
    assert len(names(xero.get("/Contacts", params={"searchTerm": "harbour cafe"}))) == 1


def test_contact_ids_are_guids(xero):
    created = xero.put("/Contacts", {"Contacts": [{"Name": "Northgate Dental Practice"}]}).json()[
        "Contacts"
    ][0]
    assert len(created["ContactID"]) == 36 and created["ContactID"].count("-") == 4


def test_search_term_where_and_order(xero):
    assert names(xero.get("/Contacts", params={"searchTerm": "LETTINGS"})) == [
        "Greenway Lettings Limited"
    ]
    where = 'Name.StartsWith("B") OR Name.EndsWith("Marine")'
    assert names(xero.get("/Contacts", params={"where": where, "order": "Name DESC"})) == [
        "Tidewater Marine",
        "Builders Merchants Direct",
        "Bright Spark Electrical",
    ]


def test_archived_contacts_are_left_out_unless_asked_for(xero):
    assert "Old Mill Bakery" not in names(xero.get("/Contacts"))
    assert "Old Mill Bakery" in names(xero.get("/Contacts", params={"includeArchived": "true"}))


def test_pages_hold_page_size_records(xero):
    first = xero.get("/Contacts", params={"page": 1, "pageSize": 4}).json()
    last = xero.get("/Contacts", params={"page": 3, "pageSize": 4}).json()
    assert first["pagination"] == {"page": 1, "pageSize": 4, "pageCount": 3, "itemCount": 11}
    assert (len(first["Contacts"]), len(last["Contacts"])) == (4, 3)


def test_invoices_filter_by_contact_status_and_date(xero):
    supplier = xero.contact_id("Builders Merchants Direct")
    by_contact = xero.get("/Invoices", params={"ContactIDs": supplier}).json()["Invoices"]
    assert [i["InvoiceNumber"] for i in by_contact] == ["BMD-5521"]
    paid = xero.get("/Invoices", params={"Statuses": "PAID"}).json()["Invoices"]
    assert sorted(i["InvoiceNumber"] for i in paid) == ["S0990", "S0991", "S0992", "S0993", "S0994"]
    where = (
        'Type=="ACCREC" && Date >= DateTime(2000, 01, 01) && Contact.ContactID==GUID("'
        + supplier
        + '")'
    )
    assert xero.get("/Invoices", params={"where": where}).json()["Invoices"] == []


def test_a_where_that_does_not_parse_is_a_query_parse_exception(xero):
    answer = xero.get("/Contacts", params={"where": 'Name=="unterminated'})
    assert (answer.status_code, answer.json()["Type"], answer.json()["ErrorNumber"]) == (
        400,
        "QueryParseException",
        16,
    )
