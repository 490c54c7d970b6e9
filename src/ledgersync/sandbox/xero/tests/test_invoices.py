"""Invoices and credit notes: per-line tax rounding, LineAmountTypes, unitdp, numbering."""

from __future__ import annotations

from ledgersync.sandbox.xero.tests.conftest import invoice

BATCH = {"summarizeErrors": "false"}


def lines(*amounts: str, tax_type: str | None = None) -> list[dict]:
    extra = {"TaxType": tax_type} if tax_type else {}
    return [
        {"Description": "Part", "Quantity": 1, "UnitAmount": a, "AccountCode": "4000", **extra}
        for a in amounts
    ]


def created(xero, body: dict, collection: str = "Invoices", **params) -> dict:
    answer = xero.put(f"/{collection}", {collection: [body]}, params={**BATCH, **params})
    return answer.json()[collection][0]


def test_tax_is_rounded_per_line_then_summed(xero):
    harbour = xero.contact_id("Harbour Cafe")
    element = created(xero, invoice(harbour, LineItems=lines("0.03", "0.03", "0.03")))
    assert [line["TaxAmount"] for line in element["LineItems"]] == [0.01, 0.01, 0.01]
    assert (element["SubTotal"], element["TotalTax"], element["Total"]) == (0.09, 0.03, 0.12)


def test_inclusive_amounts_carry_their_tax_inside(xero):
    harbour = xero.contact_id("Harbour Cafe")
    element = created(
        xero, invoice(harbour, LineAmountTypes="Inclusive", LineItems=lines("120.00", "10.01"))
    )
    assert [line["TaxAmount"] for line in element["LineItems"]] == [20, 1.67]
    assert (element["SubTotal"], element["TotalTax"], element["Total"]) == (108.34, 21.67, 130.01)


def test_no_tax_documents_add_nothing(xero):
    harbour = xero.contact_id("Harbour Cafe")
    element = created(xero, invoice(harbour, LineAmountTypes="NoTax"))
    assert (element["LineItems"][0]["TaxAmount"], element["TotalTax"], element["Total"]) == (
        0,
        0,
        150,
    )


def test_unit_amounts_keep_four_places_only_with_unitdp_4(xero):
    harbour = xero.contact_id("Harbour Cafe")
    four = created(xero, invoice(harbour, "S2001", LineItems=lines("1.23456")), unitdp=4)
    two = created(xero, invoice(harbour, "S2002", LineItems=lines("1.23456")))
    assert (four["LineItems"][0]["UnitAmount"], four["LineItems"][0]["LineAmount"]) == (
        1.2346,
        1.23,
    )
    assert two["LineItems"][0]["UnitAmount"] == 1.23


def test_a_line_takes_its_accounts_tax_type_unless_it_names_one(xero):
    harbour = xero.contact_id("Harbour Cafe")
    element = created(
        xero, invoice(harbour, LineItems=[*lines("10.00"), *lines("10.00", tax_type="RROUTPUT")])
    )
    assert [(ln["TaxType"], ln["TaxAmount"]) for ln in element["LineItems"]] == [
        ("OUTPUT2", 2),
        ("RROUTPUT", 0.5),
    ]


def test_lines_that_cannot_post_say_why(xero):
    harbour = xero.contact_id("Harbour Cafe")
    bad = [
        {"Description": "Sundries", "UnitAmount": 5, "AccountCode": "4030"},
        {"Description": "Other", "UnitAmount": 5, "AccountCode": "4090"},
        {"Description": "Bought in", "UnitAmount": 5, "AccountCode": "4000", "TaxType": "INPUT2"},
        {"Description": "", "UnitAmount": 5, "AccountCode": "4000", "TaxType": "NOPE"},
    ]
    element = created(xero, invoice(harbour, LineItems=bad))
    assert element["StatusAttributeString"] == "ERROR" and element["HasErrors"] is True
    assert [e["Message"] for e in element["ValidationErrors"]] == [
        "Tax rate must be valid.",
        "Account code '4090' is not a valid code for this document.",
        "The TaxType code 'INPUT2' cannot be used with account code '4000'.",
        "Description needs to be at least 1 char long",
        "The TaxType code NOPE does not exist or cannot be used for this type of transaction.",
    ]
    assert xero.get("/Invoices", params={"InvoiceNumbers": "S2001"}).json()["Invoices"] == []


