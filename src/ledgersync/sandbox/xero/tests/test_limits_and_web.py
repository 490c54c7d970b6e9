"""Rate limits (60 a minute, 5,000 a day per organisation) with Xero's headers, and the
read-only web view at go.xero.com's contact-link shape."""

from __future__ import annotations


def test_every_answer_says_what_is_left(xero):
    first = xero.get("/Organisation")
    second = xero.get("/Nothing/Here")
    assert (first.headers["X-MinLimit-Remaining"], first.headers["X-DayLimit-Remaining"]) == (
        "59",
        "4999",
    )
    assert first.headers["X-AppMinLimit-Remaining"] == "9999"
    assert (second.status_code, second.headers["X-MinLimit-Remaining"]) == (404, "58")


def test_the_61st_call_in_a_minute_is_a_429_naming_the_minute(xero, app):
    for _ in range(60):
        assert xero.get("/Organisation").status_code == 200
    refused = xero.get("/Organisation")
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-MinLimit-Remaining"] == "0"
    app.clock.advance(61)
    assert xero.get("/Organisation").status_code == 200


def test_the_daily_limit_names_the_day(xero):
    xero.http.put("/_sandbox/limits", json={"per_day": 1})
    assert xero.get("/Organisation").headers["X-DayLimit-Remaining"] == "0"
    refused = xero.get("/Organisation")
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "day")
    assert int(refused.headers["Retry-After"]) > 60


def test_a_contact_link_opens_the_contact(xero):
    contact_id = xero.contact_id("Harbour Cafe")
    page = xero.http.get(f"/Contacts/View/{contact_id}")
    assert page.status_code == 200
    assert "<title>Harbour Cafe</title>" in page.text and "S0990" in page.text
    assert xero.http.get("/Contacts/View/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_document_page_shows_its_lines_and_total(xero):
    invoice_id = xero.get("/Invoices", params={"InvoiceNumbers": "S1003"}).json()["Invoices"][0][
        "InvoiceID"
    ]
    page = xero.http.get("/AccountsReceivable/View.aspx", params={"InvoiceID": invoice_id})
    assert (
        "Oakfield Primary School" in page.text
        and "<td class='num' id='total'>180.00</td>" in page.text
    )


def test_a_query_string_past_xeros_url_limit_is_refused(xero):
    # "InvoiceNumbers=" and 203 numbers of 7 characters, 202 encoded commas: 2,042.
    fits = ",".join(f"S{n:06d}" for n in range(203))
    assert xero.get("/Invoices", params={"InvoiceNumbers": fits}).status_code == 200
    too_long = ",".join(f"S{n:06d}" for n in range(204))  # 2,052
    refused = xero.get("/Invoices", params={"InvoiceNumbers": too_long})
    assert (refused.status_code, refused.json()["Type"]) == (400, "QueryParseException")
