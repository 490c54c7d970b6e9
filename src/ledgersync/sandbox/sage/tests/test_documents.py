"""POST /sales_invoices, /sales_credit_notes, /purchase_invoices: numbering, tax, totals
and the documented 422 error arrays; idempotency_id replay."""

from __future__ import annotations

from ledgersync.sandbox.sage.tests.conftest import invoice_body


def error(response) -> list[tuple[str, str, str]]:
    return [(e["$dataCode"], e["$message"], e["$source"]) for e in response.json()]


def test_sage_numbers_the_invoice_and_keeps_ours_in_reference(api):
    answer = api.post("/sales_invoices", invoice_body(api))
    assert answer.status_code == 201
    body = answer.json()
    assert (body["displayed_as"], body["invoice_number"], body["reference"]) == (
        "SI-5",
        "SI-5",
        "S2001",
    )
    assert (body["net_amount"], body["tax_amount"], body["total_amount"]) == (
        "150.0",
        "30.0",
        "180.0",
    )
    assert body["status"]["id"] == "UNPAID"
    assert (
        body["links"][0]["href"]
        == f"http://sage.sandbox.test/invoicing/sales_invoices/{body['id']}"
    )


def test_credit_notes_share_the_invoice_counter(api):
    body = invoice_body(api)["sales_invoice"]
    body["credit_note_lines"] = body.pop("invoice_lines")
    answer = api.post("/sales_credit_notes", {"sales_credit_note": body})
    assert answer.status_code == 201
    assert answer.json()["credit_note_number"] == "SCN-5"


def test_a_line_without_a_tax_rate_takes_its_ledger_accounts_default(api):
    answer = api.post("/sales_invoices", invoice_body(api, line={"tax_rate_id": None}))
    assert answer.status_code == 201
    assert answer.json()["invoice_lines"][0]["tax_rate"]["id"] == "GB_STANDARD"


def test_every_missing_field_is_listed(api):
    answer = api.post("/sales_invoices", {"sales_invoice": {"invoice_lines": [{}]}})
    assert answer.status_code == 422
    assert error(answer) == [
        ("RecordInvalid", "This field is required.", "contact_id"),
        ("RecordInvalid", "This field is required.", "date"),
        ("RecordInvalid", "This field is required.", "invoice_lines.description"),
        ("RecordInvalid", "This field is required.", "invoice_lines.unit_price"),
        ("RecordInvalid", "This field is required.", "invoice_lines.ledger_account_id"),
    ]
    assert api.items("/sales_invoices", search="S2001") == []


def test_a_ledger_account_not_visible_in_sales_is_refused(api):
    answer = api.post(
        "/sales_invoices", invoice_body(api, line={"ledger_account_id": api.account(5000)})
    )
    assert answer.status_code == 422
    assert error(answer) == [
        (
            "RecordInvalid",
            "The ledger account Purchases - Materials (5000) is not visible in sales",
            "invoice_lines.ledger_account_id",
        )
    ]


def test_a_standard_rate_line_needs_its_tax_amount(api):
    answer = api.post("/sales_invoices", invoice_body(api, line={"tax_amount": None}))
    assert answer.status_code == 422
    assert error(answer) == [
        (
            "RecordInvalid",
            "is required unless the tax rate is of a 'zero', 'exempt' or 'no_tax' type",
            "invoice_lines.tax_amount",
        )
    ]
    zero = api.post(
        "/sales_invoices", invoice_body(api, line={"tax_amount": None, "tax_rate_id": "GB_ZERO"})
    )
    assert zero.status_code == 201


def test_an_account_with_no_default_rate_needs_one_on_the_line(api):
    line = {"ledger_account_id": api.account(4030), "tax_rate_id": None}
    answer = api.post("/sales_invoices", invoice_body(api, line=line))
    assert error(answer) == [
        ("RecordInvalid", "This field is required.", "invoice_lines.tax_rate_id")
    ]


def test_a_purchase_invoice_needs_a_vendor(api):
    body = invoice_body(api, due_date="2025-03-31", vendor_reference="X-1")["sales_invoice"]
    body["invoice_lines"][0]["ledger_account_id"] = api.account(5000)
    answer = api.post("/purchase_invoices", {"purchase_invoice": body})
    assert answer.status_code == 422
    assert error(answer) == [("RecordInvalid", "Couldn't find Supplier.", "")]
    body["contact_id"] = api.contact("Apex Plant Hire")
    created = api.post("/purchase_invoices", {"purchase_invoice": body}).json()
    assert (created["displayed_as"], created["vendor_reference"]) == ("S2001", "X-1")


