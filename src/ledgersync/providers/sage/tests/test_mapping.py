"""Sage JSON in and out, on payloads shaped like the reference's captured responses."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx

from ledgersync.providers.base import (
    ContactKind,
    DocType,
    NewContact,
    OutboundDocument,
    OutboundLine,
    RemoteDocument,
)
from ledgersync.providers.sage import mapping
from ledgersync.providers.sage.numbers import search_terms

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load(name: str):
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


def _document(doc_type: DocType, *lines: OutboundLine) -> OutboundDocument:
    return OutboundDocument(
        idempotency_key="6f1c1f5e-3b0e-4d55-9d7e-6b1f0c2a9e41",
        doc_type=doc_type,
        number="S1234",
        contact_id="be4de860ee2c447288cc31385ffa9d73",
        care_of_contact_id=None,
        issue_date=date(2025, 3, 1),
        due_date=None,
        currency="GBP",
        reference="PO 77",
        lines=lines,
    )


def test_a_sales_invoice_answer_reads_as_a_remote_document():
    remote = mapping.parse_document(load("sales_invoice.json"), DocType.SALES_INVOICE)
    assert remote == RemoteDocument(
        remote_id="9c5ba5b37adf4bc29487931ffee67d5f",
        doc_type=DocType.SALES_INVOICE,
        number="JOB-1234",
        total=Decimal("6011.4"),
        contact_id="be4de860ee2c447288cc31385ffa9d73",
        tax_total=Decimal("1001.9"),
        balance=Decimal("6011.4"),
        issue_date=date(2023, 9, 29),
    )


def test_a_purchase_invoice_is_numbered_by_its_vendor_reference():
    remote = mapping.parse_document(load("purchase_invoice.json"), DocType.SUPPLIER_INVOICE)
    assert (remote.number, remote.total) == ("DPiN-001", Decimal("120.0"))


def test_a_contact_reads_with_its_email_phone_and_web_link():
    row = load("contact_customer.json")
    contact = mapping.parse_contact(row, ContactKind.CUSTOMER)
    assert (contact.id, contact.name, contact.email, contact.phone) == (
        "be4de860ee2c447288cc31385ffa9d73",
        "Deskpro BV Customer",
        "billing@deskpro.example",
        "+31 20 555 0101",
    )
    assert (
        mapping.web_link(row) == "https://accounts-extra.sageone.com/contacts/customers/145570473"
    )


def test_a_ledger_account_keeps_its_default_rate_and_where_it_may_be_used():
    parsed = mapping.parse_account(load("ledger_account.json"))
    assert (parsed.account.code, parsed.account.tax_code_id, parsed.scopes) == (
        "4900",
        "GB_STANDARD",
        frozenset({"sales"}),
    )


def test_uk_tax_rates_map_to_our_vat_codes():
    rates = [mapping.parse_tax_rate(row) for row in load("tax_rates.json")["$items"]]
    assert [(t.id, t.code, t.rate) for t in rates] == [
        ("GB_STANDARD", "S", Decimal("20.0")),
        ("GB_LOWER", "R", Decimal("5.0")),
        ("GB_ZERO", "Z", Decimal("0.0")),
        ("GB_EXEMPT", "E", Decimal("0.0")),
        ("GB_NO_TAX", "NT", Decimal("0.0")),
    ]


def test_an_error_array_names_every_problem_and_its_field():
    response = httpx.Response(422, content=(FIXTURES / "error_422.json").read_bytes())
    detail = mapping.describe_error(response)
    assert (detail.message, detail.code) == (
        "invoice lines tax rate id: This field is required.; Couldn't find Supplier.",
        "RecordInvalid",
    )


def test_a_sales_line_carries_net_and_tax_computed_per_line():
    line = OutboundLine("Materials", Decimal("1.5"), Decimal("10.33"), "4010", "R")
    body = mapping.document_body(
        _document(DocType.SALES_INVOICE, line),
        account_ids=["ab00d017586c11ee99d406a292aa1b05"],
        taxes=[mapping.LineTax("GB_LOWER", Decimal("5"))],
    )
    assert body == {
        "sales_invoice": {
            "contact_id": "be4de860ee2c447288cc31385ffa9d73",
            "date": "2025-03-01",
            "idempotency_id": "6f1c1f5e3b0e4d559d7e6b1f0c2a9e41",
            "reference": "S1234",
            "notes": "PO 77",
            "invoice_lines": [
                {
                    "description": "Materials",
                    "ledger_account_id": "ab00d017586c11ee99d406a292aa1b05",
                    "quantity": 1.5,
                    "unit_price": 10.33,
                    "net_amount": 15.5,
                    "tax_rate_id": "GB_LOWER",
                    "tax_amount": 0.78,
                }
            ],
        }
    }


def test_a_supplier_invoice_puts_our_number_in_vendor_reference_and_always_has_a_due_date():
    line = OutboundLine("Pipe", Decimal("3"), Decimal("12.40"), "5000")
    body = mapping.document_body(
        _document(DocType.SUPPLIER_INVOICE, line),
        account_ids=["x" * 32],
        taxes=[mapping.LineTax("GB_STANDARD", Decimal("20"))],
    )["purchase_invoice"]
    assert (body["vendor_reference"], body["reference"], body["due_date"]) == (
        "S1234",
        "PO 77",
        "2025-03-01",
    )
    assert body["invoice_lines"][0]["tax_amount"] == 7.44


def test_a_credit_note_has_credit_note_lines():
    line = OutboundLine("Refund", Decimal("1"), Decimal("10"), "4000")
    body = mapping.document_body(
        _document(DocType.SALES_CREDIT_NOTE, line),
        account_ids=["a" * 32],
        taxes=[mapping.LineTax("GB_ZERO", Decimal("0"))],
    )
    assert sorted(body["sales_credit_note"]) == [
        "contact_id",
        "credit_note_lines",
        "date",
        "idempotency_id",
        "notes",
        "reference",
    ]
    assert body["sales_credit_note"]["credit_note_lines"][0]["tax_amount"] == 0


def test_idempotency_ids_are_32_hex_and_stable():
    assert mapping.idempotency_id("doc-17-attempt-1") == mapping.idempotency_id("doc-17-attempt-1")
    assert mapping.is_sage_id(mapping.idempotency_id("doc-17-attempt-1"))
    assert mapping.idempotency_id("doc-17-attempt-1") != mapping.idempotency_id("doc-17-attempt-2")


def test_a_new_contact_sends_its_details_on_the_main_contact_person():
    new = NewContact(ContactKind.SUPPLIER, "O'Neill Scaffolding", email="a@b.example", phone="01")
    assert mapping.contact_body(new, "k")["contact"] == {
        "name": "O'Neill Scaffolding",
        "contact_type_ids": ["VENDOR"],
        "idempotency_id": mapping.idempotency_id("k"),
        "main_contact_person": {
            "name": "O'Neill Scaffolding",
            "is_main_contact": True,
            "email": "a@b.example",
            "telephone": "01",
        },
    }


def test_numbers_sharing_a_prefix_are_found_with_one_search():
    assert search_terms(["S2011", "S2012", "S2013"]) == {"s201": ["S2011", "S2012", "S2013"]}
    assert search_terms(["S1003"]) == {"s1003": ["S1003"]}
    assert search_terms(["S2001", "C2001", "C2002"]) == {
        "c200": ["C2001", "C2002"],
        "s2001": ["S2001"],
    }


def test_a_line_carrying_our_vat_sends_it_and_inclusive_prices_say_so():
    line = OutboundLine(
        "Pipe", Decimal("3"), Decimal("40.01"), "5000", "S", Decimal("100.03"), Decimal("20.00")
    )
    document = replace(_document(DocType.SUPPLIER_INVOICE, line), amounts_include_tax=True)
    body = mapping.document_body(
        document, account_ids=["x" * 32], taxes=[mapping.LineTax("GB_STANDARD", Decimal("20"))]
    )
    sent = body["purchase_invoice"]["invoice_lines"][0]
    assert (sent["net_amount"], sent["tax_amount"], sent["unit_price_includes_tax"]) == (
        100.03,
        20,
        True,
    )
