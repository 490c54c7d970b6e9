"""The demo business every sandbox seeds (notes/demo-data.md): the companies' names, their
customers and suppliers, and the paid and unpaid history invoices S0990..S0999.

One copy, so QuickBooks, Xero and Sage show the same business whichever one a test or the
demo points at. Each sandbox's ``seed.py`` turns these names into its own records; what is
only true of one provider (Sage's second business, Xero's e-mail addresses) stays there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

DEMO_COMPANY = "Demo Trades Ltd"
SECOND_COMPANY = "Second Fix Plumbing Ltd"

DEMO_CUSTOMERS = (
    "Harbour Cafe",
    "Greenway Lettings Limited",
    "Oakfield Primary School",
    "Bright Spark Electrical",
    "Riverside Property Management",
    "Tidewater Marine",
    "Kingsmead Surgery",
    "Castle Hotel Group",
)
DEMO_SUPPLIERS = ("Builders Merchants Direct", "Apex Plant Hire", "Metro Fuel Cards")
SECOND_CUSTOMERS = ("Marlow Homes", "Penrose Lettings", "Ashdown Veterinary Clinic")
SECOND_SUPPLIERS = ("Plumb Centre Supplies",)

# Tracking the demo business keeps (issue #18): its kinds of job, and where it works. They
# are QuickBooks classes and locations, and Xero's "Job" and "Region" tracking categories.
DEMO_JOBS = ("Servicing", "Installations", "Repairs")
DEMO_PLACES = ("Bristol", "Bath")
# Archived / inactive, so a test can see it is not offered.
RETIRED_JOB = "Boiler Scrappage"


class Paid(StrEnum):
    FULL = "full"
    PART = "part"  # half of the total, to the penny


@dataclass(frozen=True)
class HistorySale:
    """One history sales invoice of the demo company."""

    number: str
    customer: str
    net: Decimal
    days_ago: int
    paid: Paid | None

    def paid_amount(self, total: Decimal) -> Decimal:
        """What the seeded payment applies to an invoice of ``total`` (0 when unpaid)."""
        if self.paid is Paid.FULL:
            return total
        if self.paid is Paid.PART:
            return (total / 2).quantize(Decimal("0.01"))
        return Decimal("0.00")


def _history(*sales: tuple[str, str, int, Paid | None]) -> tuple[HistorySale, ...]:
    return tuple(
        HistorySale(f"S{990 + index:04d}", customer, Decimal(net), days_ago, paid)
        for index, (customer, net, days_ago, paid) in enumerate(sales)
    )


HISTORY = _history(
    ("Harbour Cafe", "120.00", 90, Paid.FULL),
    ("Tidewater Marine", "480.00", 85, Paid.FULL),
    ("Kingsmead Surgery", "95.50", 80, Paid.FULL),
    ("Castle Hotel Group", "1250.00", 72, Paid.FULL),
    ("Bright Spark Electrical", "310.00", 65, Paid.FULL),
    ("Harbour Cafe", "75.00", 50, Paid.PART),
    ("Greenway Lettings Limited", "640.00", 41, None),
    ("Riverside Property Management", "880.00", 30, None),
    ("Tidewater Marine", "215.25", 20, None),
    ("Castle Hotel Group", "99.99", 12, None),
)
