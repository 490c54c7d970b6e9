"""A batch's original send that lands after its documents were looked up and sent again
(issue 12, section 1): every provider ends with exactly one copy of each document."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.utils import timezone

from ledgersync.records.models import DocType
from ledgersync.records.services import create_document
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import Attempt, AttemptState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import inject_fault
from ledgersync.sync.tests.sandbox_view import document_numbers
from ledgersync.sync.tests.test_engine import link_exact, statuses, sync_all

pytestmark = pytest.mark.django_db(transaction=True)

BILLS = ("AAA-1", "AAA-2", "AAA-3")  # sorted first, so they travel in the first request
BILL_WRITES = {"quickbooks": "/batch", "xero": "/Invoices", "sage": "/purchase_invoices"}


def add_bills(organisation, *numbers):
    issued = timezone.localdate() - dt.timedelta(days=3)
    for position, number in enumerate(numbers):
        create_document(
            organisation,
            {
                "type": DocType.SUPPLIER_INVOICE,
                "number": number,
                "supplier": "P2001",
                "issue_date": issued,
                "due_date": issued + dt.timedelta(days=30),
                "lines": [
                    {
                        "text": f"Copper fittings, order {position}",
                        "nominal": "5000",
                        "unit_price": "48.20",
                        "quantity": "1",
                    }
                ],
                "mark_for_sync": True,
            },
        )


def land_late_writes(sandbox) -> int:
    return httpx.post(f"{sandbox.url}/_sandbox/late_writes").json()["landed"]


def allow_repeated_bill_numbers(sandbox) -> None:
    """Where the package itself would refuse a second bill with the number, a duplicate
    could never show; Xero allows repeats, and so can a QuickBooks company."""
    if sandbox.slug == "quickbooks":
        body = {"bill_number_scope": "none"}
        httpx.put(f"{sandbox.url}/_sandbox/settings", json=body).raise_for_status()


def hold_the_first_push(sandbox, connection, monkeypatch) -> list[list[str]]:
    """A late_write on every try (the client's retries) of the first push, and of nothing
    before it (QuickBooks' look-ups are batch POSTs too)."""
    connector_class = type(connector_for_connection(connection))
    real_push, pushes = connector_class.push, []

    def push(self, documents):
        if not pushes:
            # Three tries per request; Sage sends a request per document.
            count = 3 * (len(documents) if sandbox.slug == "sage" else 1)
            path = BILL_WRITES[sandbox.slug]
            inject_fault(sandbox, "late_write", count=count, delay=3600, path=path)
        pushes.append([d.number for d in documents])
        return real_push(self, documents)

    monkeypatch.setattr(connector_class, "push", push)
    return pushes


def test_a_batch_original_landing_late_leaves_one_copy_of_each_bill(demo, sandbox, monkeypatch):
    """The proxy of issue 12: every try of the first write is held past the timeout, the
    documents are looked up (absent), sent again, and then the held originals land."""
    organisation, connection = demo
    allow_repeated_bill_numbers(sandbox)
    link_exact(organisation, connection, "P2001")
    add_bills(organisation, *BILLS)
    pushes = hold_the_first_push(sandbox, connection, monkeypatch)

    sync_all(organisation, DocType.SUPPLIER_INVOICE)
    landed = land_late_writes(sandbox)
    assert landed >= 1  # the original did land, late

    numbers = document_numbers(sandbox, connection.company_id, "supplier_invoice")
    assert [numbers[n] for n in BILLS] == [1, 1, 1]
    bills = statuses(organisation, DocType.SUPPLIER_INVOICE)
    assert [bills[n] for n in BILLS] == [StatusCode.SYNCED] * 3
    # Sent again whole, as the same request, not one by one under other keys.
    resends = [p for p in pushes[1:] if set(p) & set(BILLS)]
    assert resends[0] == pushes[0]
    rechecks = Attempt.objects.filter(
        document__number__in=BILLS, state=AttemptState.SUCCEEDED, recheck_after__isnull=False
    )
    # Sage replays its idempotency_id for 7 days: nothing can land late as a second copy.
    assert rechecks.count() == (0 if sandbox.slug == "sage" else 3)
