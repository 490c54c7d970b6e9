from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ledgersync.records.models import Account, Document, Line
from ledgersync.records.services import create_document, update_document
from ledgersync.records.tests.factories import invoice_data, make_org

pytestmark = pytest.mark.django_db


def test_it_creates_an_invoice_with_the_next_number_and_derived_totals():
    org = make_org()
    doc = create_document(
        org,
        invoice_data(
            lines=[
                {"text": "Labour", "quantity": "2.5", "unit_price": "40.00", "nominal": "4000"},
                {"text": "Valve", "quantity": "1", "unit_price": "12.345", "nominal": "4000"},
            ]
        ),
    )
    assert doc.number == "S0001"
    assert [(line.net, line.tax) for line in doc.lines.all()] == [
        (Decimal("100.00"), Decimal("20.00")),
        (Decimal("12.35"), Decimal("2.47")),
    ]
    assert (doc.net_total, doc.tax_total, doc.gross_total) == (
        Decimal("112.35"),
        Decimal("22.47"),
        Decimal("134.82"),
    )
    annotated = Document.objects.with_totals().get(pk=doc.pk)
    assert (annotated.net_sum, annotated.tax_sum) == (Decimal("112.35"), Decimal("22.47"))


def test_credit_notes_have_their_own_sequence():
    org = make_org()
    create_document(org, invoice_data())
    note = create_document(org, invoice_data(type="sales_credit_note"))
    assert note.number == "C0001"


def test_it_refuses_a_document_without_lines_and_saves_nothing():
    org = make_org()
    with pytest.raises(ValidationError) as caught:
        create_document(org, invoice_data(lines=[]))
    assert caught.value.message_dict == {"lines": ["A document needs at least one line"]}
    assert Document.objects.count() == 0


def test_it_refuses_a_non_numeric_amount_naming_the_line():
    org = make_org()
    with pytest.raises(ValidationError) as caught:
        create_document(
            org, invoice_data(lines=[{"text": "x", "unit_price": "ten", "nominal": "4000"}])
        )
    assert caught.value.message_dict == {
        "lines[1]": ["Unit price on line 1 must be a number, for example 12.50"]
    }
    assert Document.objects.count() == Line.objects.count() == 0


def test_it_refuses_an_unknown_nominal_code():
    org = make_org()
    with pytest.raises(ValidationError) as caught:
        create_document(
            org, invoice_data(lines=[{"text": "x", "unit_price": "1", "nominal": "9999"}])
        )
    assert caught.value.message_dict == {
        "lines[1]": ["Nominal code '9999' on line 1 is not in your nominal codes"]
    }


def test_it_refuses_a_number_already_used_and_keeps_the_first():
    org = make_org()
    first = create_document(org, invoice_data(number="S1234"))
    with pytest.raises(ValidationError) as caught:
        create_document(org, invoice_data(number="S1234"))
    assert caught.value.message_dict == {"number": ["Sales Invoice S1234 already exists"]}
    assert list(Document.objects.values_list("pk", flat=True)) == [first.pk]


def test_allocation_skips_numbers_taken_by_imported_documents():
    org = make_org()
    create_document(org, invoice_data(number="S0001"))
    assert create_document(org, invoice_data()).number == "S0002"


def test_supplier_references_are_unique_per_supplier_only():
    org = make_org()
    bill = {
        "type": "supplier_invoice",
        "supplier": "P1",
        "number": "INV-7",
        "lines": [{"text": "Pipe", "unit_price": "10", "nominal": "5000"}],
    }
    create_document(org, bill)
    with pytest.raises(ValidationError) as caught:
        create_document(org, bill)
    assert caught.value.message_dict == {
        "number": ["Builders Merchants Direct already has an invoice with reference INV-7"]
    }
    other = make_org(slug="other", name="Other Ltd")
    assert create_document(other, bill).number == "INV-7"


def test_a_supplier_invoice_needs_the_suppliers_reference():
    org = make_org()
    with pytest.raises(ValidationError) as caught:
        create_document(
            org,
            {
                "type": "supplier_invoice",
                "supplier": "P1",
                "lines": [{"text": "Pipe", "unit_price": "10", "nominal": "5000"}],
            },
        )
    assert caught.value.message_dict == {
        "number": ["A supplier invoice needs the supplier's reference"]
    }


def test_a_site_without_a_company_is_refused_by_the_database():
    org = make_org()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            organisation=org, number="A2", name="Lone site", kind=Account.Kind.SITE
        )
    assert not Account.objects.filter(number="A2").exists()


def test_replacing_lines_is_all_or_nothing():
    org = make_org()
    doc = create_document(org, invoice_data())
    with pytest.raises(ValidationError):
        update_document(
            doc,
            {
                "lines": [
                    {"text": "ok", "unit_price": "1", "nominal": "4000"},
                    {"text": "bad", "unit_price": "x", "nominal": "4000"},
                ]
            },
        )
    assert list(doc.lines.values_list("text", flat=True)) == ["Boiler service"]


def test_an_external_reference_is_unique_per_organisation():
    org = make_org()
    create_document(org, invoice_data(external_ref="job-77"))
    with pytest.raises(ValidationError) as caught:
        create_document(org, invoice_data(external_ref="job-77"))
    assert caught.value.message_dict == {
        "external_ref": ["A document with external_ref 'job-77' exists"]
    }


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            {"quantity": "100000000", "unit_price": "1"},
            "Quantity on line 1 is too large (at most 99,999,999.9999)",
        ),
        (
            {"quantity": "1", "unit_price": "1e10"},
            "Unit price on line 1 is too large (at most 9,999,999,999.9999)",
        ),
        (
            {"quantity": "99999999", "unit_price": "999999"},
            "Quantity × unit price on line 1 is too large for one line",
        ),
        (
            {"quantity": "1", "unit_price": "1", "text": "x" * 4001},
            "Text on line 1 is 4001 characters; at most 4000",
        ),
    ],
)
def test_values_that_would_not_fit_are_refused_with_a_reason(line, reason):
    org = make_org()
    with pytest.raises(ValidationError) as caught:
        create_document(org, invoice_data(lines=[{"text": "t", "nominal": "4000", **line}]))
    assert caught.value.message_dict == {"lines[1]": [reason]}
    assert Document.objects.count() == 0


def test_a_currency_must_be_a_three_letter_code():
    with pytest.raises(ValidationError) as caught:
        create_document(make_org(), invoice_data(currency="pounds"))
    assert caught.value.message_dict == {
        "currency": ["Currency must be a three-letter code, for example GBP, not 'pounds'"]
    }
