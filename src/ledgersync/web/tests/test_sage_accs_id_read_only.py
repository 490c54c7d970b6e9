"""With Sage, an AccsID cannot be typed anywhere: the record page, the popup and the REST API
all refuse it with Sage's own reason (its capabilities say so once). QuickBooks still takes
a typed AccsID on the record page and in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.models import Account, User
from ledgersync.sync import linking
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import AuditEvent
from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

SAGE_REASON = "Linking by AccsID is not available with Sage; use Link This or Create New."
sage_only = pytest.mark.parametrize("sandbox_server", ["sage"], indirect=True)
quickbooks_only = pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True)


@pytest.fixture
def admin(demo):  # noqa: F811
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.fixture
def api(demo):  # noqa: F811
    return ApiClient(create_key(demo[0], "job system")[1])


def harbour():
    return Account.objects.get(organisation__slug="demo", number="A1001")


def edit(client, account, **fields):
    return client.post(
        f"/accounts/{account.pk}/edit/", {"name": account.name, "country": "GB", **fields}
    )


def test_the_reason_is_the_providers_capability():
    assert PROVIDERS["sage"].capabilities.typed_accs_id_refusal == SAGE_REASON
    assert PROVIDERS["quickbooks"].capabilities.typed_accs_id_refusal is None
    assert PROVIDERS["xero"].capabilities.typed_accs_id_refusal is None


@sage_only
def test_the_record_page_refuses_a_typed_accs_id_with_sage_and_saves_nothing(demo, admin):  # noqa: F811
    organisation, connection = demo

    response = edit(admin, harbour(), accs_id="abc", phone="01326 111111")

    assert response.status_code == 400
    assert SAGE_REASON in response.content.decode()
    assert linking.current_link(connection, harbour()) is None
    assert harbour().phone == ""  # the whole edit was refused, not half of it
    assert not AuditEvent.objects.filter(action__startswith="link").exists()


@sage_only
def test_the_record_page_shows_the_accs_id_read_only_with_sages_reason(demo, admin):  # noqa: F811
    organisation, connection = demo
    connector = connector_for_connection(connection)
    link = linking.link(connection, connector, harbour(), linking.LinkAction.LINK_THIS)

    page = admin.get(f"/accounts/{harbour().pk}/").content.decode()

    assert SAGE_REASON in page
    assert 'name="accs_id"' not in page  # nothing to type into
    assert "data-unlock" not in page
    assert f'value="{link.remote_id}" readonly' in page


@sage_only
def test_clear_accs_id_still_unlinks_with_sage(demo, admin):  # noqa: F811
    organisation, connection = demo
    connector = connector_for_connection(connection)
    linking.link(connection, connector, harbour(), linking.LinkAction.LINK_THIS)

    response = edit(admin, harbour(), clear_accs_id="1")

    assert response.status_code == 302
    assert linking.current_link(connection, harbour()) is None


@sage_only
def test_the_api_refuses_a_typed_accs_id_with_sage_in_the_same_words(demo, api):  # noqa: F811
    organisation, connection = demo

    patched = api.patch(f"/accounts/{harbour().pk}", {"accs_id": "abc", "phone": "01326 1"})
    linked = api.post(f"/accounts/{harbour().pk}/link", {"method": "accs_id", "accs_id": "abc"})

    assert patched.status_code == 422
    assert patched.json()["error"] == {
        "code": "accs_id_read_only",
        "message": SAGE_REASON,
        "field": "accs_id",
        "details": [],
    }
    assert (linked.status_code, linked.json()["error"]["message"]) == (422, SAGE_REASON)
    assert linking.current_link(connection, harbour()) is None
    assert harbour().phone == ""


@sage_only
def test_the_popup_gives_the_same_reason(demo, admin):  # noqa: F811
    from ledgersync.records.models import Document

    document = Document.objects.get(number="S1002")
    page = admin.get(f"/sync/documents/{document.pk}/actions/").content.decode()

    assert f'<p class="muted small" id="accs-unavailable">{SAGE_REASON}</p>' in page


@quickbooks_only
def test_quickbooks_takes_a_typed_accs_id_on_the_record_page_and_in_the_api(
    demo,  # noqa: F811
    admin,
    api,
):
    organisation, connection = demo
    supplier_id = demo[0].supplier_set.get(number="P2001").pk

    assert edit(admin, harbour(), accs_id="129").status_code == 302
    answer = api.patch(f"/suppliers/{supplier_id}", {"accs_id": "58"})

    assert linking.current_link(connection, harbour()).remote_id == "129"
    assert (answer.status_code, answer.json()["accs_id"]) == (200, "58")
    assert api.patch(f"/suppliers/{supplier_id}", {"accs_id": ""}).json()["accs_id"] is None
