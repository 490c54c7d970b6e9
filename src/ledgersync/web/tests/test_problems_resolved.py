"""Needs attention says how long each document has waited and whether its problem came back;
Recently resolved (web and API) lists what was fixed, when and by whom."""

from __future__ import annotations

import pytest

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Document, User
from ledgersync.sync import assess
from ledgersync.sync.tests.conftest import connect_to_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office(client, quickbooks):
    organisation = seed_demo()
    connect_to_sandbox(organisation, quickbooks.url, "quickbooks")
    assess.assess(organisation, ask=False)
    client.force_login(User.objects.get(username="accounts"))
    return organisation, client


def test_marked_sent_on_the_web_is_resolved_by_that_user_and_back_again_is_counted(office):
    organisation, client = office
    s1001 = Document.objects.get(organisation=organisation, number="S1001")
    before = client.get("/sync/problems/resolved/").content.decode()
    assert "Not marked as sent" not in before  # (connecting resolved "Not connected")

    client.post(f"/documents/{s1001.pk}/sent/", {"sent": "yes"})
    s1001.refresh_from_db()
    assert s1001.is_sent, "the Print dialogue's Sent toggle"
    listed = client.get("/sync/problems/resolved/").content.decode()
    assert "S1001" in listed and "Not marked as sent" in listed and ">accounts<" in listed
    api = ApiClient(create_key(organisation, "job system")[1])
    resolved = api.get("/sync/problems/resolved", days=7).json()
    first = next(
        i for i in resolved["items"] if i["number"] == "S1001" and i["status_code"] == "NOT_SENT"
    )
    assert first["resolved_by"] == "accounts" and first["times"] == 1
    assert api.get("/sync/problems/resolved", days=0).status_code == 422

    client.post(f"/documents/{s1001.pk}/sent/", {"sent": "no"})
    page = client.get("/sync/problems/").content.decode()
    row = page[page.index(f'id="problem-{s1001.pk}"') :][:2500]
    assert "back 1×" in row

    item = next(i for i in api.get("/sync/problems").json()["items"] if i["number"] == "S1001")
    assert item["times"] == 2 and item["waiting_since"]
