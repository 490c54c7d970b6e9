"""Batches: summarizeErrors, the documented behaviour without it, and Idempotency-Key."""

from __future__ import annotations

from ledgersync.sandbox.xero.tests.conftest import invoice


def numbers(xero, *wanted: str) -> list[str]:
    rows = xero.get("/Invoices", params={"InvoiceNumbers": ",".join(wanted)}).json()["Invoices"]
    return sorted(r["InvoiceNumber"] for r in rows)


def test_summarize_errors_false_answers_200_with_each_element(xero):
    harbour = xero.contact_id("Harbour Cafe")
    body = {
        "Invoices": [
            invoice(harbour, "S2001"),
            invoice(harbour, "S1003"),
            invoice(harbour, "S2002"),
        ]
    }
    answer = xero.put("/Invoices", body, params={"summarizeErrors": "false"})
    assert answer.status_code == 200
    elements = answer.json()["Invoices"]
    assert [e["StatusAttributeString"] for e in elements] == ["OK", "ERROR", "OK"]
    assert elements[1]["InvoiceID"] == "00000000-0000-0000-0000-000000000000"
    assert numbers(xero, "S2001", "S2002") == ["S2001", "S2002"]


def test_without_summarize_errors_a_bad_element_is_a_400_yet_the_good_ones_are_kept(xero):
    harbour = xero.contact_id("Harbour Cafe")
    body = {"Invoices": [invoice(harbour, "S2001"), invoice(harbour, "S1003")]}
    answer = xero.put("/Invoices", body)
    assert answer.status_code == 400
    error = answer.json()
    assert (error["ErrorNumber"], error["Type"], error["Message"]) == (
        10,
        "ValidationException",
        "A validation exception occurred",
    )
    assert [e["InvoiceNumber"] for e in error["Elements"]] == ["S1003"]
    assert error["Elements"][0]["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]
    assert numbers(xero, "S2001") == ["S2001"]


def test_the_same_idempotency_key_replays_the_first_answer(xero):
    harbour = xero.contact_id("Harbour Cafe")
    body = {"Invoices": [invoice(harbour, "S2001")]}
    headers = {"Idempotency-Key": "run-7-batch-1"}
    first = xero.put("/Invoices", body, headers=headers, params={"summarizeErrors": "false"})
    again = xero.put("/Invoices", body, headers=headers, params={"summarizeErrors": "false"})
    assert again.content == first.content
    assert numbers(xero, "S2001") == ["S2001"]
    fresh = xero.put(
        "/Invoices", body, headers={"Idempotency-Key": "other"}, params={"summarizeErrors": "false"}
    )
    assert fresh.json()["Invoices"][0]["ValidationErrors"] == [
        {"Message": "Invoice # must be unique."}
    ]


def test_an_idempotency_key_over_128_characters_is_refused(xero):
    harbour = xero.contact_id("Harbour Cafe")
    answer = xero.put(
        "/Invoices", {"Invoices": [invoice(harbour)]}, headers={"Idempotency-Key": "k" * 129}
    )
    assert answer.status_code == 400
    assert numbers(xero, "S2001") == []


def test_an_empty_body_is_no_data_processed(xero):
    answer = xero.put("/Invoices", {"Invoices": []})
    assert answer.json()["Type"] == "NoDataProcessedException"
