"""The same trouble with the package gives the same code and words in the engine, the web
pages, the API and the command line, because each asks sync/status.py."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.utils.html import escape

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.providers.errors import AuthError
from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import DocType, Document, User
from ledgersync.sync import engine
from ledgersync.sync.checks import local_failures
from ledgersync.sync.models import Connection, ConnectionStatus, RunState
from ledgersync.sync.status import Failure, NotConnected, StatusCode, failure_for

pytestmark = pytest.mark.django_db

RELINK = Failure(
    StatusCode.RELINK_NEEDED, "QuickBooks no longer accepts ledgersync's access: connect again."
)
NOT_CONNECTED = Failure(
    StatusCode.NOT_CONNECTED,
    "Not connected to QuickBooks: connect on the Sync Accounts API page first.",
)


@pytest.fixture
def organisation():
    return seed_demo()  # on QuickBooks


@pytest.fixture
def relink_needed(organisation):
    return Connection.objects.create(
        organisation=organisation,
        provider="quickbooks",
        company_id="9130",
        status=ConnectionStatus.RELINK_NEEDED,
        status_detail="invalid_grant",
        refresh_token="refused",
    )


def ready_document(organisation) -> Document:
    """A sales invoice whose local checks pass, so only the package can stop it."""
    documents = Document.objects.for_org(organisation).filter(doc_type=DocType.SALES_INVOICE)
    return next(d for d in documents if not local_failures(d))


def popup_problem(client, document) -> str:
    client.force_login(User.objects.get(username="accounts"))
    return client.get(f"/sync/documents/{document.pk}/actions/").context["problem"]


def api_error(organisation, document) -> tuple[int, dict]:
    api = ApiClient(create_key(organisation, "job system")[1])
    response = api.get(f"/accounts/{document.account_id}/suggestions")
    return response.status_code, response.json()["error"]


def test_the_table_says_what_each_layer_is_checked_against():
    assert failure_for(AuthError("invalid_grant"), "QuickBooks") == RELINK
    assert failure_for(NotConnected(), "QuickBooks") == NOT_CONNECTED


def test_a_refused_connection_reads_the_same_in_the_engine_the_popup_and_the_api(
    organisation, relink_needed, client
):
    document = ready_document(organisation)
    run = engine.start_run(organisation, DocType.SALES_INVOICE)

    engine.step(run.pk)
    run.refresh_from_db()

    assert (run.state, run.message) == (RunState.FAILED, RELINK.message)
    assert popup_problem(client, document) == RELINK.message
    status, error = api_error(organisation, document)
    assert (status, error["code"], error["message"]) == (409, "relink_needed", RELINK.message)


def test_the_sync_page_says_the_relink_sentence_from_the_table(organisation, relink_needed, client):
    client.force_login(User.objects.get(username="accounts"))

    response = client.get("/sync/sales-invoice/")

    assert response.context["lost"] == RELINK.message  # no time recorded for this one
    assert escape(RELINK.message) in response.content.decode()


def test_no_connection_reads_the_same_in_the_engine_the_web_and_the_api(organisation, client):
    document = ready_document(organisation)

    assert engine.recheck(document) == [NOT_CONNECTED]
    assert document.sync_state.status_code == StatusCode.NOT_CONNECTED
    assert popup_problem(client, document) == NOT_CONNECTED.message
    response = client.post("/sync/sales-invoice/run/", {"auto": "0"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [NOT_CONNECTED.message]
    status, error = api_error(organisation, document)
    assert (status, error["code"], error["message"]) == (
        409,
        "not_connected",
        NOT_CONNECTED.message,
    )
