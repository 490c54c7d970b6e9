"""Money arithmetic: one rounding rule for every line ledgersync stores.

A line's net is quantity x unit price rounded to 2 dp; its tax is net x rate rounded to
2 dp; gross is net + tax. Rounding is half-up (commercial rounding, as UK VAT guidance
allows per line). Document totals are sums of line values, never stored. Providers that
round differently (e.g. on the document total) are reconciled in their connector.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def parse_decimal(raw: object, field: str) -> Decimal:
    """A Decimal from user input, or ValueError saying which field to fix."""
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{field} must be a number, not {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"{field} must be a number, not {raw!r}")
    return value


def line_net(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return to_money(quantity * unit_price)


def line_tax(net: Decimal, rate_percent: Decimal) -> Decimal:
    return to_money(net * rate_percent / Decimal(100))
