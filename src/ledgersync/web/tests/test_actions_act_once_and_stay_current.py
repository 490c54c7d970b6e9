"""The actions popup: Link This, Create New and a typed AccsID act once however often they
arrive, and every row and popup they touch shows the new state (QuickBooks' sandbox over
real HTTP; the rule does not depend on the package)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection as database
from django.test import Client

from ledgersync.records.models import Account, DocType, Document, User
from ledgersync.records.services import create_document
from ledgersync.sync import engine, linking
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True),
]


@pytest.fixture
def admin(demo):  # noqa: F811
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def doc(number):
    return Document.objects.get(number=number)


def post_link(client, number, action, role="party", **extra):
    return client.post(
        f"/sync/documents/{doc(number).pk}/link/",
        {"role": role, "action": action, **extra},
        headers={"HX-Request": "true"},
    )


def link_events(organisation):
    return list(
        AuditEvent.objects.for_org(organisation)
        .filter(action__startswith="link")
        .values_list("action", flat=True)
    )


def contacts_named(connection, party):
    found = linking.suggestions(connector_for_connection(connection), party).matches
    return [m.contact.id for m in found if m.contact.name == party.name]


def oob_rows(response) -> set[str]:
    return set(re.findall(r'<tr id="row-(\d+)"[^>]*hx-swap-oob="true"', response.content.decode()))


def test_link_this_twice_links_once_with_one_audit_entry(demo, admin):  # noqa: F811
    organisation, connection = demo
    match = linking.suggestions(
        connector_for_connection(connection), Account.objects.get(number="A1001")
    ).exact

    first = post_link(admin, "S1002", "link_this", remote_id=match.contact.id)
    second = post_link(admin, "S1002", "link_this", remote_id=match.contact.id)

    assert "Harbour Cafe is linked to QuickBooks" in first.content.decode()
    assert "Harbour Cafe was already linked to QuickBooks" in second.content.decode()
    assert link_events(organisation) == ["link:link_this"]


def test_create_new_twice_makes_one_contact_in_the_package_and_one_audit_entry(
    demo,  # noqa: F811
    admin,
):
    organisation, connection = demo
    party = Account.objects.get(number="A1003")
    assert contacts_named(connection, party) == []

    post_link(admin, "S1005", "create_new")
    replayed = post_link(admin, "S1005", "create_new")

    made = contacts_named(connection, party)
    assert len(made) == 1
    assert linking.current_link(connection, party).remote_id == made[0]
    assert "Northgate Dental Practice was already linked" in replayed.content.decode()
    assert link_events(organisation) == ["link:create_new"]


@pytest.mark.postgres
def test_two_create_new_at_once_make_one_contact(demo):  # noqa: F811
    """Two tabs pressing Create New together: the second waits for the first's row lock."""
    if database.vendor != "postgresql":
        pytest.skip("concurrent requests need a database server")
    organisation, connection = demo
    party = Account.objects.get(number="A1003")
    barrier, errors = threading.Barrier(2), []

    def press():
        try:
            barrier.wait()
            linking.create_new(connection, connector_for_connection(connection), party)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(contacts_named(connection, party)) == 1
    assert link_events(organisation) == ["link:create_new"]


def test_linking_in_one_popup_updates_every_row_naming_that_account(demo, admin):  # noqa: F811
    organisation, connection = demo
    cared_for = create_document(
        organisation,
        {
            "type": "sales_invoice",
            "number": "S1011",
            "account": "A1005",
            "care_of": "A1001",
            "sent_via": "email",
            "mark_for_sync": True,
            "lines": [{"text": "Boiler service", "unit_price": "80.00", "nominal": "4000"}],
        },
    )
    queued = list(engine.queue(organisation, DocType.SALES_INVOICE))
    engine.recheck_all(queued, connection)
    assert StatusCode.CARE_OF_NOT_LINKED in {
        f.code for f in DocumentState.objects.get(document=cared_for).failure_list()
    }

    response = post_link(admin, "S1002", "link_this")

    # S1001 and S1002 name Harbour Cafe as their account, S1011 as its care-of account; the
    # credit note C0001 is re-checked too, but its row is on another grid.
    assert oob_rows(response) == {str(doc(n).pk) for n in ("S1001", "S1002", "S1011")}

    def codes(number):
        return {f.code for f in DocumentState.objects.get(document=doc(number)).failure_list()}

    for number in ("S1001", "S1002", "C0001"):
        assert StatusCode.ACCOUNT_NOT_LINKED not in codes(number), number
    assert codes("S1011") == {StatusCode.ACCOUNT_NOT_LINKED}  # its own account, not the care-of
    sibling = admin.get(f"/sync/documents/{doc('S1001').pk}/actions/").content.decode()
    assert "Link This" not in sibling
    assert "does not exist in QuickBooks" not in sibling


def test_the_popup_reads_the_current_link_not_a_stale_status(demo, admin):  # noqa: F811
    organisation, connection = demo
    connector = connector_for_connection(connection)
    engine.recheck(doc("S1001"), connection)
    stale = DocumentState.objects.filter(document=doc("S1001")).values().get()
    assert [f["code"] for f in stale["failures"]] == [
        StatusCode.NOT_SENT,
        StatusCode.ACCOUNT_NOT_LINKED,
    ]
    party = Account.objects.get(number="A1001")
    # Linked elsewhere (the API, another tab): the link judges S1001 again at once...
    link = linking.link(connection, connector, party, linking.LinkAction.LINK_THIS)
    state = DocumentState.objects.get(document=doc("S1001"))
    assert [f.code for f in state.failure_list()] == [StatusCode.NOT_SENT]
    # ...and were its state recorded before the link all the same (a write that did not go
    # through linking.py), the popup does not believe it.
    DocumentState.objects.filter(pk=state.pk).update(
        failures=stale["failures"], checked_at=stale["checked_at"]
    )

    page = admin.get(f"/sync/documents/{doc('S1001').pk}/actions/").content.decode()

    assert f'<strong class="accsid">{link.remote_id}</strong>' in page
    assert "does not exist in QuickBooks" not in page
    assert "Link This" not in page
    assert "Cannot sync until marked as sent." in page
    state = DocumentState.objects.get(document=doc("S1001"))
    assert [f.code for f in state.failure_list()] == [StatusCode.NOT_SENT]
    assert f'id="row-{doc("S1001").pk}"' in page  # its grid row is refreshed with it
