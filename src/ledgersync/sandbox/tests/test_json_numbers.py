"""Decimal amounts go out as JSON numbers: whole ones as integers, the rest as floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgersync.sandbox.core.wire import dumps


@pytest.mark.parametrize(
    ("amount", "sent"),
    [
        (Decimal("150"), "150"),
        (Decimal("1E+2"), "100"),
        (Decimal("150.00"), "150.0"),
        (Decimal("12.34"), "12.34"),
        (Decimal("-0.5"), "-0.5"),
    ],
)
def test_an_amount_is_sent_as_the_number_a_provider_would_send(amount, sent):
    assert dumps({"Amount": amount}) == f'{{"Amount":{sent}}}'


def test_an_infinite_amount_is_sent_as_a_float_rather_than_failing():
    assert dumps([Decimal("Infinity")]) == "[Infinity]"
