"""The query language: operators, escaping, paging, ordering, counting and its errors."""

from __future__ import annotations

from ledgersync.sandbox.quickbooks.tests.conftest import fault_of


def names(rows: list[dict], field: str = "DisplayName") -> list[str]:
    return [r[field] for r in rows]


def test_equals_is_case_insensitive_for_keywords_fields_and_values(api):
    rows = api.rows("SeLeCt * FrOm customer WHERE displayname = 'harbour cafe'", "Customer")
    assert names(rows) == ["Harbour Cafe"]


def test_in_matches_any_listed_value(api):
    rows = api.rows(
        "select * from Customer where DisplayName in ('Harbour Cafe', 'Tidewater Marine') orderby DisplayName",
        "Customer",
    )
    assert names(rows) == ["Harbour Cafe", "Tidewater Marine"]


def test_like_supports_percent_only(api):
    assert names(
        api.rows(
            "select * from Customer where DisplayName like 'Riverside%' orderby Id", "Customer"
        )
    ) == [
        "Riverside Property Management",
        "Riverside - 4 Quay Street",
    ]
    assert names(api.rows("select * from Customer where DisplayName like '%cafe'", "Customer")) == [
        "Harbour Cafe"
    ]
    assert (
        api.rows("select * from Customer where DisplayName like 'Harbour_Cafe'", "Customer") == []
    )


def test_and_combines_conditions(api):
    rows = api.rows(
        "select * from Invoice where CustomerRef = '1' and DocNumber = 'S0995'", "Invoice"
    )
    assert names(rows, "DocNumber") == ["S0995"]


def test_backslash_escapes_a_quote(api):
    api.post("vendor", {"DisplayName": "Cutlery 'R Us"})
    assert names(
        api.rows("select * from Vendor where DisplayName = 'Cutlery \\'R Us'", "Vendor")
    ) == ["Cutlery 'R Us"]


def test_orderby_desc_startposition_and_maxresults_page_the_results(api):
    text = "select * from Invoice where DocNumber like 'S099%' orderby DocNumber desc startposition 3 maxresults 2"
    response = api.query(text).json()["QueryResponse"]
    assert names(response["Invoice"], "DocNumber") == ["S0997", "S0996"]
    assert (response["startPosition"], response["maxResults"]) == (3, 2)


def test_count_returns_only_the_total(api):
    assert api.query("select count(*) from Invoice").json()["QueryResponse"] == {"totalCount": 11}


def test_no_match_is_an_empty_query_response(api):
    assert api.query("select * from Invoice where DocNumber = 'NOPE'").json()["QueryResponse"] == {}


def test_inactive_records_are_left_out_unless_asked_for(api):
    customer = api.one("Customer", "DisplayName", "Kingsmead Surgery")
    api.post(
        "customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False},
    )
    assert (
        api.rows("select * from Customer where DisplayName = 'Kingsmead Surgery'", "Customer") == []
    )
    rows = api.rows(
        "select * from Customer where DisplayName = 'Kingsmead Surgery' and Active = false",
        "Customer",
    )
    assert names(rows) == ["Kingsmead Surgery"]


def test_numbers_and_dates_compare_in_order(api):
    big = api.rows("select * from Invoice where TotalAmt > '1000'", "Invoice")
    assert names(big, "DocNumber") == ["S0993", "S0997"]  # 1500.00 and 1056.00
    recent = api.rows("select * from Account where AcctNum >= '7500'", "Account")
    assert names(recent, "AcctNum") == ["7500", "8200"]


def test_or_is_a_parse_error(api):
    response = api.query("select * from Customer where DisplayName = 'a' OR DisplayName = 'b'")
    assert response.status_code == 400
    assert fault_of(response) == {
        "Error": [
            {
                "Message": "Error parsing query",
                "Detail": 'QueryParserError: Encountered " <OR> "OR "" at line 1, column 48.\nWas expecting one of:\n'
                '    <EOF>\n    "and" ...\n    "iterator" ...\n    "maxresults" ...\n    "order" ...\n'
                '    "orderby" ...\n    "startposition" ...\n    ',
                "code": "4000",
                "element": "",
            }
        ],
        "type": "ValidationFault",
    }


def test_an_unescaped_quote_is_a_parse_error(api):
    response = api.query("select * from Vendor where DisplayName = 'Cutlery 'R Us'")
    assert fault_of(response)["Error"][0]["code"] == "4000"
    assert fault_of(response)["Error"][0]["Detail"].startswith(
        'QueryParserError: Encountered " <IDENTIFIER> "R ""'
    )


def test_an_empty_query_is_a_parse_error(api):
    assert (
        fault_of(api.query(""))["Error"][0]["Detail"]
        == "QueryParserError: The query provided was empty"
    )


def test_an_unknown_property_is_4001(api):
    response = api.query("select * from Customer where Nickname = 'x'")
    assert fault_of(response)["Error"][0] == {
        "Message": "Invalid query",
        "Detail": "QueryValidationError: Property Nickname not found for Entity Customer",
        "code": "4001",
        "element": "",
    }


def test_id_accepts_only_equals_and_in(api):
    assert api.rows("select * from Customer where Id in ('1', '2')", "Customer")[1]["Id"] == "2"
    assert (
        fault_of(api.query("select * from Customer where Id > '1'"))["Error"][0]["code"] == "4001"
    )


def test_a_query_can_be_posted_as_application_text(api):
    response = api.http.post(
        api.url("query"),
        content="select * from Item where Name = 'Services'",
        headers={"Content-Type": "application/text"},
    )
    assert names(response.json()["QueryResponse"]["Item"], "Name") == ["Services"]
