"""Voiding a synced document in its package (issue 17), over real HTTP to each sandbox: it
lands once, the document is VOIDED and never sent again, and one with a payment refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgersync.records.models import Document
from ledgersync.sync import voiding
from ledgersync.sync.models import AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.sandbox_view import live_numbers, pay_in_package
from ledgersync.sync.tests.test_drafts import invoice
from ledgersync.sync.tests.test_engine import link_exact, sync_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_void_lands_once_and_a_paid_document_refuses_it(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001")
    Document.objects.filter(organisation=organisation).update(marked_for_sync=False)
    unpaid, paid = invoice(organisation, "V0001"), invoice(organisation, "V0002")
    sync_all(organisation, auto=False)
    company, name = connection.company_id, sandbox.app.display_name
    assert live_numbers(sandbox, company, "sales_invoice")["V0001"] == 1
    pay_in_package(sandbox, company, "sales_invoice", "V0002", Decimal("50.00"))

    state = voiding.void(unpaid)
    again = voiding.void(unpaid)  # asked twice: the same end

    assert (state.status_code, state.message) == (StatusCode.VOIDED, f"Voided in {name}")
    assert again.status_code == StatusCode.VOIDED
    assert live_numbers(sandbox, company, "sales_invoice")["V0001"] == 0
    assert AuditEvent.objects.filter(action="void").count() == 1
    with pytest.raises(voiding.VoidRefused) as refused:
        voiding.void(paid)
    assert refused.value.message == (
        f"Sales Invoice V0002 has a payment or credit allocated in {name}, so it cannot be "
        f"voided. Issue a credit note for it instead, or remove the payment in {name} first."
    )
    assert DocumentState.objects.get(document=paid).status_code == StatusCode.SYNCED
    assert live_numbers(sandbox, company, "sales_invoice")["V0002"] == 1
    # Voided documents are never sent again.
    Document.objects.filter(pk=unpaid.pk).update(marked_for_sync=True)
    sync_all(organisation, auto=False)
    assert live_numbers(sandbox, company, "sales_invoice")["V0001"] == 0
