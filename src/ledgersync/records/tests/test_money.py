from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgersync.records.money import line_net, line_tax, parse_decimal, to_money


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
