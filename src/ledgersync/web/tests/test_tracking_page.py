"""Settings > Tracking and its REST twin (GET/PUT /api/v1/connection/tracking): the same
rules (sync/tracking.py), the same words, per connection; Sage says it offers none."""

from __future__ import annotations

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.models import User
from ledgersync.sync import tracking
from ledgersync.sync.models import AuditEvent, TrackingMap
from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/settings/tracking/"
quickbooks_only = pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True)
xero_only = pytest.mark.parametrize("sandbox_server", ["xero"], indirect=True)
sage_only = pytest.mark.parametrize("sandbox_server", ["sage"], indirect=True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def api(demo):  # noqa: F811
    return ApiClient(create_key(demo[0], "job system")[1])


@quickbooks_only
def test_accounts_set_a_class_from_the_job_and_the_page_shows_it_and_the_classes(demo):  # noqa: F811
    _, connection = demo
    client = signed_in("accounts")

    answer = client.post(URL, {"class-source": "job", "location-source": ""}, follow=True)

    page = answer.content.decode()
    assert "Tracking settings saved." in page
    assert '<option value="job" selected>Job</option>' in page
    assert [(s.slot.value, s.source) for s in tracking.settings_of(connection)] == [
        ("class", "job"),
        ("location", ""),
    ]
    assert AuditEvent.objects.get(action="tracking_changed").user.username == "accounts"
    # Saving had the package's lists read (the test queue runs it at once): shown here.
    assert "<li>Servicing</li>" in page and "<li>Bristol</li>" in page


@quickbooks_only
def test_an_engineer_may_not_open_or_change_it(demo):  # noqa: F811
    client = signed_in("engineer")

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"class-source": "job"}).status_code == 403
    assert not TrackingMap.objects.exists()


@xero_only
def test_xero_needs_the_category_named_and_says_so_without_saving(demo):  # noqa: F811
    client = signed_in("accounts")

    answer = client.post(URL, {"category-source": "job", "category-category": " "})

    assert answer.status_code == 200
    assert "Name the Xero tracking category to book it in" in answer.content.decode()
    assert not TrackingMap.objects.exists()
    assert not AuditEvent.objects.filter(action="tracking_changed").exists()


@sage_only
def test_sage_says_it_has_nothing_offered_here(demo, api):  # noqa: F811
    page = signed_in("accounts").get(URL).content.decode()
    answer = api.call(
        "PUT", "/connection/tracking", {"slots": [{"slot": "class", "source": "job"}]}
    )

    assert tracking.SAGE_NOTE in page
    assert "<select" not in page
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == "Sage has no tracking that ledgersync books"
    got = api.get("/connection/tracking").json()
    assert (got["offered"], got["note"], got["slots"]) == (False, tracking.SAGE_NOTE, [])


@xero_only
def test_the_api_sets_and_clears_a_xero_category(demo, api):  # noqa: F811
    _, connection = demo
    put = api.call(
        "PUT",
        "/connection/tracking",
        {"slots": [{"slot": "category", "source": "department", "category": "Region"}]},
    )
    cleared = api.call("PUT", "/connection/tracking", {"slots": [{"slot": "category"}]})

    assert put.status_code == 200
    assert put.json()["slots"] == [
        {
            "slot": "category",
            "label": "Tracking category",
            "source": "department",
            "category": "Region",
        }
    ]
    assert cleared.json()["slots"][0]["source"] == ""
    assert not TrackingMap.objects.filter(connection=connection).exists()
    details = list(
        AuditEvent.objects.filter(action="tracking_changed")
        .order_by("at")
        .values_list("detail", flat=True)
    )
    assert details == [
        "Xero tracking: Tracking category 'Region' from department (the API)",
        "Xero tracking: Tracking category not booked (the API)",
    ]


@quickbooks_only
def test_a_read_only_key_may_look_but_not_change(demo):  # noqa: F811
    reader = ApiClient(create_key(demo[0], "reports", read_only=True)[1])

    assert reader.get("/connection/tracking").status_code == 200
    refused = reader.call(
        "PUT", "/connection/tracking", {"slots": [{"slot": "class", "source": "job"}]}
    )
    assert refused.status_code == 403
    assert not TrackingMap.objects.exists()


def test_without_a_connection_the_page_and_the_api_say_connect_first(db):
    from ledgersync.records.demo_data import seed_demo

    organisation = seed_demo()
    api = ApiClient(create_key(organisation, "job system")[1])

    page = signed_in("accounts").get(URL).content.decode()
    answer = api.get("/connection/tracking")

    assert "Connect to" in page and "first: tracking is set per connection" in page
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "not_connected"
