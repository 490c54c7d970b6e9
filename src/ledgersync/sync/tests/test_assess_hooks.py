"""Every way in re-judges the status codes at once, through the one service layer: the REST
API, the importer (and its command), the record page's AccsID, the Settings screen, the
Sync page. No package is called (any HTTP request fails these tests)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.cli import main
from ledgersync.records.models import Account, Document, Role
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.sync.models import DocumentState, FetchState, ReferenceCache
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.test_assess import (  # noqa: F401 (no_network is a fixture)
    COMPANY,
    connect,
    invoice,
    link,
    no_network,
    read,
    shown,
)

pytestmark = pytest.mark.django_db

READY = ("READY", "")


@pytest.fixture
def org():
    return make_org()


@pytest.fixture
def linked(org):
    """Connected to QuickBooks, its data read, Harbour Cafe linked to customer 129."""
    connection = connect(org)
    read(connection, {f"S000{n}": False for n in range(1, 10)})
    link(connection, Account.objects.get(organisation=org, number="A1042"), "129")
    return connection


def test_the_api_re_judges_a_document_it_changes_marks_or_sends(org, linked):
    api = ApiClient(create_key(org, "job system")[1])
    created = api.post(
        "/documents",
        {
            "type": "sales_invoice",
            "number": "S0001",
            "account": "A1042",
            "issue_date": "2026-11-02",
            "mark_for_sync": True,
            "lines": [{"text": "Boiler service", "unit_price": "95", "nominal": "4000"}],
        },
    ).json()
    document = Document.objects.get(pk=created["id"])
    assert shown(document)[0] == StatusCode.NOT_SENT

    api.post(f"/documents/{document.pk}/sent", {"via": "post"})
    assert shown(document) == READY

    api.patch(
        f"/documents/{document.pk}",
        {"lines": [{"text": "", "unit_price": "95", "nominal": "4000"}]},
    )
    assert shown(document) == (StatusCode.BLANK_LINE, "Line 1 has no text")
    queue = api.get("/sync/queues/sales_invoice").json()
    assert queue["counts"] == {StatusCode.BLANK_LINE: 1}


def test_the_import_command_judges_what_it_imports(org, linked, tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text(
        "record,number,type,account,issue_date,sent_via,mark_for_sync,text,unit_price,nominal\n"
        "document,S0002,sales_invoice,A1042,2026-11-02,email,yes,Service,95,4000\n"
        "document,S0003,sales_invoice,A1042,2026-11-02,,yes,Service,95,4000\n"
    )

    assert main(["import", "--org", org.slug, str(path)]) == 0

    assert shown(Document.objects.get(number="S0002")) == READY
    assert shown(Document.objects.get(number="S0003"))[0] == StatusCode.NOT_SENT


def test_clearing_a_care_of_accs_id_on_its_record_page_re_judges_its_document(client, org, linked):
    agent = Account.objects.create(organisation=org, number="A7", name="Lee Property Agents")
    link(linked, agent, "130")
    document = invoice(org, "S0001", care_of="A7")
    assert shown(document) == READY
    client.force_login(make_user(org, Role.ACCOUNTS))

    client.post(f"/accounts/{agent.pk}/edit/", {"name": agent.name, "country": "GB", "accs_id": ""})

    assert shown(document) == (
        StatusCode.CARE_OF_NOT_LINKED,
        "Care of account 'Lee Property Agents' (A7) is not linked to QuickBooks",
    )


def test_switching_the_package_in_settings_leaves_no_row_naming_the_old_one(client, org):
    for number in ("S0001", "S0002"):
        invoice(org, number)
    assert DocumentState.objects.filter(message__contains="QuickBooks").count() == 2
    client.force_login(make_user(org, Role.ADMINISTRATOR))

    response = client.post(
        "/settings/",
        {"provider": "xero", "batch_size": 5, "auto_sync_minutes": 20, "post_as": "approved"},
    )

    assert response.status_code == 302
    assert not DocumentState.objects.filter(message__contains="QuickBooks").exists()
    assert set(DocumentState.objects.values_list("provider", "message")) == {
        ("xero", "Not connected to Xero: connect on the Sync Accounts API page first.")
    }


def test_the_grid_never_shows_a_status_judged_under_another_connection(client, org, linked):
    document = invoice(org, "S0001")
    # Left by something that went round the hooks: judged against another package.
    DocumentState.objects.filter(document=document).update(
        status_code=StatusCode.RELINK_NEEDED,
        message="Sage no longer accepts ledgersync's access: connect again.",
        provider="sage",
        company_id="b2c1",
    )
    client.force_login(make_user(org, Role.ACCOUNTS))

    page = client.get("/sync/sales-invoice/").content.decode()

    assert "Sage" not in page
    assert "Every check passes" in page
    state = DocumentState.objects.get(document=document)
    assert (state.provider, state.company_id, state.status_code) == ("quickbooks", COMPANY, "")


def test_the_sync_page_says_how_old_the_data_is_and_refresh_queues_a_read(client, org, linked):
    cache = ReferenceCache.objects.get(connection=linked)
    ReferenceCache.objects.filter(pk=cache.pk).update(
        fetched_at=timezone.make_aware(timezone.datetime(2025, 11, 2, 10, 42))
    )
    client.force_login(make_user(org, Role.ACCOUNTS))

    page = client.get("/sync/sales-invoice/").content.decode()
    assert "Checked against QuickBooks data from 10:42 on 2 November 2025." in page
    assert "Refresh from QuickBooks" in page

    # Queued, not run: in these tests the commit that would start it never comes.
    response = client.post("/sync/reference/refresh/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "grid-changed"
    body = response.content.decode()
    assert "Reading QuickBooks&#x27;s accounts, tax rates, contacts and numbers now." in body
    assert 'hx-get="/sync/reference/"' in body  # it polls until the read is over
    assert ReferenceCache.objects.get(pk=cache.pk).state == FetchState.FETCHING

    ReferenceCache.objects.filter(pk=cache.pk).update(state=FetchState.FRESH)
    polled = client.get("/sync/reference/", headers={"HX-Request": "true"})
    assert polled["HX-Trigger"] == "grid-changed"
    assert "hx-get" not in polled.content.decode()


def test_refresh_needs_run_sync(client, org, linked):
    client.force_login(make_user(org, Role.ENGINEER))
    assert client.post("/sync/reference/refresh/").status_code == 403
    assert client.get("/sync/reference/").status_code == 403
