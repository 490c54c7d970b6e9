"""Money arithmetic: the one home of every rule that turns quantities and prices into the
net, VAT and gross ledgersync stores, shows, prints and sends.

- A line's amount is quantity x unit price rounded to 2 dp, half up (commercial rounding, as
  UK VAT guidance allows). With prices entered **exclusive** of VAT that amount is the
  line's net; entered **inclusive**, it is the line's gross and its VAT is taken out of it
  (gross x rate / (100 + rate)).
- VAT is rounded by one of two rules, chosen per organisation (``Rounding``):
  **per line** (each line's VAT rounded on its own, then summed: what Xero and Sage do) or
  **per rate total** (the lines sharing a rate are summed and that rate's VAT rounded once:
  what QuickBooks does). Under the per-rate rule each line still carries a share of its
  rate's VAT, rounded so that the shares add up to the rate's total to the penny (a line's
  share is within a penny of its own VAT), so a package that takes tax per line books the
  same totals as one that takes it per rate.
- A supplier invoice may carry the VAT printed on the supplier's own invoice; that amount
  replaces the computed one (``supplier_vat``), spread a penny at a time over the taxed
  lines, as long as it is within a penny per taxed line of what the lines give.

Document totals are sums of line values, never stored. Providers receive the figures worked
out here (``providers/*/mapping.py``), so what the package books is what the customer holds.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class Rounding(enum.StrEnum):
    """How VAT is rounded on a document."""

    PER_LINE = "per_line"
    PER_RATE = "per_rate"

    @property
    def label(self) -> str:
        return ROUNDING_LABELS[self]


ROUNDING_LABELS = {
    Rounding.PER_LINE: "VAT rounded per line",
    Rounding.PER_RATE: "VAT rounded on each rate's total",
}


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
    """Quantity x unit price to the penny: a line's net (its gross when prices include VAT)."""
    return to_money(quantity * unit_price)


def line_tax(net: Decimal, rate_percent: Decimal) -> Decimal:
    """The VAT on a net amount, rounded on its own."""
    return to_money(net * rate_percent / HUNDRED)


def _exact_tax(amount: Decimal, rate_percent: Decimal, inclusive: bool) -> Decimal:
    """The unrounded VAT in ``amount`` (a net, or a gross when ``inclusive``)."""
    if inclusive:
        return amount * rate_percent / (HUNDRED + rate_percent)
    return amount * rate_percent / HUNDRED


@dataclass(frozen=True)
class MoneyLine:
    """What a line's money follows from. ``rate_key`` names its VAT rate (the tax code):
    lines with one key share a rate total."""

    quantity: Decimal
    unit_price: Decimal
    rate: Decimal = ZERO
    rate_key: str = ""


@dataclass(frozen=True)
class LineMoney:
    net: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True)
class RateTotal:
    key: str
    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class DocumentMoney:
    lines: tuple[LineMoney, ...]
    rates: tuple[RateTotal, ...]

    @property
    def net(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), ZERO)

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


class SupplierVatTooFar(ValueError):
    """A supplier's VAT figure further from the lines' VAT than rounding explains."""


def document_money(
    lines: Sequence[MoneyLine],
    *,
    rounding: Rounding | str = Rounding.PER_LINE,
    inclusive: bool = False,
    supplier_vat: Decimal | None = None,
) -> DocumentMoney:
    """Every line's net and VAT, and each rate's totals, under ``rounding``; prices are
    gross when ``inclusive``. ``supplier_vat`` (supplier invoices) replaces the computed VAT
    total; raises SupplierVatTooFar when it is more than a penny per taxed line away."""
    rounding = Rounding(rounding)
    amounts = [line_net(line.quantity, line.unit_price) for line in lines]
    exact = [
        _exact_tax(amount, line.rate, inclusive)
        for amount, line in zip(amounts, lines, strict=True)
    ]
    taxes = [to_money(value) for value in exact]
    if rounding is Rounding.PER_RATE:
        for positions in _by_rate(lines).values():
            summed = sum((amounts[i] for i in positions), ZERO)
            total = to_money(_exact_tax(summed, lines[positions[0]].rate, inclusive))
            _spread(taxes, positions, total, exact)
    if supplier_vat is not None:
        _take_supplier_vat(taxes, lines, amounts, to_money(supplier_vat))
    results = tuple(
        LineMoney(net=amount - tax if inclusive else amount, tax=tax)
        for amount, tax in zip(amounts, taxes, strict=True)
    )
    rates = tuple(
        RateTotal(
            key=key,
            rate=lines[positions[0]].rate,
            net=sum((results[i].net for i in positions), ZERO),
            tax=sum((results[i].tax for i in positions), ZERO),
        )
        for key, positions in _by_rate(lines).items()
    )
    return DocumentMoney(lines=results, rates=rates)


def _by_rate(lines: Sequence[MoneyLine]) -> dict[str, list[int]]:
    """Line positions by rate, in the order each rate first appears."""
    groups: dict[str, list[int]] = {}
    for position, line in enumerate(lines):
        groups.setdefault(line.rate_key, []).append(position)
    return groups


def _spread(taxes: list[Decimal], positions: list[int], total: Decimal, exact) -> None:
    """Move pennies between these lines' rounded VAT until they add up to ``total``: a
    penny more to the lines rounded down the most, a penny less from those rounded up the
    most (earlier lines first on a tie)."""
    short = round((total - sum((taxes[i] for i in positions), ZERO)) / PENNY)
    if not short:
        return
    step = PENNY if short > 0 else -PENNY
    # How far each line's rounding went against the direction we must move.
    order = sorted(positions, key=lambda i: (-(exact[i] - taxes[i]) * step, i))
    for i in order[: abs(short)]:
        taxes[i] += step


def _take_supplier_vat(
    taxes: list[Decimal], lines: Sequence[MoneyLine], amounts: list[Decimal], wanted: Decimal
) -> None:
    taxed = [i for i, line in enumerate(lines) if line.rate != 0]
    computed = sum(taxes, ZERO)
    difference = wanted - computed
    allowed = PENNY * len(taxed)
    if abs(difference) > allowed:
        if not taxed:
            raise SupplierVatTooFar(
                f"The supplier's VAT ({wanted}) must be 0.00: no line carries a VAT rate"
            )
        raise SupplierVatTooFar(
            f"The supplier's VAT ({wanted}) is more than {allowed} away from the VAT on the "
            f"lines ({computed}): check each line's VAT code"
        )
    step = PENNY if difference > 0 else -PENNY
    order = sorted(taxed, key=lambda i: (-abs(amounts[i]), i))
    for i in order[: abs(round(difference / PENNY))]:
        taxes[i] += step
