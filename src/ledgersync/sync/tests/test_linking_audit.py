"""An AccsID link or unlink is written to the audit log exactly once, whether it comes from
the record's AccsID field on the web or from the REST API; saving the AccsID a record
already has writes nothing."""

from __future__ import annotations

import pytest

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.models import Account, Role
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.sync import linking
from ledgersync.sync.models import AuditEvent, Connection, ConnectionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    organisation = make_org()
    connection = Connection.objects.create(
        organisation=organisation,
        provider="quickbooks",
        company_id="9130",
        status=ConnectionStatus.CONNECTED,
    )
    user = make_user(organisation, Role.ACCOUNTS)
    client.force_login(user)
    account = Account.objects.get(organisation=organisation, number="A1042")
    return organisation, connection, account, client


def _events(organisation) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.for_org(organisation).order_by("pk")
    return [(e.action, e.detail) for e in rows if e.action.startswith(("link", "unlink"))]


def _edit(client, account, accs_id: str):
    return client.post(
        f"/accounts/{account.pk}/edit/",
        {"name": account.name, "country": "GB", "accs_id": accs_id},
    )


def test_typing_an_accs_id_on_the_record_is_audited_once_and_again_not_at_all(setup):
    organisation, connection, account, client = setup

    _edit(client, account, "129")
    linking.save_raw_accs_id(connection, account, "129")

    assert linking.current_link(connection, account).remote_id == "129"
    assert _events(organisation) == [
        ("link:typed", "Harbour Cafe (A1042) linked to QuickBooks id 129 (Typed AccsID)")
    ]


def test_clearing_the_accs_id_on_the_web_and_unlinking_by_api_are_each_audited_once(setup):
    organisation, connection, account, client = setup
    api = ApiClient(create_key(organisation, "job system")[1])
    linking.save_raw_accs_id(connection, account, "129")

    _edit(client, account, "")
    linking.save_raw_accs_id(connection, account, "130")
    answer = api.delete(f"/accounts/{account.pk}/link")

    assert answer.status_code == 204
    assert linking.current_link(connection, account) is None
    assert [action for action, _ in _events(organisation)] == [
        "link:typed",
        "unlink",
        "link:typed",
        "unlink",
    ]
    assert _events(organisation)[-1] == ("unlink", "Harbour Cafe (A1042): AccsID 130 removed")
