"""What a sandbox does with a tax amount the client supplies (QuickBooks ``TaxLine``, Xero
``LineItems[].TaxAmount``, Sage ``tax_amount``), set per sandbox in its settings.

Whether each real package books the amount it is given, computes its own, or refuses one
too far from its own is only partly documented (docs/sandboxes.md, "Supplied tax amounts"),
so each sandbox can be switched between the three answers:

- ``accept``: the supplied amount is booked as sent (to the penny);
- ``recompute``: it is ignored, and the package books the tax it computes itself;
- ``tolerance``: it is booked when it lies within ``tolerance_pence`` of the package's own
  figure, and the document is refused otherwise.
"""

from __future__ import annotations

import enum
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")


class SuppliedTax(enum.StrEnum):
    ACCEPT = "accept"
    RECOMPUTE = "recompute"
    TOLERANCE = "tolerance"


class TaxOutOfTolerance(Exception):
    """A supplied amount further from the package's own figure than the tolerance."""

    def __init__(self, supplied: Decimal, computed: Decimal, tolerance_pence: int) -> None:
        self.supplied, self.computed, self.tolerance_pence = supplied, computed, tolerance_pence
        super().__init__(f"tax {supplied} is more than {tolerance_pence}p from {computed}")


def booked_tax(
    computed: Decimal, supplied: Decimal | None, mode: SuppliedTax, tolerance_pence: int
) -> Decimal:
    """The tax the package books for one line or rate: ``computed`` is its own figure,
    ``supplied`` what the client sent (None: nothing). Raises TaxOutOfTolerance."""
    computed = computed.quantize(PENNY, rounding=ROUND_HALF_UP)
    if supplied is None or mode is SuppliedTax.RECOMPUTE:
        return computed
    supplied = supplied.quantize(PENNY, rounding=ROUND_HALF_UP)
    if mode is SuppliedTax.TOLERANCE and abs(supplied - computed) > tolerance_pence * PENNY:
        raise TaxOutOfTolerance(supplied, computed, tolerance_pence)
    return supplied
