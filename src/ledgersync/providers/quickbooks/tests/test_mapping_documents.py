from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ledgersync.providers.base import (
    DocType,
    LedgerAccount,
    OutboundDocument,
    OutboundLine,
    RemoteDocument,
)
from ledgersync.providers.quickbooks import mapping

from .fixtures import load

ACCOUNTS = {
    "4000": LedgerAccount("79", "4000", "Sales - Labour", "Income", "2"),
    "5000": LedgerAccount("81", "5000", "Purchases - Materials", "Cost of Goods Sold", "2"),
}


def document(
    doc_type: DocType, *lines: OutboundLine, care_of: str | None = None
) -> OutboundDocument:
    return OutboundDocument(
        idempotency_key="key-1",
        doc_type=doc_type,
        number="S1234",
        contact_id="58",
        care_of_contact_id=care_of,
        issue_date=date(2025, 3, 1),
        due_date=date(2025, 3, 31),
        currency="GBP",
        reference="PO 77",
        lines=lines,
    )


def test_an_invoice_posts_each_line_through_its_accounts_service_item():
    line = OutboundLine("Labour", Decimal("2"), Decimal("75.00"), "4000", "S")
    body = mapping.document_body(
        document(DocType.SALES_INVOICE, line),
        accounts=ACCOUNTS,
        items={"4000": "12"},
        tax_ids=["2"],
    )
    assert body == {
        "DocNumber": "S1234",
        "TxnDate": "2025-03-01",
        "DueDate": "2025-03-31",
        "CurrencyRef": {"value": "GBP"},
        "GlobalTaxCalculation": "TaxExcluded",
        "PrivateNote": "PO 77",
        "CustomerRef": {"value": "58"},
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": 150,
                "Description": "Labour",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": "12"},
                    "TaxCodeRef": {"value": "2"},
                    "Qty": 2,
                    "UnitPrice": 75,
                },
            }
        ],
    }


def test_a_line_whose_rounding_breaks_qty_times_price_sends_the_amount_alone():
    line = OutboundLine("Cable", Decimal("3"), Decimal("0.333"), "4000", "S")
    body = mapping.document_body(
        document(DocType.SALES_CREDIT_NOTE, line),
        accounts=ACCOUNTS,
        items={"4000": "12"},
        tax_ids=["2"],
    )
    assert body["Line"][0]["Amount"] == 1.0
    assert body["Line"][0]["SalesItemLineDetail"] == {
        "ItemRef": {"value": "12"},
        "TaxCodeRef": {"value": "2"},
    }


def test_a_bill_posts_straight_to_the_expense_account():
    line = OutboundLine("Timber", Decimal("1"), Decimal("99.99"), "5000", "S")
    body = mapping.document_body(
        document(DocType.SUPPLIER_INVOICE, line), accounts=ACCOUNTS, items={}, tax_ids=["2"]
    )
    assert body["VendorRef"] == {"value": "58"}
    assert "CustomerRef" not in body
    assert body["Line"] == [
        {
            "DetailType": "AccountBasedExpenseLineDetail",
            "Amount": 99.99,
            "Description": "Timber",
            "AccountBasedExpenseLineDetail": {
                "AccountRef": {"value": "81"},
                "TaxCodeRef": {"value": "2"},
            },
        }
    ]


def test_it_reads_an_invoice_answer_as_a_remote_document():
    remote = mapping.parse_document(load("invoice_response.json")["Invoice"], DocType.SALES_INVOICE)
    assert remote == RemoteDocument(
        remote_id="239",
        doc_type=DocType.SALES_INVOICE,
        number="1070",
        total=Decimal("150.0"),
        contact_id="1",
        tax_total=Decimal("0"),
        balance=Decimal("150.0"),
        issue_date=date(2015, 7, 24),
    )


