"""A document's paid state in the REST API (sync/paid.py says what the words mean)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from ninja import Schema

from ledgersync.sync.paid import FILTERS, PaidWord, balance_of

PaidState = StrEnum("PaidState", {v: v for v in PaidWord.values})  # type: ignore[misc]
# ``?paid=unpaid`` lists every document money is still owed on (unpaid or part paid).
PaidFilter = StrEnum("PaidFilter", {v: v for v in FILTERS})  # type: ignore[misc]


class PaymentOut(Schema):
    paid_on: dt.date
    amount: str
    reference: str


class PaidOut(Schema):
    """What the package last said of the document's payments; null until a pull found it."""

    state: PaidState
    total: str
    outstanding: str
    payments: list[PaymentOut]
    pulled_at: dt.datetime


def paid_out(document) -> dict | None:
    balance = balance_of(document)
    if balance is None:
        return None
    return {
        "state": balance.state,
        "total": f"{balance.total:.2f}",
        "outstanding": f"{balance.outstanding:.2f}",
        "payments": [
            {"paid_on": p.paid_on, "amount": f"{p.amount:.2f}", "reference": p.reference}
            for p in balance.payments.all()
        ],
        "pulled_at": balance.changed_at,
    }