def test_a_purchase_invoice_needs_a_due_date_and_quantities(api):
    body = {
        "contact_id": api.contact("Apex Plant Hire"),
        "date": "2025-03-01",
        "invoice_lines": [
            {
                "description": "Hire",
                "ledger_account_id": api.account(7500),
                "unit_price": 10,
                "tax_rate_id": "GB_EXEMPT",
            }
        ],
    }
    answer = api.post("/purchase_invoices", {"purchase_invoice": body})
    assert [source for _, _, source in error(answer)] == ["due_date", "invoice_lines.quantity"]


def test_unknown_ids_are_record_not_found(api):
    answer = api.post("/sales_invoices", invoice_body(api, contact_id="0" * 32))
    assert (answer.status_code, error(answer)) == (
        404,
        [("RecordNotFound", "Couldn't find record.", "contact_id")],
    )
    assert api.get(f"/sales_invoices/{'0' * 32}").status_code == 404


def test_an_idempotency_id_is_answered_again_not_applied_twice(api):
    body = invoice_body(api)
    body["sales_invoice"]["idempotency_id"] = "c3a8adaa26daf36e02f3c672b69e3323"
    first = api.post("/sales_invoices", body)
    again = api.post("/sales_invoices", body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert len(api.items("/sales_invoices", search="S2001")) == 1


def test_an_idempotency_id_is_kept_for_seven_days(app, api):
    body = invoice_body(api)
    body["sales_invoice"]["idempotency_id"] = "c3a8adaa26daf36e02f3c672b69e3323"
    first = api.post("/sales_invoices", body).json()
    app.clock.advance(6 * 86400)
    later = type(api)(app)  # a fresh token: the first one lasted five minutes
    assert later.post("/sales_invoices", body).json()["id"] == first["id"]
    app.clock.advance(2 * 86400)
    later = type(api)(app)
    assert later.post("/sales_invoices", body).json()["id"] != first["id"]


def test_there_is_no_batch_endpoint(api):
    answer = api.post("/batch", {"sales_invoices": []})
    assert answer.status_code == 404
    assert answer.json()[0]["$dataCode"] == "RouteNotFound"


def test_a_payment_settles_an_invoice(api):
    invoice = api.post("/sales_invoices", invoice_body(api)).json()
    bank = api.items("/bank_accounts")[0]["id"]
    payment = {
        "contact_payment": {
            "transaction_type_id": "CUSTOMER_RECEIPT",
            "contact_id": invoice["contact"]["id"],
            "bank_account_id": bank,
            "date": "2025-03-10",
            "total_amount": 180.0,
            "allocated_artefacts": [{"artefact_id": invoice["id"], "amount": 100.0}],
        }
    }
    assert api.post("/contact_payments", payment).status_code == 201
    after = api.get(f"/sales_invoices/{invoice['id']}").json()
    assert (after["status"]["id"], after["outstanding_amount"], after["total_paid"]) == (
        "PART_PAID",
        "80.0",
        "100.0",
    )


def test_a_draft_stays_a_draft_takes_no_payment_and_goes_without_a_reason(api):
    body = invoice_body(api)
    body["sales_invoice"]["status_id"] = "DRAFT"
    draft = api.post("/sales_invoices", body).json()
    assert draft["status"]["id"] == "DRAFT"
    bank = api.items("/bank_accounts")[0]["id"]
    payment = {
        "contact_payment": {
            "transaction_type_id": "CUSTOMER_RECEIPT",
            "contact_id": draft["contact"]["id"],
            "bank_account_id": bank,
            "date": "2025-03-10",
            "total_amount": 10.0,
            "allocated_artefacts": [{"artefact_id": draft["id"], "amount": 10.0}],
        }
    }
    refused = api.post("/contact_payments", payment)
    assert refused.status_code == 422
    assert error(refused)[0][1:] == (
        "can't be allocated to a draft",
        "allocated_artefacts.artefact_id",
    )

    gone = api.http.delete(f"/v3.1/sales_invoices/{draft['id']}")
    assert gone.status_code == 204  # no void_reason needed
    assert api.get(f"/sales_invoices/{draft['id']}").status_code == 404
    body["sales_invoice"]["status_id"] = "PAID"
    assert error(api.post("/sales_invoices", body))[0][1:] == (
        "is not a valid status for a new document",
        "status_id",
    )
