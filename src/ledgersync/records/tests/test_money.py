from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgersync.records.money import (
    MoneyLine,
    Rounding,
    SupplierVatTooFar,
    document_money,
    line_net,
    line_tax,
    parse_decimal,
    to_money,
)


def test_halves_round_up():
    assert to_money(Decimal("2.345")) == Decimal("2.35")
    assert to_money(Decimal("-2.345")) == Decimal("-2.35")
    assert line_tax(Decimal("0.125"), Decimal(20)) == Decimal("0.03")


@pytest.mark.parametrize("raw", ["ten", "", "1,000.00", "nan", "inf", None])
def test_bad_amounts_are_refused_with_the_field_name(raw):
    with pytest.raises(ValueError, match="^price must be a number"):
        parse_decimal(raw, "price")


money = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=4)


@given(money, money)
def test_net_never_drifts_more_than_half_a_penny(quantity, price):
    net = line_net(quantity, price)
    assert net.as_tuple().exponent == -2
    assert abs(net - quantity * price) <= Decimal("0.005")


# -- documents: rounding rules, inclusive prices, a supplier's VAT --------------------------

RATES = {"S": Decimal(20), "R": Decimal(5), "Z": Decimal(0), "E": Decimal(0)}
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=4)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=4)
lines_st = st.lists(
    st.builds(
        lambda q, p, code: MoneyLine(q, p, RATES[code], code),
        quantities,
        prices,
        st.sampled_from(sorted(RATES)),
    ),
    min_size=1,
    max_size=30,
)


def pennies(n: int) -> Decimal:
    return Decimal(n) / 100


def test_forty_pennies_at_twenty_percent_differ_by_rule():
    # 40 lines of 0.02 net: 0.004 VAT each rounds to 0.00 per line; 0.80 x 20% = 0.16 per rate.
    lines = [MoneyLine(Decimal(1), Decimal("0.02"), Decimal(20), "S")] * 40
    assert document_money(lines, rounding=Rounding.PER_LINE).tax == Decimal("0.00")
    per_rate = document_money(lines, rounding=Rounding.PER_RATE)
    assert per_rate.tax == Decimal("0.16")
    assert sorted({line.tax for line in per_rate.lines}) == [Decimal("0.00"), Decimal("0.01")]
    assert per_rate.rates[0].tax == Decimal("0.16") and per_rate.rates[0].net == Decimal("0.80")


@given(lines_st)
def test_per_line_vat_is_each_lines_own(lines):
    money = document_money(lines, rounding=Rounding.PER_LINE)
    for line, result in zip(lines, money.lines, strict=True):
        assert result.net == line_net(line.quantity, line.unit_price)
        assert result.tax == line_tax(result.net, line.rate)


@given(lines_st)
def test_per_rate_vat_is_rounded_once_per_rate_and_shared_out_to_the_penny(lines):
    money = document_money(lines, rounding=Rounding.PER_RATE)
    own = document_money(lines, rounding=Rounding.PER_LINE)
    for rate in money.rates:
        assert rate.tax == line_tax(rate.net, rate.rate)
    for mine, alone in zip(money.lines, own.lines, strict=True):
        assert mine.net == alone.net
        assert abs(mine.tax - alone.tax) <= pennies(1)
    assert money.tax == sum((rate.tax for rate in money.rates), Decimal(0))


@given(lines_st, st.sampled_from(list(Rounding)))
def test_inclusive_prices_keep_each_lines_gross(lines, rounding):
    money = document_money(lines, rounding=rounding, inclusive=True)
    for line, result in zip(lines, money.lines, strict=True):
        assert result.gross == line_net(line.quantity, line.unit_price)
    if rounding is Rounding.PER_RATE:
        for rate in money.rates:
            gross = rate.net + rate.tax
            assert rate.tax == to_money(gross * rate.rate / (100 + rate.rate))


@given(lines_st, st.sampled_from(list(Rounding)), st.booleans(), st.data())
def test_a_suppliers_vat_within_a_penny_a_line_is_what_the_document_carries(
    lines, rounding, inclusive, data
):
    computed = document_money(lines, rounding=rounding, inclusive=inclusive)
    taxed = sum(1 for line in lines if line.rate)
    wanted = computed.tax + pennies(data.draw(st.integers(-taxed, taxed)))
    money = document_money(lines, rounding=rounding, inclusive=inclusive, supplier_vat=wanted)
    assert money.tax == wanted
    if inclusive:
        assert money.gross == computed.gross
    else:
        assert money.net == computed.net
    for line, result in zip(lines, money.lines, strict=True):
        if not line.rate:
            assert result.tax == 0


def test_a_suppliers_vat_too_far_from_the_lines_is_refused_in_words():
    lines = [MoneyLine(Decimal(1), Decimal("100"), Decimal(20), "S")]
    with pytest.raises(SupplierVatTooFar, match=r"^The supplier's VAT \(20.02\) is more than"):
        document_money(lines, supplier_vat=Decimal("20.02"))
    zero = [MoneyLine(Decimal(1), Decimal("100"), Decimal(0), "Z")]
    with pytest.raises(SupplierVatTooFar, match="must be 0.00"):
        document_money(zero, supplier_vat=Decimal("0.01"))
