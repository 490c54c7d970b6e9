"""Tracking categories: seeded (two, Xero's most), listed at GET /TrackingCategories as the
spec's getTrackingCategories answers, kept on lines with both names and ids, and an unknown
category or option by name dropped from the line rather than refused (calcinai/xero-php#84).
"""

from __future__ import annotations

import httpx

from ledgersync.sandbox.core import demo
from ledgersync.sandbox.xero.tests.conftest import ROOT, invoice


def line_with(tracking: list[dict]) -> list[dict]:
    return [
        {
            "Description": "Labour",
            "Quantity": 1,
            "UnitAmount": 100,
            "AccountCode": "4000",
            "Tracking": tracking,
        }
    ]


def test_the_two_seeded_categories_are_listed_with_their_active_options(xero):
    answer = xero.get("/TrackingCategories")
    archived = xero.get("/TrackingCategories", params={"includeArchived": "true"})

    assert answer.status_code == 200
    categories = answer.json()["TrackingCategories"]
    assert [(c["Name"], c["Status"]) for c in categories] == [
        ("Job", "ACTIVE"),
        ("Region", "ACTIVE"),
    ]
    assert [o["Name"] for o in categories[0]["Options"]] == list(demo.DEMO_JOBS)
    assert [o["Name"] for o in categories[1]["Options"]] == list(demo.DEMO_PLACES)
    job = archived.json()["TrackingCategories"][0]
    assert [o["Name"] for o in job["Options"]] == [*demo.DEMO_JOBS, demo.RETIRED_JOB]


def test_a_line_keeps_its_category_and_option_by_name_with_their_ids(xero):
    job = xero.get("/TrackingCategories").json()["TrackingCategories"][0]
    servicing = job["Options"][0]
    body = invoice(
        xero.contact_id("Harbour Cafe"),
        LineItems=line_with([{"Name": "job", "Option": "servicing"}]),
    )

    answer = xero.put("/Invoices", {"Invoices": [body]})

    assert answer.status_code == 200, answer.text
    line = answer.json()["Invoices"][0]["LineItems"][0]
    assert line["Tracking"] == [
        {
            "Name": "Job",
            "Option": "Servicing",
            "TrackingCategoryID": job["TrackingCategoryID"],
            "TrackingOptionID": servicing["TrackingOptionID"],
        }
    ]


def test_an_unknown_option_or_category_by_name_is_dropped_and_the_invoice_booked(xero):
    body = invoice(
        xero.contact_id("Harbour Cafe"),
        LineItems=line_with(
            [{"Name": "Job", "Option": "Plastering"}, {"Name": "Colour", "Option": "Red"}]
        ),
    )

    answer = xero.put("/Invoices", {"Invoices": [body]})

    assert answer.status_code == 200, answer.text
    booked = answer.json()["Invoices"][0]
    assert booked["Status"] == "AUTHORISED"
    assert booked["LineItems"][0]["Tracking"] == []


def test_an_archived_option_is_dropped_like_an_unknown_one(xero):
    body = invoice(
        xero.contact_id("Harbour Cafe"),
        LineItems=line_with([{"Name": "Job", "Option": demo.RETIRED_JOB}]),
    )

    answer = xero.put("/Invoices", {"Invoices": [body]})

    assert answer.json()["Invoices"][0]["LineItems"][0]["Tracking"] == []


def test_an_option_id_that_names_nothing_is_a_validation_error(xero):
    job = xero.get("/TrackingCategories").json()["TrackingCategories"][0]
    body = invoice(
        xero.contact_id("Harbour Cafe"),
        LineItems=line_with(
            [
                {
                    "TrackingCategoryID": job["TrackingCategoryID"],
                    "TrackingOptionID": "00000000-0000-0000-0000-000000000001",
                }
            ]
        ),
    )

    answer = xero.put("/Invoices", {"Invoices": [body]})

    assert answer.status_code == 400
    messages = [e["Message"] for e in answer.json()["Elements"][0]["ValidationErrors"]]
    assert messages == ["The TrackingOptionID is not valid."]


def test_the_web_view_lists_the_categories_and_shows_a_lines_tracking(app, xero):
    body = invoice(
        xero.contact_id("Harbour Cafe"),
        "S2050",
        LineItems=line_with([{"Name": "Region", "Option": "Bath"}]),
    )
    booked = xero.put("/Invoices", {"Invoices": [body]}).json()["Invoices"][0]
    web = httpx.Client(transport=app.transport(), base_url=ROOT)

    listing = web.get("/TrackingCategories").text
    page = web.get("/AccountsReceivable/View.aspx", params={"InvoiceID": booked["InvoiceID"]})

    assert "<h2>Job (ACTIVE)</h2>" in listing and "<h2>Region (ACTIVE)</h2>" in listing
    assert f"<td>{demo.RETIRED_JOB}</td><td>ARCHIVED</td>" in listing
    assert "Labour · Region: Bath" in page.text
