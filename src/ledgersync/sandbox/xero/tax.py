"""Line and document totals the way Xero works them out: tax per line, rounded to 2 dp,
then summed (reference/xero.md, "Rounding in Xero"), under the document's
``LineAmountTypes``. A ``TaxAmount`` the client sends for a line is booked, recomputed or
refused beyond a tolerance as the settings say (``supplied_tax``)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ledgersync.sandbox.core.supplied_tax import SuppliedTax, booked_tax
from ledgersync.sandbox.xero.wire import money

HUNDRED = Decimal(100)


class LineAmountTypes(enum.StrEnum):
    EXCLUSIVE = "Exclusive"  # amounts are net; tax is added
    INCLUSIVE = "Inclusive"  # amounts include tax
    NO_TAX = "NoTax"


@dataclass(frozen=True)
class LineTotal:
    line_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class Totals:
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal


def line_amount(quantity: Decimal, unit: Decimal, discount_rate: Decimal | None) -> Decimal:
    """Qty x UnitAmount x (100 - DiscountRate) / 100, to the cent."""
    gross = quantity * unit
    if discount_rate:
        gross = gross * (HUNDRED - discount_rate) / HUNDRED
    return money(gross)


def line_tax(
    amount: Decimal,
    rate: Decimal,
    mode: LineAmountTypes,
    given: Decimal | None = None,
    *,
    supplied: SuppliedTax = SuppliedTax.ACCEPT,
    tolerance_pence: int = 0,
) -> Decimal:
    """One line's tax, rounded on its own; a TaxAmount the caller sent is settled by
    ``supplied`` (raises TaxOutOfTolerance)."""
    if mode is LineAmountTypes.NO_TAX:
        return Decimal("0.00")
    if mode is LineAmountTypes.INCLUSIVE:
        own = amount * rate / (HUNDRED + rate)
    else:
        own = amount * rate / HUNDRED
    return booked_tax(money(own), given, supplied, tolerance_pence)


def totals(lines: Sequence[LineTotal], mode: LineAmountTypes) -> Totals:
    amounts = sum((line.line_amount for line in lines), Decimal("0.00"))
    tax = sum((line.tax_amount for line in lines), Decimal("0.00"))
    if mode is LineAmountTypes.INCLUSIVE:
        return Totals(sub_total=amounts - tax, total_tax=tax, total=amounts)
    return Totals(sub_total=amounts, total_tax=tax, total=amounts + tax)
