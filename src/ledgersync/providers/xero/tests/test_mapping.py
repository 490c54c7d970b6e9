from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import httpx

from ledgersync.providers.base import (
    DocType,
    OutboundDocument,
    OutboundLine,
    RemoteDocument,
    TaxCode,
)
from ledgersync.providers.http import ErrorDetail
from ledgersync.providers.xero import mapping

from .fixtures import load, raw


def test_a_validation_exception_reads_as_its_element_and_line_messages():
    detail = mapping.describe_error(httpx.Response(400, content=raw("validation_exception.json")))
    assert detail == ErrorDetail(
        "Invoice # must be unique.; Account code '476' has been removed as it does not match a recognised account.",
        "ValidationException",
    )


def test_an_expired_token_reads_as_its_detail():
    detail = mapping.describe_error(httpx.Response(401, content=raw("token_expired.json")))
    assert detail == ErrorDetail(
        "TokenExpired: token expired at 04/09/2023 05:16:59", "TokenExpired"
    )


def test_the_text_404_and_the_oauth_error_read_as_words():
    text = httpx.Response(404, text="The resource you're looking for cannot be found")
    assert mapping.describe_error(text) == ErrorDetail(
        "The resource you're looking for cannot be found"
    )
    grant = httpx.Response(400, json={"error": "invalid_grant"})
    assert mapping.describe_error(grant) == ErrorDetail(
        "Xero refused the request (invalid_grant)", "invalid_grant"
    )


def test_an_invoice_answer_is_a_remote_document():
    remote = mapping.parse_document(load("invoice_response.json"), DocType.SALES_INVOICE)
    assert remote == RemoteDocument(
        remote_id="ed255415-e141-4150-aab7-89c3bbbb851c",
        doc_type=DocType.SALES_INVOICE,
        number="INV-0007",
        total=Decimal("40.00"),
        contact_id="430fa14a-f945-44d3-9f97-5df5e28441b8",
        tax_total=Decimal("0.00"),
        balance=Decimal("40.00"),
    )


def test_active_tax_rates_carry_their_vat_code_and_side():
    codes, sides = mapping.parse_tax_rates(load("tax_rates.json")["TaxRates"])
    assert codes == [
        TaxCode("OUTPUT2", "20% (VAT on Income)", Decimal("20.0000"), "S"),
        TaxCode("INPUT2", "20% (VAT on Expenses)", Decimal("20.0000"), "S"),
        TaxCode("NONE", "No VAT", Decimal("0.0000"), "NT"),
    ]
    assert sides == {
        "OUTPUT2": {mapping.Side.SALES},
        "INPUT2": {mapping.Side.PURCHASES},
        "NONE": {mapping.Side.SALES, mapping.Side.PURCHASES},
    }


def _document(doc_type: DocType, due: date | None = None) -> OutboundDocument:
    line = OutboundLine("Timber", Decimal("3"), Decimal("0.3333"), "5000")
    return OutboundDocument(
        "k",
        doc_type,
        "BMD-9",
        "c-1",
        None,
        date(2025, 3, 1),
        due,
        "GBP",
        "c/o Lee Property Agents",
        (line,),
    )


def test_a_bill_has_a_due_date_and_no_reference():
    body = mapping.document_body(_document(DocType.SUPPLIER_INVOICE), ["INPUT2"])
    assert body == {
        "Type": "ACCPAY",
        "Contact": {"ContactID": "c-1"},
        "InvoiceNumber": "BMD-9",
        "Date": "2025-03-01",
        "CurrencyCode": "GBP",
        "LineAmountTypes": "Exclusive",
        "Status": "AUTHORISED",
        "DueDate": "2025-03-01",
        "LineItems": [
            {
                "Description": "Timber",
                "Quantity": 3,
                "UnitAmount": 0.3333,
                "AccountCode": "5000",
                "TaxType": "INPUT2",
            }
        ],
    }


def test_a_credit_note_carries_the_care_of_reference_and_no_due_date():
    body = mapping.document_body(
        _document(DocType.SALES_CREDIT_NOTE, date(2025, 4, 1)), ["OUTPUT2"]
    )
    assert (body["Type"], body["CreditNoteNumber"], body["Reference"]) == (
        "ACCRECCREDIT",
        "BMD-9",
        "c/o Lee Property Agents",
    )
    assert "DueDate" not in body and "InvoiceNumber" not in body


def test_where_values_are_quoted_and_escaped():
    assert mapping.where_equals("CreditNoteNumber", ['C"1', "C\\2"]) == (
        'CreditNoteNumber=="C\\"1" OR CreditNoteNumber=="C\\\\2"'
    )


def test_our_vat_goes_as_each_lines_tax_amount_and_inclusive_prices_say_so():
    line = OutboundLine(
        "Timber", Decimal("3"), Decimal("0.3333"), "5000", "S", Decimal("0.83"), Decimal("0.17")
    )
    document = replace(_document(DocType.SUPPLIER_INVOICE), lines=(line,), amounts_include_tax=True)
    body = mapping.document_body(document, ["INPUT2"])
    assert body["LineAmountTypes"] == "Inclusive"
    assert body["LineItems"][0]["TaxAmount"] == 0.17
