"""TOTAL_MISMATCH in the API: the queue shows it, a person accepts the package's figures
or has ledgersync look at the package again (sync/mismatches.py)."""

from __future__ import annotations

import pytest

from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data
from ledgersync.sync.models import AuditEvent, DocumentState
from ledgersync.sync.status import Failure, StatusCode

pytestmark = pytest.mark.django_db

MESSAGE = "QuickBooks booked total 114.01 (VAT 19.01); ledgersync has 114.00 (VAT 19.00)"


@pytest.fixture
def mismatched(org):
    document = create_document(org, invoice_data(mark_for_sync=True, sent_via="email"))
    failure = Failure(StatusCode.TOTAL_MISMATCH, MESSAGE)
    # Judged at creation (sync/assess.py); the push's outcome is written over it.
    DocumentState.objects.update_or_create(
        document=document,
        defaults=dict(
            status_code=failure.code,
            message=failure.message,
            failures=[failure.as_json()],
            remote_id="177",
            mismatch=MESSAGE,
        ),
    )
    return document


def test_the_queue_and_the_document_show_the_mismatch_with_both_figures(api, mismatched):
    queue = api.get("/sync/queues/sales_invoice").json()
    assert queue["counts"] == {"TOTAL_MISMATCH": 1}
    assert (queue["items"][0]["status_code"], queue["items"][0]["message"]) == (
        "TOTAL_MISMATCH",
        MESSAGE,
    )
    sync = api.get(f"/documents/{mismatched.pk}").json()["sync"]
    assert (sync["status_code"], sync["remote_id"]) == ("TOTAL_MISMATCH", "177")
    assert sync["failures"][0]["remedy"].startswith("It is in the package, with other figures")


def test_accepting_makes_it_synced_once_and_is_in_the_event_log(api, mismatched):
    answer = api.post(f"/sync/documents/{mismatched.pk}/accept")

    assert answer.status_code == 200, answer.content
    assert answer.json()["sync"]["status_code"] == "SYNCED"
    assert AuditEvent.objects.filter(action="sync:mismatch-accepted").count() == 1
    again = api.post(f"/sync/documents/{mismatched.pk}/accept")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_a_mismatch")


def test_a_changed_document_in_the_package_is_refused_here(api, mismatched):
    answer = api.patch(f"/documents/{mismatched.pk}", {"reference": "new"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "already_synced")


def test_check_needs_a_connection(api, mismatched):
    answer = api.post(f"/sync/documents/{mismatched.pk}/check")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_connected")


def test_another_organisations_document_is_not_found(other_api, mismatched):
    assert other_api.post(f"/sync/documents/{mismatched.pk}/accept").status_code == 404


def test_an_extra_copy_waits_for_a_person_and_cannot_be_accepted(api, mismatched):
    message = "Xero holds another copy of S1001 (id 9) that ledgersync could not remove"
    DocumentState.objects.filter(document=mismatched).update(
        status_code=StatusCode.EXTRA_COPY,
        message=message,
        failures=[Failure(StatusCode.EXTRA_COPY, message).as_json()],
    )
    queue = api.get("/sync/queues/sales_invoice").json()
    assert queue["counts"] == {"EXTRA_COPY": 1}
    sync = api.get(f"/documents/{mismatched.pk}").json()["sync"]
    assert sync["failures"][0]["remedy"].startswith("The package holds it twice")
    answer = api.post(f"/sync/documents/{mismatched.pk}/accept")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_a_mismatch")
    assert api.patch(f"/documents/{mismatched.pk}", {"reference": "new"}).status_code == 409
