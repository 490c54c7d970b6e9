"""Whether a synced document has been paid in the package: the one home of the words
(paid / part paid / unpaid) and of the rule that picks them, for the document page, the
documents list and its "unpaid" filter, the REST API and ``ledgersync status``.

The state is worked out once, when a pull stores what the package said (sync/payments.py),
and kept on the document's ``PaidBalance`` so lists can filter on it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import F, QuerySet

from ledgersync.records.formats import money

if TYPE_CHECKING:
    from ledgersync.sync.paid_models import PaidBalance


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


# The documents list's and the API's filter on it: "unpaid" is every document money is
# still owed on (unpaid or part paid).
FILTERS: dict[str, tuple[PaidWord, ...]] = {
    "unpaid": STILL_OWED,
    "part_paid": (PaidWord.PART_PAID,),
    "paid": (PaidWord.PAID,),
}
FILTER_LABELS = {
    "unpaid": "Unpaid or part paid",
    "part_paid": PaidWord.PART_PAID.label,
    "paid": PaidWord.PAID.label,
}


def filter_documents(documents: QuerySet, choice: str | None) -> QuerySet:
    """Documents whose current connection's package says they are ``choice``; unknown
    choices (and None) leave the list as it is."""
    words = FILTERS.get(choice or "")
    if words is None:
        return documents
    return documents.filter(
        paid__state__in=words,
        paid__provider=F("sync_state__provider"),
        paid__company_id=F("sync_state__company_id"),
    )


def balance_of(document) -> PaidBalance | None:
    """What the package last said of the document's payments, or None when nothing was
    pulled (or what was pulled came from a connection the document no longer syncs to).
    Reads the document's ``paid`` and ``sync_state`` (select_related them for a list)."""
    try:
        balance, state = document.paid, document.sync_state
    except ObjectDoesNotExist:
        return None
    if (balance.provider, balance.company_id) != (state.provider, state.company_id):
        return None
    return balance


def describe(balance: PaidBalance, currency: str = "GBP") -> str:
    return paid_sentence(balance.state, balance.outstanding, currency)
