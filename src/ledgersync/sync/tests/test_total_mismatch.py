"""A package whose figures differ from ours after the push: TOTAL_MISMATCH, not SYNCED, with
both figures; never sent again; a person accepts it or corrects the package (issue 14)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from ledgersync.records.models import Document, Line
from ledgersync.records.services import DocumentLocked, update_document
from ledgersync.sync import engine, mismatches
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import Attempt, AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.sandbox_view import correct_in_package, document_numbers
from ledgersync.sync.tests.test_engine import link_exact, sync_all

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "R0002"


def a_document_the_package_will_book_differently(organisation, sandbox):
    """150.00 + 20% = 180.00 here, but with our VAT a penny over (as a supplier's own VAT
    might be) while the package is set to ignore the VAT it is sent and book its own."""
    from ledgersync.records.services import create_document

    httpx.put(
        f"{sandbox.url}/_sandbox/settings", json={"supplied_tax": "recompute"}
    ).raise_for_status()
    document = create_document(
        organisation,
        {
            "type": "sales_invoice",
            "number": NUMBER,
            "account": "A1001",
            "lines": [{"text": "Labour", "quantity": "2", "unit_price": "75", "nominal": "4000"}],
            "sent_via": "email",
            "mark_for_sync": True,
        },
    )
    Line.objects.filter(document=document).update(tax=Decimal("30.01"))
    Document.objects.exclude(pk=document.pk).update(marked_for_sync=False)
    return document


@pytest.fixture
def mismatched(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001")
    document = a_document_the_package_will_book_differently(organisation, sandbox)
    run = sync_all(organisation, auto=False)
    return organisation, connection, document, run


def test_the_package_booking_other_figures_is_a_total_mismatch_with_both(mismatched, sandbox):
    organisation, connection, document, run = mismatched
    state = DocumentState.objects.get(document=document)
    name = connector_for_connection(connection).capabilities.display_name
    assert (state.status_code, state.message) == (
        StatusCode.TOTAL_MISMATCH,
        f"{name} booked total 180.00 (VAT 30.00); ledgersync has 180.01 (VAT 30.01)",
    )
    assert state.remote_id and state.holds_remote_copy and not state.is_synced
    assert (run.synced_count, run.failed_count) == (0, 1)
    # It stays on the queue, showing its message like any status, but is not synced.
    assert engine.queue(organisation, document.type).filter(pk=document.pk).exists()


def test_a_total_mismatch_is_never_sent_again(mismatched, sandbox):
    organisation, connection, document, _ = mismatched
    sends = Attempt.objects.filter(document=document).count()

    sync_all(organisation, auto=False)
    sync_all(organisation, auto=True)
    engine.recheck(document, connection)

    assert Attempt.objects.filter(document=document).count() == sends == 1
    assert document_numbers(sandbox, connection.company_id, "sales_invoice")[NUMBER] == 1
    assert DocumentState.objects.get(document=document).status_code == StatusCode.TOTAL_MISMATCH
    with pytest.raises(DocumentLocked):
        update_document(document, {"reference": "changed"})


def test_accepting_the_package_figures_counts_it_as_synced_and_is_audited(mismatched, sandbox):
    organisation, _, document, _ = mismatched

    mismatches.accept(document)

    state = DocumentState.objects.get(document=document)
    assert state.status_code == StatusCode.SYNCED
    assert state.mismatch.startswith("Accepted by API: ")
    assert not engine.queue(organisation, document.type).filter(pk=document.pk).exists()
    event = AuditEvent.objects.get(action=mismatches.ACCEPTED)
    assert event.detail.startswith(f"Sales Invoice {NUMBER}: package figures accepted (")
    with pytest.raises(mismatches.NotAMismatch):
        mismatches.accept(document)


def test_check_again_finds_a_package_corrected_to_our_figures(mismatched, sandbox):
    _, connection, document, _ = mismatched
    connector = connector_for_connection(connection)

    still = mismatches.check_again(document, connection, connector)
    assert still.status_code == StatusCode.TOTAL_MISMATCH

    correct_in_package(
        sandbox, connection.company_id, "sales_invoice", NUMBER, Decimal("180.01"), Decimal("30.01")
    )
    state = mismatches.check_again(document, connection, connector)

    assert (state.status_code, state.mismatch) == (StatusCode.SYNCED, "")
    assert AuditEvent.objects.filter(action=mismatches.CORRECTED).count() == 1
