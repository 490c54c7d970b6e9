"""Payments coming back from Sage (reference/sage.md section 8).

Sage has no webhooks: each of its three document lists is polled with
``updated_or_created_since`` (inclusive) and ``show_payments_allocations=true``, which lists
every payment and allocation on each changed document beside its ``outstanding_amount``.
A contact payment or allocation changes the documents it is allocated to, so three paged
reads answer a pull.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ledgersync.providers.base import DocType, PaidState, RemotePayment
from ledgersync.providers.sage.mapping import COLLECTION_FOR_DOC

ATTRIBUTES = "total_amount,outstanding_amount,updated_at,void_reason,payments_allocations"


def query(since: datetime | None) -> dict[str, str]:
    params = {"show_payments_allocations": "true", "attributes": ATTRIBUTES}
    if since is not None:
        # Sage's own example form: 2015-10-27T16:24:52Z.
        params["updated_or_created_since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return params


def collections() -> dict[DocType, str]:
    return dict(COLLECTION_FOR_DOC)


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def newest_change(rows: Iterable[Mapping[str, Any]]) -> datetime | None:
    stamps = [_moment(row.get("updated_at")) for row in rows]
    return max((s for s in stamps if s is not None), default=None)


def paid_state(row: Mapping[str, Any], doc_type: DocType) -> PaidState | None:
    """The document's paid state; None for a voided one (it owes nothing, and was never
    paid: Sage refuses to void a document with money allocated)."""
    if row.get("void_reason"):
        return None
    applied = []
    for entry in row.get("payments_allocations") or []:
        source = entry.get("contact_payment") or entry.get("contact_allocation") or {}
        applied.append(
            RemotePayment(
                remote_id=str(source.get("id") or ""),
                paid_on=date.fromisoformat(str(entry.get("date"))[:10]),
                amount=Decimal(str(entry.get("amount") or "0")),
                reference=str(entry.get("reference") or ""),
            )
        )
    applied.sort(key=lambda p: (p.paid_on, p.remote_id))
    return PaidState(
        remote_id=str(row["id"]),
        doc_type=doc_type,
        total=Decimal(str(row.get("total_amount") or "0")),
        outstanding=Decimal(str(row.get("outstanding_amount") or "0")),
        payments=tuple(applied),
    )
