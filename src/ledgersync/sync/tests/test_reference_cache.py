"""The package's data read once per connection (sync/reference.py) and every status judged
from it, against each provider's sandbox: the real reason for every queued document before
anyone presses Sync, no call per document, and nothing left from a refused connection."""

from __future__ import annotations

import httpx
import pytest

from ledgersync.providers.registry import connector_for
from ledgersync.records.models import Account, DocType, Document
from ledgersync.records.services import create_document
from ledgersync.sync import assess, connections, reference
from ledgersync.sync.models import Connection, ConnectionStatus, DocumentState, FetchState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import inject_fault
from ledgersync.sync.tests.test_connections import consent
from ledgersync.sync.tests.test_engine import give_accs_id, link_exact

pytestmark = pytest.mark.django_db(transaction=True)


def statuses(organisation, doc_type=DocType.SALES_INVOICE) -> dict[str, str]:
    return dict(
        DocumentState.objects.filter(
            document__organisation=organisation, document__doc_type=doc_type
        ).values_list("document__number", "status_code")
    )


def requests_seen(sandbox) -> int:
    return len(httpx.get(f"{sandbox.url}/_sandbox/requests").json())


def test_one_read_gives_every_demo_document_its_real_reason_without_a_call_each(demo, sandbox):
    organisation, connection = demo
    care_of = connector_for(sandbox.slug, None).capabilities.supports_care_of
    link_exact(
        organisation,
        connection,
        "A1001",
        "A1004",
        "A1005",
        "A1006",
        *(["A1007"] if care_of else []),
    )
    give_accs_id(connection, Account.objects.get(number="A1002"), "abc")

    cache = reference.refresh(connection)

    assert cache.state == FetchState.FRESH and cache.error == ""
    assert statuses(organisation) == {
        "S1001": StatusCode.NOT_SENT,
        "S1002": "",
        "S1003": StatusCode.DUPLICATE_NUMBER,
        "S1004": StatusCode.ACCOUNT_ID_INVALID,
        "S1005": StatusCode.ACCOUNT_NOT_LINKED,
        "S1006": StatusCode.NOMINAL_MISSING,
        "S1007": StatusCode.NOMINAL_NO_TAX,
        "S1008": StatusCode.BLANK_LINE,
        "S1009": StatusCode.CARE_OF_NOT_LINKED if care_of else StatusCode.ACCOUNT_NOT_LINKED,
        "S1010": "",
    }
    queued = Document.objects.filter(organisation=organisation, marked_for_sync=True).count()
    print(f"{sandbox.slug}: one read of {queued} queued documents took {cache.api_calls} calls")
    assert 0 < cache.api_calls < queued  # the reference data, each contact once, numbers batched

    # From here on, every judgement is read from the cache: the sandbox hears nothing.
    seen = requests_seen(sandbox)
    document = Document.objects.get(organisation=organisation, number="S1001")
    assess.assess(organisation)
    assess.document_changed(document)
    assert requests_seen(sandbox) == seen


def test_a_new_number_is_read_on_its_own_and_its_document_judged(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001")
    reference.refresh(connection)
    before = reference.cache_of(connection).api_calls

    # Marked for sync as it is made: its number has not been asked about yet, so a read of
    # just that number follows the commit (Huey runs at once in tests).
    created = create_document(
        organisation,
        {
            "type": "sales_invoice",
            "account": "A1001",
            "sent_via": "email",
            "mark_for_sync": True,
            "lines": [{"text": "Boiler service", "unit_price": "95", "nominal": "4000"}],
        },
    )

    state = DocumentState.objects.get(document=created)
    assert (state.status_code, state.checked_at is not None) == ("", True)
    cache = reference.cache_of(connection)
    assert cache.numbers["sales_invoice"][""][created.number] is False
    assert cache.gaps_wanted is False
    assert before > 0


def test_a_refused_connection_then_a_reconnect_leaves_no_relink_row(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001", "A1006")
    reference.refresh(connection)
    inject_fault(sandbox, "revoke_token")

    reference.refresh(Connection.objects.get(pk=connection.pk))

    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.RELINK_NEEDED
    codes = set(statuses(organisation).values())
    assert StatusCode.RELINK_NEEDED in codes

    redirect_uri = "http://127.0.0.1:8000/sync/callback/"
    request = connector_for(sandbox.slug, None).authorization_url(redirect_uri)
    connections.complete_connection(
        organisation,
        sandbox.slug,
        consent(request.url),
        redirect_uri=redirect_uri,
        expected_state=request.state,
        code_verifier=request.code_verifier,
    )

    for doc_type in DocType:
        codes = set(statuses(organisation, doc_type).values())
        assert StatusCode.RELINK_NEEDED not in codes
        assert StatusCode.CHECKING not in codes  # the read after connecting judged them all
    assert statuses(organisation)["S1001"] == StatusCode.NOT_SENT
    assert statuses(organisation)["S1002"] == ""


def test_the_half_hourly_read_asks_only_about_what_it_has_not_asked_before(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1001", "A1006")
    everything = reference.refresh(connection).api_calls

    light = reference.refresh(connection, everything=False)

    assert light.state == FetchState.FRESH
    assert 0 < light.api_calls < everything  # the chart and tax codes; no contact, no number
    assert light.contacts == reference.refresh(connection).contacts
    assert statuses(organisation)["S1002"] == ""