def test_it_reads_a_bill_answer_with_the_vendor_as_contact():
    remote = mapping.parse_document(load("bill_response.json")["Bill"], DocType.SUPPLIER_INVOICE)
    assert (remote.remote_id, remote.contact_id, remote.total, remote.tax_total) == (
        "151",
        "56",
        Decimal("200.0"),
        None,
    )


def test_the_batch_body_creates_every_document_under_its_bid():
    body = mapping.batch_body(
        [("d0", "Invoice", {"DocNumber": "S1"}), ("d2", "Bill", {"DocNumber": "B"})]
    )
    assert body == {
        "BatchItemRequest": [
            {"bId": "d0", "operation": "create", "Invoice": {"DocNumber": "S1"}},
            {"bId": "d2", "operation": "create", "Bill": {"DocNumber": "B"}},
        ]
    }


def test_the_item_for_an_account_is_named_by_code_and_posts_to_it():
    assert mapping.item_body(ACCOUNTS["4000"]) == {
        "Name": "4000 Sales - Labour",
        "Type": "Service",
        "IncomeAccountRef": {"value": "79"},
    }


STANDARD = (mapping.RateRef("1", Decimal("20")),)
REDUCED = (mapping.RateRef("3", Decimal("5")),)


def test_our_vat_goes_as_one_tax_line_per_rate():
    lines = [
        OutboundLine(
            "A", Decimal("1"), Decimal("0.05"), "4000", "S", Decimal("0.05"), Decimal("0.01")
        ),
        OutboundLine(
            "B", Decimal("1"), Decimal("0.05"), "4000", "S", Decimal("0.05"), Decimal("0.01")
        ),
        OutboundLine(
            "C", Decimal("1"), Decimal("10"), "4000", "R", Decimal("10.00"), Decimal("0.50")
        ),
    ]
    body = mapping.document_body(
        document(DocType.SALES_INVOICE, *lines),
        accounts=ACCOUNTS,
        items={"4000": "12"},
        tax_ids=["2", "2", "3"],
        line_rates=[STANDARD, STANDARD, REDUCED],
    )
    assert body["TxnTaxDetail"] == {
        "TotalTax": 0.52,
        "TaxLine": [
            {
                "Amount": 0.02,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": {"value": "1"},
                    "PercentBased": True,
                    "TaxPercent": 20,
                    "NetAmountTaxable": 0.1,
                },
            },
            {
                "Amount": 0.5,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": {"value": "3"},
                    "PercentBased": True,
                    "TaxPercent": 5,
                    "NetAmountTaxable": 10,
                },
            },
        ],
    }


def test_without_our_figures_on_every_line_quickbooks_works_the_vat_out():
    ours = OutboundLine(
        "A", Decimal("1"), Decimal("5"), "4000", "S", Decimal("5.00"), Decimal("1.00")
    )
    theirs = OutboundLine("B", Decimal("1"), Decimal("5"), "4000")
    body = mapping.document_body(
        document(DocType.SALES_INVOICE, ours, theirs),
        accounts=ACCOUNTS,
        items={"4000": "12"},
        tax_ids=["2", "2"],
        line_rates=[STANDARD, STANDARD],
    )
    assert "TxnTaxDetail" not in body


def test_an_inclusive_bill_sends_net_amounts_with_their_gross():
    line = OutboundLine(
        "Pipe", Decimal("3"), Decimal("4.01"), "5000", "S", Decimal("10.03"), Decimal("2.00")
    )
    body = mapping.document_body(
        replace(document(DocType.SUPPLIER_INVOICE, line), amounts_include_tax=True),
        accounts=ACCOUNTS,
        items={},
        tax_ids=["2"],
        line_rates=[STANDARD],
    )
    assert body["GlobalTaxCalculation"] == "TaxInclusive"
    assert body["Line"][0]["Amount"] == 10.03
    assert body["Line"][0]["AccountBasedExpenseLineDetail"]["TaxInclusiveAmt"] == 12.03
    assert body["TxnTaxDetail"]["TotalTax"] == 2
