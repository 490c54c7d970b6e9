"""Bulk actions from Needs attention on the web: tick or choose a group, preview what will
happen, confirm once (a second confirm of the same preview makes nothing more), watch it
done; bad choices are refused in words."""

from __future__ import annotations

import re

import pytest

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Document, Role, User
from ledgersync.records.tests.factories import make_user
from ledgersync.sync import assess, reference
from ledgersync.sync.models import AuditEvent, BulkAction, BulkState
from ledgersync.sync.tests.conftest import connect_to_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office(client, quickbooks):
    organisation = seed_demo()
    connection = connect_to_sandbox(organisation, quickbooks.url, "quickbooks")
    reference.refresh(connection)
    assess.assess(organisation)
    client.force_login(User.objects.get(username="accounts"))
    return organisation, client


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def test_preview_then_confirm_twice_links_once(office):
    organisation, client = office
    page = client.get("/sync/problems/").content.decode()
    assert 'id="bulk-form"' in page and "Link This for every exact-name match" in page
    assert 'value="group:ACCOUNT_NOT_LINKED"' in page

    preview = client.post(
        "/sync/problems/bulk/preview/",
        {"action": "link_this", "scope": "group:ACCOUNT_NOT_LINKED"},
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Linked to Harbour Cafe" in html  # the sandbox's contact of exactly that name
    assert "has no contact named exactly" in html
    assert not BulkAction.objects.exists(), "a preview changes nothing"

    form = {"action": "link_this", "scope": "group:ACCOUNT_NOT_LINKED", "token": _token(html)}
    first = client.post("/sync/problems/bulk/", form)
    second = client.post("/sync/problems/bulk/", form)
    action = BulkAction.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/sync/bulk/{action.pk}/"
    assert action.state == BulkState.DONE and action.changed > 0
    shown = client.get(f"/sync/bulk/{action.pk}/").content.decode()
    assert f"{action.changed} done" in shown and "Linked to QuickBooks (AccsID" in shown
    assert "hx-get" not in shown, "a finished action is not polled"
    assert AuditEvent.objects.filter(action="bulk:link_this:done").count() == 1


def test_ticked_documents_only_and_mark_sent(office):
    organisation, client = office
    unsent = Document.objects.get(organisation=organisation, number="S1001")
    other = Document.objects.get(organisation=organisation, number="S1002")
    preview = client.post(
        "/sync/problems/bulk/preview/",
        {"action": "mark_sent", "scope": "chosen", "document": [unsent.pk, other.pk]},
    ).content.decode()
    assert "2 documents chosen." in preview
    assert "Marked as sent (by hand)." in preview and "Left: already marked as sent." in preview
    client.post(
        "/sync/problems/bulk/",
        {
            "action": "mark_sent",
            "scope": "chosen",
            "document": [unsent.pk, other.pk],
            "token": _token(preview),
        },
    )
    unsent.refresh_from_db()
    assert unsent.is_sent and unsent.sent_via == "hand"
    assert BulkAction.objects.get().total == 1


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"action": "mark_sent", "scope": "chosen"}, "Tick the documents"),
        ({"action": "dance", "scope": "all"}, "Choose an action"),
        ({"action": "recheck", "scope": "chosen", "document": "S1001"}, "Tick the documents"),
        ({"action": "recheck", "scope": "all", "account": "A9999"}, "cannot be used"),
        ({"action": "recheck", "scope": "sideways"}, "Tick the documents"),
    ],
)
def test_bad_choices_are_refused_in_words(office, form, words):
    organisation, client = office
    response = client.post("/sync/problems/bulk/preview/", form)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not BulkAction.objects.exists()


def test_a_confirm_without_its_key_is_refused_and_other_tenants_actions_are_hidden(office, client):
    organisation, client = office
    response = client.post("/sync/problems/bulk/", {"action": "recheck", "scope": "all"})
    assert response.status_code == 400 and "no key" in response.content.decode()
    from ledgersync.records.tests.factories import make_org

    elsewhere = make_org("other", "Other Ltd")
    theirs = BulkAction.objects.create(organisation=elsewhere, kind="recheck", token="x")
    assert client.get(f"/sync/bulk/{theirs.pk}/").status_code == 404
    engineer = make_user(organisation, Role.ENGINEER, username="eng")
    client.force_login(engineer)
    assert client.post("/sync/problems/bulk/preview/", {"action": "recheck"}).status_code == 403
