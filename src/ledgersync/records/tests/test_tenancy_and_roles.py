from __future__ import annotations

import pytest
from django.urls import reverse

from ledgersync.records.models import Perm, Role
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org, make_user

pytestmark = pytest.mark.django_db


def test_a_user_never_sees_another_organisations_documents(client):
    ours, theirs = make_org("ours", "Ours Ltd"), make_org("theirs", "Theirs Ltd")
    mine = create_document(ours, invoice_data(number="S0100"))
    secret = create_document(theirs, invoice_data(number="S0999"))
    client.force_login(make_user(ours))

    listing = client.get(reverse("documents"))
    assert listing.status_code == 200
    assert b"S0100" in listing.content and b"S0999" not in listing.content
    assert client.get(reverse("document", args=[mine.pk])).status_code == 200
    assert client.get(reverse("document", args=[secret.pk])).status_code == 404


def test_pages_need_a_login(client):
    response = client.get(reverse("documents"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            Role.ADMINISTRATOR,
            {
                Perm.VIEW_SYNC,
                Perm.MANAGE_CONNECTION,
                Perm.RUN_SYNC,
                Perm.LINK_ACCOUNTS,
                Perm.MANAGE_SETTINGS,
            },
        ),
        (
            Role.ACCOUNTS,
            {Perm.VIEW_SYNC, Perm.MANAGE_CONNECTION, Perm.RUN_SYNC, Perm.LINK_ACCOUNTS},
        ),
        (Role.ENGINEER, set()),
    ],
)
def test_permissions_come_from_the_role(role, expected):
    user = make_user(make_org(), role)
    assert user.get_all_permissions() == expected
    assert all(user.has_perm(p) for p in expected)


def test_the_menu_hides_sync_from_engineers(client):
    org = make_org()
    client.force_login(make_user(org, Role.ENGINEER))
    assert b"Sync Accounts API" not in client.get(reverse("home")).content
    client.force_login(make_user(org, Role.ACCOUNTS))
    assert b"Sync Accounts API" in client.get(reverse("home")).content
