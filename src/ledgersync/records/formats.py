"""How ledgersync writes numbers for people, as an accountant would: one home for the shape.

- money: 2 places, thousands separated, with the currency's symbol: ``£1,234.50``,
  ``-£12.00``; a currency without a symbol here is written by its code: ``CHF 12.00``;
- percentages: no trailing zeros, never exponent notation: ``20%``, ``17.5%``, ``0%``;
- unit prices: at least 2 places, up to the 4 the column keeps: ``180.00``, ``12.345``;
- quantities: as few places as the value needs: ``2``, ``2.5``, ``0.125``.

``plain`` is the same digits without separators or symbol, for what a form field shows and
the API sends. The arithmetic (rounding, line net and tax) lives in records/money.py; this
module only writes the values it gives. The web templates reach these through the filters in
web/templatetags/money.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Symbols written before the amount; any other currency is written by its code.
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
UNIT_PRICE_PLACES = (2, 4)  # at least, at most (the column keeps 4)


def as_decimal(value: object) -> Decimal | None:
    """``value`` as a finite Decimal, or None when it is not a number at all."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool) or value is None:
        return None
    else:
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    return number if number.is_finite() else None


def plain(value: Decimal, min_places: int = 0, max_places: int | None = None) -> str:
    """The digits of ``value`` with no trailing zeros beyond ``min_places``, rounded to
    ``max_places`` when given: 2.0000 -> "2", 95.5000 -> "95.50" (min 2), 20.000 -> "20",
    never "2E+1"."""
    if max_places is not None:
        value = value.quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP)
    text = format(value, "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(min_places, "0")
    return f"{whole}.{fraction}" if fraction else whole


def _grouped(digits: str) -> str:
    """ "1234567.5" -> "1,234,567.5" (digits without a sign)."""
    whole, dot, fraction = digits.partition(".")
    return f"{int(whole):,}{dot}{fraction}"


def money(value: object, currency: str = "GBP") -> str:
    """``£1,234.50`` (2 places, the currency's symbol or its code), ``-£12.00`` below zero.
    Anything that is not a number is returned as it came."""
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    amount = abs(number).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 and amount else ""
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    digits = _grouped(format(amount, "f"))
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{code} {digits}".strip()


def amount(value: object) -> str:
    """A sum without its currency (where the column or the total says it once): ``1,234.50``."""
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    digits = _grouped(format(abs(number).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f"))
    return f"-{digits}" if number < 0 and digits.strip("0.,") else digits


def percent(value: object) -> str:
    """A tax rate as people write it: ``20%``, ``17.5%``, ``0%``."""
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{plain(number)}%"


def unit_price(value: object) -> str:
    """A unit price: at least 2 places, up to 4 when the price needs them, thousands
    separated: ``180.00``, ``12.345``, ``1,250.00``."""
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    low, high = UNIT_PRICE_PLACES
    text = plain(abs(number), low, high)
    return f"{'-' if number < 0 and text.strip('0.') else ''}{_grouped(text)}"


def quantity(value: object) -> str:
    """A quantity with the places it needs: ``2``, ``2.5``, ``1,000``."""
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = plain(abs(number))
    return f"{'-' if number < 0 and text.strip('0.') else ''}{_grouped(text)}"
