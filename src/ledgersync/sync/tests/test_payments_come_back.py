"""Payments recorded in the package come back to our documents through the pull (#17):
over real HTTP to each provider's sandbox, a payment in part and then the rest, and the same
pull again changing nothing; against one sandbox, a failing pull shown on the connection."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from ledgersync.alerts.models import Event, EventKind
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.records.models import DocType, Document
from ledgersync.records.services import create_document
from ledgersync.sync import payments
from ledgersync.sync.connections import connector_for_connection, credentials_of
from ledgersync.sync.models import DocumentState, PaidBalance, PaymentsPull
from ledgersync.sync.paid import PaidWord
from ledgersync.sync.tests.conftest import inject_fault
from ledgersync.sync.tests.test_engine import link_exact, sync_all

pytestmark = pytest.mark.django_db(transaction=True)


def synced_invoice(organisation, connection) -> Document:
    link_exact(organisation, connection, "A1001")
    document = create_document(
        organisation,
        {
            "type": "sales_invoice",
            "number": "R0017",
            "account": "A1001",
            "lines": [
                {
                    "text": "Boiler service",
                    "quantity": "1",
                    "unit_price": "150.00",
                    "nominal": "4000",
                }
            ],
            "sent_via": "email",
            "mark_for_sync": True,
        },
    )
    Document.objects.exclude(pk=document.pk).update(marked_for_sync=False)
    sync_all(organisation, DocType.SALES_INVOICE, auto=False)
    assert DocumentState.objects.get(document=document).remote_id
    return document


def record_payment(sandbox, connection, document: Document, amount: str, reference: str, day):
    """A payment recorded in the package through its own API, as its user would."""
    connection.refresh_from_db()
    state = DocumentState.objects.get(document=document)
    paying = importlib.import_module(f"ledgersync.providers.{sandbox.slug}.tests.paying")
    contact = connector_for_connection(connection)
    remote = contact.find_document(RemoteDocType.SALES_INVOICE, document.number)
    assert remote is not None and remote.remote_id == state.remote_id
    with httpx.Client(base_url=sandbox.url) as http:
        paying.record_payment(
            http,
            credentials_of(connection),
            remote_id=state.remote_id,
            doc_type=RemoteDocType.SALES_INVOICE,
            contact_id=remote.contact_id,
            amount=Decimal(amount),
            reference=reference,
            day=day,
        )


def paid(document: Document) -> tuple[str, Decimal, list[tuple[Decimal, str]]]:
    balance = PaidBalance.objects.get(document=document)
    return (
        balance.state,
        balance.outstanding,
        [(p.amount, p.reference) for p in balance.payments.all()],
    )


def test_a_payment_in_part_then_in_full_reaches_the_document(demo, sandbox):
    organisation, connection = demo
    document = synced_invoice(organisation, connection)
    total = DocumentState.objects.get(document=document).remote_total
    assert payments.pull(connection).ok
    assert paid(document) == (PaidWord.UNPAID, total, [])

    record_payment(sandbox, connection, document, "50.00", "BACS 101", dt.date(2025, 3, 10))
    first = payments.pull(connection)
    assert first.ok and first.changed == 1
    assert paid(document) == (PaidWord.PART_PAID, total - 50, [(Decimal("50.00"), "BACS 101")])

    record_payment(sandbox, connection, document, str(total - 50), "BACS 102", dt.date(2025, 3, 17))
    assert payments.pull(connection).changed == 1
    assert paid(document) == (
        PaidWord.PAID,
        Decimal("0.00"),
        [(Decimal("50.00"), "BACS 101"), (total - 50, "BACS 102")],
    )
    kept = PaidBalance.objects.get(document=document)

    again = payments.pull(connection)
    assert (again.ok, again.changed) == (True, 0)
    assert PaidBalance.objects.get(document=document).changed_at == kept.changed_at
    pull = PaymentsPull.objects.get(connection=connection)
    assert pull.api_calls == again.api_calls and pull.error == ""


@pytest.mark.parametrize("sandbox_server", ["sage"], indirect=True)
def test_a_failing_pull_is_kept_on_the_connection_and_alerted_once(demo, sandbox):
    organisation, connection = demo
    synced_invoice(organisation, connection)
    assert payments.pull(connection).ok
    cursor = PaymentsPull.objects.get(connection=connection).cursor
    # The schedule pulls a connection once its interval (15 minutes by default) has passed.
    soon = timezone.now() + dt.timedelta(minutes=14)
    assert payments.pull_due(soon)["pulled"] == 0
    assert payments.pull_due(soon + dt.timedelta(minutes=1))["pulled"] == 1

    inject_fault(sandbox, "error", count=20)
    connector = connector_for_connection(connection)
    connector.api.sleep = lambda seconds: None
    failed = payments.pull(connection, connector)
    assert Event.objects.filter(kind=EventKind.PAYMENTS_PULL_FAILED).count() == 1
    again = payments.pull(connection, connector)

    assert not failed.ok and failed.error == again.error
    pull = PaymentsPull.objects.get(connection=connection)
    assert (pull.error, pull.cursor) == (failed.error, cursor)
    assert payments.pull_sentence(connection).startswith("Payments could not be pulled at ")
    assert failed.error in payments.pull_sentence(connection)
    assert Event.objects.filter(kind=EventKind.PAYMENTS_PULL_FAILED).count() == 1
