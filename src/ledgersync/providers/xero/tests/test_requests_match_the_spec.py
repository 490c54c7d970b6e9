"""Every request the connector sends to the Accounting API validates against
xero-accounting.yaml: one run through every operation it uses, each request checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledgersync.providers.base import (
    ContactKind,
    DocType,
    NewContact,
    OutboundDocument,
    OutboundLine,
)
from ledgersync.sandbox.xero.app import XeroSandbox
from ledgersync.sandbox.xero.tests.spec import CheckingTransport

from .sandboxed import connect

USED = {
    ("get", "/Organisation"),
    ("get", "/Contacts"),
    ("get", "/Contacts/{ContactID}"),
    ("put", "/Contacts"),
    ("get", "/Accounts"),
    ("get", "/TaxRates"),
    ("get", "/Invoices"),
    ("put", "/Invoices"),
    ("get", "/CreditNotes"),
    ("put", "/CreditNotes"),
}


def document(
    doc_type: DocType, number: str, contact_id: str, tax_code: str | None = "S"
) -> OutboundDocument:
    nominal = "5000" if doc_type is DocType.SUPPLIER_INVOICE else "4000"
    line = OutboundLine("Labour, 2 hours", Decimal("2"), Decimal("75.1234"), nominal, tax_code)
    return OutboundDocument(
        f"key-{number}",
        doc_type,
        number,
        contact_id,
        None,
        date(2025, 3, 1),
        None,
        "GBP",
        "c/o Lee Property Agents",
        (line,),
    )


def test_every_request_the_connector_sends_matches_the_document():
    app = XeroSandbox()
    checking = CheckingTransport(app.transport(), requests=True)
    connector = connect(app, checking)
    connector.company()
    harbour = connector.find_contacts("Harbour Cafe", ContactKind.CUSTOMER)[0].contact.id
    supplier = connector.find_contacts("Builders Merchants Direct", ContactKind.SUPPLIER)[
        0
    ].contact.id
    assert connector.get_contact(harbour, ContactKind.CUSTOMER).name == "Harbour Cafe"
    connector.create_contact(
        NewContact(
            ContactKind.CUSTOMER,
            "Northgate Dental Practice",
            email="a@b.example",
            phone="01202 555111",
        )
    )
    connector.reference_data()
    assert connector.existing_numbers(DocType.SALES_INVOICE, ["S1003", "S,1"]) == {"S1003"}
    assert connector.existing_numbers(DocType.SUPPLIER_INVOICE, ["BMD-5521"], supplier) == {
        "BMD-5521"
    }
    assert connector.existing_numbers(DocType.SALES_CREDIT_NOTE, ["C1"]) == set()
    results = connector.push(
        [
            document(DocType.SALES_INVOICE, "S2001", harbour),
            document(DocType.SALES_CREDIT_NOTE, "C2001", harbour, tax_code=None),
            document(DocType.SUPPLIER_INVOICE, "BMD-7001", supplier),
        ]
    )
    assert [r.ok for r in results] == [True, True, True]
    seen = {(method, template) for method, template, _ in checking.seen}
    assert seen == USED
