"""Who may open what: every guarded view answers 403 itself, not just a hidden menu entry."""

from __future__ import annotations

import pytest

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Document, User

pytestmark = pytest.mark.django_db

SYNC_URLS = [
    ("get", "/sync/"),
    ("get", "/sync/sales-invoice/"),
    ("get", "/sync/problems/"),
    ("post", "/sync/connect/"),
    ("get", "/sync/callback/?code=x&state=y"),
    ("post", "/sync/disconnect/"),
    ("post", "/sync/sales-invoice/run/"),
    ("get", "/sync/reference/"),
    ("post", "/sync/reference/refresh/"),
]
ADMIN_URLS = [
    ("get", "/settings/"),
    ("post", "/settings/audit/prune/"),
    ("get", "/settings/users/"),
    ("post", "/settings/users/invite/"),
]
LINKER_URLS = [("get", "/nominals/new/"), ("post", "/nominals/import/")]


@pytest.fixture
def demo():
    return seed_demo()


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize(("method", "url"), SYNC_URLS + ADMIN_URLS + LINKER_URLS)
def test_an_engineer_is_refused_every_sync_settings_and_linking_view(client, demo, method, url):
    login(client, "engineer")
    response = getattr(client, method)(url)
    assert response.status_code == 403
    assert "ask your Administrator" in response.content.decode()


def test_an_engineer_is_refused_the_actions_popup_linking_and_marking(client, demo):
    document = Document.objects.get(number="S1001")
    login(client, "engineer")
    assert client.get(f"/sync/documents/{document.pk}/actions/").status_code == 403
    assert client.post(f"/sync/documents/{document.pk}/link/", {"role": "party"}).status_code == 403
    response = client.post(f"/documents/{document.pk}/mark/", {"marked": "no"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.marked_for_sync is True


def test_the_engineer_menu_has_no_sync_or_settings_entry(client, demo):
    page = login(client, "engineer").get("/").content.decode()
    assert "Sync Accounts API" not in page
    assert ">Settings<" not in page
    assert ">Documents<" in page


def test_accounts_users_see_sync_but_not_settings(client, demo):
    login(client, "accounts")
    page = client.get("/").content.decode()
    assert "Sync Accounts API" in page
    assert ">Settings<" not in page
    assert client.get("/sync/sales-invoice/").status_code == 200
    assert client.get("/settings/").status_code == 403


def test_an_administrator_sees_every_entry(client, demo):
    page = login(client, "admin").get("/").content.decode()
    for label in (
        "Diary",
        "Documents",
        "Accounts",
        "Suppliers",
        "Nominal codes",
        "Sync Accounts API",
        "Needs attention",
        "Settings",
    ):
        assert f">{label}<" in page
    assert client.get("/settings/").status_code == 200


def test_an_engineer_changing_a_record_cannot_touch_its_accs_id(client, demo):
    from ledgersync.records.models import Account
    from ledgersync.sync.models import AccsIdLink, Connection, ConnectionStatus

    Connection.objects.create(
        organisation=demo,
        provider="quickbooks",
        company_id="9",
        status=ConnectionStatus.CONNECTED,
        refresh_token="r",
        access_token="a",
    )
    account = Account.objects.get(number="A1001")
    login(client, "engineer")
    response = client.post(
        f"/accounts/{account.pk}/edit/",
        {
            "name": "Renamed in the same post",
            "country": "GB",
            "accs_id": "129",
        },
    )
    assert response.status_code == 403
    assert not AccsIdLink.objects.filter(account=account).exists()
    # The refused field refuses the whole post: the name typed with it is not saved either.
    account.refresh_from_db()
    assert account.name != "Renamed in the same post"


def test_anonymous_users_are_sent_to_log_in(client, demo):
    for url in ("/", "/documents/", "/sync/sales-invoice/", "/settings/", "/nominals/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_go_to_sync_shows_only_once_marked_and_only_with_the_permission(client, demo):
    marked = Document.objects.get(number="S1001")
    unmarked = Document.objects.get(number="S1002")
    Document.objects.filter(pk=unmarked.pk).update(marked_for_sync=False)
    login(client, "accounts")
    assert 'id="go-to-sync"' in client.get(f"/documents/{marked.pk}/").content.decode()
    assert 'id="go-to-sync"' not in client.get(f"/documents/{unmarked.pk}/").content.decode()
    login(client, "engineer")
    assert 'id="go-to-sync"' not in client.get(f"/documents/{marked.pk}/").content.decode()
