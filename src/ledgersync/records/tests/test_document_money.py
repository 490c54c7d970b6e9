"""A document's money: the organisation's VAT rounding rule (the package's own unless chosen),
VAT-inclusive prices, a supplier's VAT, and changing the rule while documents are unsent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ledgersync.records.money import Rounding
from ledgersync.records.services import (
    create_document,
    rounding_change,
    set_vat_rounding,
    update_document,
)
from ledgersync.records.tests.factories import invoice_data, make_org
from ledgersync.sync.models import DocumentState
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db

# 40 lines of 0.02 at 20%: 0.00 VAT per line, 0.16 on the rate's total (issue 14).
FORTY_PENNIES = [
    {"text": f"Washer {n}", "quantity": "1", "unit_price": "0.02", "nominal": "4000"}
    for n in range(40)
]


def totals(document) -> tuple[Decimal, Decimal, Decimal]:
    return document.net_total, document.tax_total, document.gross_total


@pytest.mark.parametrize(
    ("provider", "rule", "vat"),
    [("quickbooks", Rounding.PER_RATE, "0.16"), ("xero", Rounding.PER_LINE, "0.00")],
)
def test_new_documents_round_as_the_package_does_unless_told(provider, rule, vat):
    organisation = make_org()
    organisation.provider = provider
    organisation.save()

    document = create_document(organisation, invoice_data(lines=FORTY_PENNIES))

    assert organisation.effective_rounding == document.rounding == rule
    assert document.tax_total == Decimal(vat)
    assert sum(1 for line in document.lines.all() if line.tax) == int(Decimal(vat) * 100)


def test_prices_including_vat_keep_the_gross_entered():
    organisation = make_org()
    lines = [{"text": "Boiler", "quantity": "3", "unit_price": "40.01", "nominal": "4000"}]

    document = create_document(organisation, invoice_data(lines=lines, prices_include_vat=True))

    # 120.03 x 20/120 = 20.005: 20.01 VAT (half up), 100.02 net.
    assert totals(document) == (Decimal("100.02"), Decimal("20.01"), Decimal("120.03"))


def test_a_suppliers_vat_is_what_the_supplier_invoice_carries():
    organisation = make_org()
    data = invoice_data(
        type="supplier_invoice", supplier="P1", number="BMD-1", account=None, supplier_vat="19.01"
    )

    document = create_document(organisation, data)  # 95.00 at 20% = 19.00 by the lines

    assert totals(document) == (Decimal("95.00"), Decimal("19.01"), Decimal("114.01"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"type": "supplier_invoice", "supplier": "P1", "number": "B2", "supplier_vat": "19.02"},
            "The supplier's VAT (19.02) is more than 0.01 away from the VAT on the lines (19.00)",
        ),
        ({"supplier_vat": "19.01"}, "Only a supplier invoice carries the supplier's VAT"),
        (
            {"type": "supplier_invoice", "supplier": "P1", "number": "B3", "supplier_vat": "1.234"},
            "supplier_vat must be an amount in pounds and pence, not '1.234'",
        ),
    ],
)
def test_a_suppliers_vat_that_cannot_be_carried_is_refused_in_words(overrides, message):
    organisation = make_org()
    data = invoice_data(**overrides)
    if data["type"] == "supplier_invoice":
        data.pop("account")
    with pytest.raises(ValidationError) as refused:
        create_document(organisation, data)
    assert refused.value.message_dict["supplier_vat"][0].startswith(message)
    assert not organisation.document_set.exists()


def test_changing_the_rule_reworks_unsent_documents_and_keeps_sent_and_synced_ones():
    organisation = make_org()  # QuickBooks: per rate total by default
    unsent = create_document(organisation, invoice_data(lines=FORTY_PENNIES))
    sent = create_document(organisation, invoice_data(lines=FORTY_PENNIES, sent_via="email"))
    synced = create_document(organisation, invoice_data(lines=FORTY_PENNIES))
    DocumentState.objects.create(document=synced, status_code=StatusCode.SYNCED, remote_id="9")

    change = rounding_change(organisation, Rounding.PER_LINE)
    assert (change.reworked, change.kept) == (1, 1)
    assert change.warning == (
        "1 document(s) not yet sent will be worked out again (vat rounded per line), so their "
        "VAT and totals may change by pennies; 1 document(s) already sent but not yet synced "
        "keep the VAT on them (the customer or supplier holds it)."
    )
    set_vat_rounding(organisation, Rounding.PER_LINE)

    for document, rule, vat in (
        (unsent, Rounding.PER_LINE, "0.00"),
        (sent, Rounding.PER_RATE, "0.16"),
        (synced, Rounding.PER_RATE, "0.16"),
    ):
        document.refresh_from_db()
        assert (document.rounding, document.tax_total) == (rule, Decimal(vat))
    assert rounding_change(organisation, Rounding.PER_LINE).warning == ""


def test_an_edit_keeps_the_documents_own_rule_and_basis():
    organisation = make_org()
    document = create_document(organisation, invoice_data(lines=FORTY_PENNIES))
    organisation.vat_rounding = Rounding.PER_LINE
    organisation.save()

    update_document(document, {"prices_include_vat": True})

    document.refresh_from_db()
    # 0.80 gross at 20% per rate: 0.80 x 20/120 = 0.13 VAT, 0.67 net.
    assert (document.rounding, totals(document)) == (
        Rounding.PER_RATE,
        (Decimal("0.67"), Decimal("0.13"), Decimal("0.80")),
    )


def test_an_import_carries_a_suppliers_vat_and_inclusive_prices():
    from ledgersync.records.importing import import_records, read_records

    organisation = make_org()
    text = (
        "record,type,number,supplier,prices_include_vat,supplier_vat,text,unit_price,nominal\n"
        "document,supplier_invoice,BMD-5,P1,no,19.01,Pipe,95.00,5000\n"
        "document,supplier_invoice,BMD-6,P1,yes,,Pipe,95.00,5000\n"
        "document,supplier_invoice,BMD-7,P1,maybe,,Pipe,95.00,5000\n"
    )
    report = import_records(organisation, read_records(text.encode(), "import.csv"), partial=True)

    assert [(e.line, e.field, e.message) for e in report.errors] == [
        (4, "prices_include_vat", "Prices include VAT must be yes or no, not 'maybe'")
    ]
    exact = organisation.document_set.get(number="BMD-5")
    inclusive = organisation.document_set.get(number="BMD-6")
    assert totals(exact) == (Decimal("95.00"), Decimal("19.01"), Decimal("114.01"))
    assert totals(inclusive) == (Decimal("79.17"), Decimal("15.83"), Decimal("95.00"))
