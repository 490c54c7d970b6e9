"""Every answer the sandbox gives for an operation in xero-accounting.yaml validates
against that document (the ``xero`` fixture checks each one as it passes)."""

from __future__ import annotations

from ledgersync.sandbox.xero.tests.conftest import Xero, invoice
from ledgersync.sandbox.xero.tests.spec import OPERATIONS


def _every_operation(xero: Xero) -> None:
    harbour = xero.contact_id("Harbour Cafe")
    contacts = xero.get("/Contacts", params={"page": 1, "pageSize": 3, "order": "Name DESC"}).json()
    xero.get("/Contacts", params={"searchTerm": "harbour", "includeArchived": "true"})
    xero.get(f"/Contacts/{harbour}")
    xero.get("/Contacts/00000000-0000-0000-0000-000000000001")  # 404
    xero.put(
        "/Contacts",
        {"Contacts": [{"Name": "Northgate Dental Practice"}, {"Name": "Harbour Cafe"}]},
        params={"summarizeErrors": "false"},
    )
    xero.put("/Contacts", {"Contacts": [{"Name": ""}]})  # summarized 400
    xero.post("/Contacts", {"Contacts": [{"Name": "Harbour Cafe", "EmailAddress": "a@b.example"}]})
    xero.post(
        f"/Contacts/{harbour}",
        {"Contacts": [{"Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "01202 555000"}]}]},
    )
    created = xero.put(
        "/Invoices",
        {"Invoices": [invoice(harbour), invoice(harbour, "S1003")]},
        params={"summarizeErrors": "false", "unitdp": 4},
    ).json()
    invoice_id = created["Invoices"][0]["InvoiceID"]
    xero.put("/Invoices", {"Invoices": [invoice(harbour, "S1003")]})  # 400 ValidationException
    xero.put("/Invoices", {"Invoices": []})  # 400 NoDataProcessedException
    xero.post(
        "/Invoices",
        {"Invoices": [invoice(harbour, "S2001", Reference="PO 9")]},
        params={"summarizeErrors": "false"},
    )
    xero.get("/Invoices", params={"InvoiceNumbers": "S2001,S1003", "page": 1})
    xero.get(
        "/Invoices",
        params={"where": 'Type=="ACCREC" AND Status!="DELETED"', "order": "InvoiceNumber ASC"},
    )
    xero.get(f"/Invoices/{invoice_id}", params={"unitdp": 4})
    xero.post(f"/Invoices/{invoice_id}", {"Invoices": [{"Reference": "PO 10"}]})
    credit = invoice(harbour, Type="ACCRECCREDIT", InvoiceNumber=None, CreditNoteNumber="C2001")
    credit.pop("DueDate")
    answer = xero.put(
        "/CreditNotes", {"CreditNotes": [credit]}, params={"summarizeErrors": "false"}
    ).json()
    credit_id = answer["CreditNotes"][0]["CreditNoteID"]
    xero.post("/CreditNotes", {"CreditNotes": [credit]}, params={"summarizeErrors": "false"})
    xero.get("/CreditNotes", params={"where": 'CreditNoteNumber=="C2001"'})
    xero.get(f"/CreditNotes/{credit_id}")
    xero.post(f"/CreditNotes/{credit_id}", {"CreditNotes": [{"Reference": "refund"}]})
    paid = xero.put(
        "/Payments",
        {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice_id},
                    "Account": {"Code": "1200"},
                    "Date": "2025-03-05",
                    "Amount": 50,
                }
            ]
        },
    ).json()
    payment_id = paid["Payments"][0]["PaymentID"]
    xero.put(
        "/Payments",
        {
            "Payments": [
                {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "1200"}, "Amount": 9999}
            ]
        },
        params={"summarizeErrors": "false"},
    )
    xero.post(
        "/Payments",
        {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "1200"}, "Amount": 10},
    )
    xero.get("/Payments", params={"page": 1})
    xero.get(f"/Payments/{payment_id}")
    xero.post(f"/Payments/{payment_id}", {"Payments": [{"Status": "DELETED"}]})
    accounts = xero.get(
        "/Accounts", params={"where": 'Status=="ACTIVE" AND Type=="REVENUE"'}
    ).json()["Accounts"]
    xero.get(f"/Accounts/{accounts[0]['AccountID']}")
    xero.get("/TaxRates", params={"order": "Name"})
    xero.get("/Organisation")
    assert contacts["pagination"] == {"page": 1, "pageSize": 3, "pageCount": 4, "itemCount": 11}


def test_every_operation_answers_as_the_document_says(xero):
    _every_operation(xero)
    seen = {(method, template) for method, template, _ in xero.transport.seen}
    assert seen == set(OPERATIONS)
    statuses = {status for _, _, status in xero.transport.seen}
    assert statuses == {200, 400, 404}


def test_the_errors_outside_the_document_have_xeros_documented_shapes(xero, app):
    assert xero.get("/Invoices", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert (
        xero.get(
            "/Invoices", headers={"xero-tenant-id": "00000000-0000-0000-0000-000000000000"}
        ).status_code
        == 403
    )
    assert xero.get("/Invoices/S9999").status_code == 404
    xero.http.post("/_sandbox/faults", json={"kind": "rate_limit"})
    assert xero.get("/Invoices").status_code == 429
    xero.http.post("/_sandbox/faults", json={"kind": "error"})
    assert xero.get("/Organisation").status_code == 500
    app.clock.advance(31 * 60)
    expired = xero.get("/Organisation")
    assert expired.status_code == 401
    assert expired.json()["Detail"].startswith("TokenExpired: token expired at ")