def test_sales_numbers_are_unique_and_bill_numbers_are_not(xero):
    harbour = xero.contact_id("Harbour Cafe")
    supplier = xero.contact_id("Apex Plant Hire")
    duplicate = created(xero, invoice(harbour, "S1003"))
    assert duplicate["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]
    bill = invoice(
        supplier,
        "BMD-5521",
        Type="ACCPAY",
        LineItems=[{"Description": "Hire", "UnitAmount": 90, "AccountCode": "5000"}],
    )
    assert created(xero, bill)["StatusAttributeString"] == "OK"
    bills = xero.get("/Invoices", params={"InvoiceNumbers": "BMD-5521"}).json()["Invoices"]
    assert sorted(b["Contact"]["Name"] for b in bills) == [
        "Apex Plant Hire",
        "Builders Merchants Direct",
    ]


def test_a_document_without_a_number_is_numbered_by_xero(xero):
    harbour = xero.contact_id("Harbour Cafe")
    first = created(xero, invoice(harbour, InvoiceNumber=None))
    credit = invoice(harbour, Type="ACCRECCREDIT", InvoiceNumber=None)
    assert (first["InvoiceNumber"], created(xero, credit, "CreditNotes")["CreditNoteNumber"]) == (
        "INV-0001",
        "CN-0001",
    )


def test_post_updates_a_sales_invoice_that_holds_the_number_and_put_refuses(xero):
    harbour = xero.contact_id("Harbour Cafe")
    original = xero.get("/Invoices", params={"InvoiceNumbers": "S1003"}).json()["Invoices"][0]
    answer = xero.post(
        "/Invoices", {"Invoices": [invoice(harbour, "S1003", Reference="moved")]}, params=BATCH
    ).json()
    updated = answer["Invoices"][0]
    assert (updated["InvoiceID"], updated["Reference"], updated["Contact"]["Name"]) == (
        original["InvoiceID"],
        "moved",
        "Harbour Cafe",
    )
    assert len(xero.get("/Invoices", params={"InvoiceNumbers": "S1003"}).json()["Invoices"]) == 1


def test_an_approved_invoice_needs_a_due_date(xero):
    harbour = xero.contact_id("Harbour Cafe")
    element = created(xero, invoice(harbour, DueDate=None))
    assert element["ValidationErrors"] == [
        {"Message": "The document DueDate field must be specified."}
    ]


def test_an_archived_or_unknown_contact_cannot_be_invoiced(xero):
    archived = xero.get(
        "/Contacts", params={"where": 'Name=="Old Mill Bakery"', "includeArchived": "true"}
    ).json()["Contacts"][0]
    element = created(xero, invoice(archived["ContactID"]))
    assert element["ValidationErrors"][0]["Message"].startswith(
        "The contact with the specified contact details has been archived."
    )
    unknown = created(xero, invoice("11111111-2222-3333-4444-555555555555"))
    assert unknown["ValidationErrors"] == [
        {"Message": "The Contact with the specified ContactID could not be found"}
    ]


def test_a_malformed_guid_fails_the_whole_request(xero):
    answer = xero.put("/Invoices", {"Invoices": [invoice("not-a-guid")]}, params=BATCH)
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "ErrorNumber": 14,
            "Type": "PostDataInvalidException",
            "Message": "Unrecognized Guid format.",
        },
    )


def test_a_payment_in_full_marks_the_invoice_paid(xero):
    harbour = xero.contact_id("Harbour Cafe")
    element = created(xero, invoice(harbour))
    payment = {
        "Invoice": {"InvoiceID": element["InvoiceID"]},
        "Account": {"Code": "1200"},
        "Date": "2025-03-10",
        "Amount": 180,
    }
    assert xero.put("/Payments", {"Payments": [payment]}).status_code == 200
    paid = xero.get(f"/Invoices/{element['InvoiceID']}").json()["Invoices"][0]
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"], paid["FullyPaidOnDate"]) == (
        "PAID",
        0,
        180,
        "/Date(1741564800000+0000)/",
    )
