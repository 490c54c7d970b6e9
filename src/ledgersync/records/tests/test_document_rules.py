"""The rules every change to a document obeys, whichever way it comes: the web (a POST from
the document page or the Print dialogue), the REST API, or an import file.

Each test runs the same change down every path, so a path that changes a document itself
(a bare ``QuerySet.update``, a second copy of the guard) fails here.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.messages import get_messages
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.importing import import_records, read_records
from ledgersync.records.models import Account, Document, Role, SentVia
from ledgersync.records.services import DocumentLocked, LockReason, create_document, mark_sent
from ledgersync.records.tests.factories import invoice_data, make_org, make_user
from ledgersync.sync.models import Attempt, AttemptState, DocumentState
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 30))
CHANGES = ["mark_sent", "mark_for_sync", "edit"]
PATHS = ["web", "api", "import"]


class Paths:
    """One change to one document, made through the web, the API or an import file."""

    def __init__(self, organisation, client) -> None:
        self.organisation = organisation
        self.web = client
        self.web.force_login(make_user(organisation, Role.ACCOUNTS))
        self.api = ApiClient(create_key(organisation, "job system")[1])
        self.answers: list = []

    def make(self, path: str, change: str, document: Document) -> None:
        getattr(self, f"_{path}")(change, document)

    def _web(self, change: str, document: Document) -> None:
        pk = document.pk
        if change == "mark_sent":
            answer = self.web.post(f"/documents/{pk}/sent/", {"sent": "yes"})
        elif change == "email":
            answer = self.web.post(f"/documents/{pk}/email/")
        elif change == "mark_for_sync":
            answer = self.web.post(f"/documents/{pk}/mark/", {"marked": "yes"})
        else:
            account = Account.objects.get(organisation=self.organisation, number="A1042")
            answer = self.web.post(
                f"/documents/{pk}/edit/",
                {
                    "account": account.pk,
                    "issue_date": "2026-11-02",
                    "currency": "GBP",
                    "reference": "changed",
                    "line_count": "1",
                    "lines-0-text": "Boiler service",
                    "lines-0-quantity": "1",
                    "lines-0-unit_price": "95.00",
                    "lines-0-nominal": "4000",
                },
            )
        self.answers.append(answer)

    def _api(self, change: str, document: Document) -> None:
        pk = document.pk
        if change == "mark_sent":
            answer = self.api.post(f"/documents/{pk}/sent", {"via": "email"})
        elif change == "mark_for_sync":
            answer = self.api.post(f"/documents/{pk}/mark")
        else:
            answer = self.api.patch(f"/documents/{pk}", {"reference": "changed"})
        self.answers.append(answer)

    def _import(self, change: str, document: Document) -> None:
        item = {
            "type": document.doc_type,
            "number": document.number,
            "account": "A1042",
            "reference": "changed",
            "lines": [{"text": "Boiler service", "unit_price": "95.00", "nominal": "4000"}],
            "sent_via": "email" if change == "mark_sent" else None,
            "mark_for_sync": change == "mark_for_sync",
        }
        raw = json.dumps({"documents": [item]}).encode()
        self.answers.append(import_records(self.organisation, read_records(raw, "file.json")))


@pytest.fixture
def org():
    organisation = make_org()
    Account.objects.filter(number="A1042").update(email="accounts@harbour.example")
    return organisation


@pytest.fixture
def paths(org, client):
    return Paths(org, client)


def _sent_long_ago(org, **overrides) -> Document:
    document = create_document(org, invoice_data(**overrides))
    Document.objects.filter(pk=document.pk).update(sent_at=LONG_AGO, sent_via=SentVia.POST)
    return document


def _synced(org, **overrides) -> Document:
    document = create_document(org, invoice_data(type="sales_credit_note", **overrides))
    DocumentState.objects.create(document=document, status_code=StatusCode.SYNCED, remote_id="150")
    return document


def _in_flight(org) -> Document:
    document = create_document(org, invoice_data(type="sales_credit_note"))
    Attempt.objects.create(
        organisation=org,
        document=document,
        provider="quickbooks",
        company_id="9130",
        idempotency_key="5f0c6c1e-0000-4000-8000-000000000001",
        state=AttemptState.IN_FLIGHT,
    )
    return document


def _as_it_was(document: Document) -> tuple:
    document.refresh_from_db()
    return (
        document.sent_at,
        document.sent_via,
        document.marked_for_sync,
        document.reference,
        document.updated_at,
    )


# -- keep the first sent date ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["web", "email", "api", "import"])
def test_marking_sent_again_keeps_the_first_sent_date_and_way(paths, org, path):
    document = _sent_long_ago(org)

    if path == "email":
        paths.make("web", "email", document)
    else:
        paths.make(path, "mark_sent", document)

    document.refresh_from_db()
    assert (document.sent_at, document.sent_via) == (LONG_AGO, SentVia.POST)


# -- refuse a change to a synced or in-flight document ---------------------------------------


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("path", PATHS)
def test_a_synced_document_refuses_every_change_on_every_path(paths, org, path, change):
    document = _synced(org)
    before = _as_it_was(document)

    paths.make(path, change, document)

    assert _as_it_was(document) == before
    _assert_refused(paths, path, DocumentLocked(document, LockReason.SYNCED, "150"))


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("path", PATHS)
def test_a_document_being_sent_refuses_every_change_on_every_path(paths, org, path, change):
    document = _in_flight(org)
    before = _as_it_was(document)

    paths.make(path, change, document)

    assert _as_it_was(document) == before
    _assert_refused(
        paths, path, DocumentLocked(document, LockReason.IN_FLIGHT, provider="QuickBooks")
    )


def _assert_refused(paths: Paths, path: str, expected: DocumentLocked) -> None:
    """The web and the API say the one message services.DocumentLocked holds; an import
    never changes a document that exists, so it leaves it as it is without an error."""
    answer = paths.answers[-1]
    if path == "web":
        said = [str(m) for m in get_messages(answer.wsgi_request)]
        assert (answer.status_code, said) == (302, [expected.message])
    elif path == "api":
        error = answer.json()["error"]
        assert (answer.status_code, error["code"], error["message"]) == (
            409,
            expected.reason.value,
            expected.message,
        )
    else:
        assert (answer.errors, dict(answer.unchanged), answer.kept) == ([], {"document": 1}, True)


def test_the_web_sent_toggle_answers_htmx_with_the_refusal_in_the_toolbar(paths, org):
    document = _synced(org)

    answer = paths.web.post(
        f"/documents/{document.pk}/sent/", {"sent": "yes"}, HTTP_HX_REQUEST="true"
    )

    message = DocumentLocked(document, LockReason.SYNCED, "150").message
    assert answer.status_code == 200
    assert message in answer.content.decode()
    document.refresh_from_db()
    assert document.sent_at is None


# -- always touch updated_at -----------------------------------------------------------------


@pytest.mark.parametrize("change", ["mark_sent", "mark_for_sync", "edit"])
@pytest.mark.parametrize("path", ["web", "api"])
def test_every_change_touches_updated_at(paths, org, path, change):
    document = create_document(org, invoice_data())
    Document.objects.filter(pk=document.pk).update(updated_at=LONG_AGO)

    paths.make(path, change, document)

    document.refresh_from_db()
    assert document.updated_at > LONG_AGO


def test_an_imported_document_marked_sent_and_for_sync_has_updated_at_of_that_change(paths, org):
    paths.make("import", "mark_sent", Document(doc_type="sales_invoice", number="S0050"))
    paths.make("import", "mark_for_sync", Document(doc_type="sales_invoice", number="S0051"))

    sent = Document.objects.get(number="S0050")
    marked = Document.objects.get(number="S0051")
    assert (sent.sent_via, sent.marked_for_sync, marked.marked_for_sync) == ("email", False, True)
    assert sent.updated_at >= sent.sent_at
    assert marked.updated_at >= marked.marked_at


def test_marking_for_sync_again_keeps_the_time_it_was_first_marked(paths, org):
    document = create_document(org, invoice_data(mark_for_sync=True))
    Document.objects.filter(pk=document.pk).update(marked_at=LONG_AGO)

    paths.make("web", "mark_for_sync", document)
    paths.make("api", "mark_for_sync", document)

    document.refresh_from_db()
    assert (document.marked_for_sync, document.marked_at) == (True, LONG_AGO)


# -- lock the row ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("path", ["web", "api"])
def test_every_change_locks_the_document_row_first(on_postgres, paths, org, path, change):
    document = create_document(org, invoice_data())

    with CaptureQueriesContext(db_connection) as queries:
        paths.make(path, change, document)

    locking = [q["sql"] for q in queries if q["sql"].rstrip().endswith("FOR UPDATE")]
    assert [f'"records_document"."id" = {document.pk}' in sql for sql in locking] == [True]


def test_mark_sent_refuses_a_synced_document_with_the_same_error_the_api_gives(org):
    document = _synced(org)

    with pytest.raises(DocumentLocked) as refused:
        mark_sent(document, SentVia.EMAIL)

    assert refused.value.message == (
        "Sales Credit Note C0001 is already in the package (id 150); it cannot change here."
    )
