"""Numbers as an accountant writes them (records/formats.py), and the template filters
over it (web/templatetags/money.py) say the same."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from ledgersync.records import formats


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Decimal("20.000"), "20%"),  # Decimal.normalize() would say 2E+1
        (Decimal("17.500"), "17.5%"),
        (Decimal("5"), "5%"),
        (Decimal("0.000"), "0%"),
        (Decimal("100"), "100%"),
    ],
)
def test_a_tax_rate_reads_as_a_percentage(rate, text):
    assert formats.percent(rate) == text


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (Decimal("216"), "GBP", "£216.00"),
        (Decimal("1234.5"), "GBP", "£1,234.50"),
        (Decimal("-12"), "GBP", "-£12.00"),
        (Decimal("0.005"), "GBP", "£0.01"),  # half up, as records/money.py rounds
        (Decimal("-0.001"), "GBP", "£0.00"),  # no "-£0.00"
        (Decimal("99.9"), "EUR", "€99.90"),
        (Decimal("1000000"), "usd", "$1,000,000.00"),
        (Decimal("12"), "CHF", "CHF 12.00"),
    ],
)
def test_money_has_two_places_and_the_currency_symbol(value, currency, text):
    assert formats.money(value, currency) == text


@pytest.mark.parametrize(
    ("price", "text"),
    [
        (Decimal("180.0000"), "180.00"),
        (Decimal("12.3450"), "12.345"),
        (Decimal("0.1234"), "0.1234"),
        (Decimal("1000.0000"), "1,000.00"),
        (Decimal("-5.5000"), "-5.50"),
    ],
)
def test_a_unit_price_has_two_to_four_places(price, text):
    assert formats.unit_price(price) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("10.0000"), "10"), (Decimal("2.5000"), "2.5"), (Decimal("0.1250"), "0.125")],
)
def test_a_quantity_has_the_places_it_needs_and_no_exponent(value, text):
    assert formats.quantity(value) == text


def test_plain_digits_for_form_fields_have_no_separator_and_no_exponent():
    assert formats.plain(Decimal("1000.0000"), 2) == "1000.00"
    assert formats.plain(Decimal("1E+3")) == "1000"
    assert formats.plain(Decimal("20.000")) == "20"


def test_what_is_not_a_number_is_shown_as_it_came():
    assert formats.money("n/a") == "n/a"
    assert formats.percent(None) == ""


def test_the_template_filters_write_the_same_shapes():
    rendered = Template(
        "{% load money %}{{ total|money:currency }} | {{ rate|percent }} | "
        "{{ price|unit_price }} | {{ qty|quantity }} | {{ net|amount }}"
    ).render(
        Context(
            {
                "total": Decimal("1234.5"),
                "currency": "GBP",
                "rate": Decimal("20.000"),
                "price": Decimal("180.0000"),
                "qty": Decimal("10.0000"),
                "net": Decimal("2345.60"),
            }
        )
    )
    assert rendered == "£1,234.50 | 20% | 180.00 | 10 | 2,345.60"


def test_a_tax_code_names_its_rate_as_a_percentage():
    from ledgersync.records.models import TaxCode

    assert str(TaxCode(code="S", name="Standard", rate=Decimal("20.000"))) == "S (20%)"
