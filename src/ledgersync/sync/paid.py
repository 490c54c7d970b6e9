"""Whether a synced document has been paid in the package: the one home of the words
(paid / part paid / unpaid) and of the rule that picks them, for the document page, the
documents list and its "unpaid" filter, the REST API and ``ledgersync status``.

The state is worked out once, when a pull stores what the package said (sync/payments.py),
and kept on the document's ``PaidBalance`` so lists can filter on it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from ledgersync.records.formats import money


class PaidWord(models.TextChoices):
    PAID = "paid", "Paid"
    PART_PAID = "part_paid", "Part paid"
    UNPAID = "unpaid", "Unpaid"


# The documents list's and the API's "unpaid" filter: money is still owed on them.
STILL_OWED = (PaidWord.UNPAID, PaidWord.PART_PAID)


def paid_word(total: Decimal, outstanding: Decimal) -> PaidWord:
    if outstanding <= 0:
        return PaidWord.PAID
    if outstanding < total:
        return PaidWord.PART_PAID
    return PaidWord.UNPAID


def paid_sentence(word: PaidWord | str, outstanding: Decimal, currency: str = "GBP") -> str:
    """ "Paid", or "Part paid: £80.00 outstanding" / "Unpaid: £180.00 outstanding"."""
    word = PaidWord(word)
    if word is PaidWord.PAID:
        return word.label
    return f"{word.label}: {money(outstanding, currency)} outstanding"
