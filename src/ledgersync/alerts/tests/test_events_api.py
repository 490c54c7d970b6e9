"""GET /api/v1/events: the webhook's bodies for a job system that polls, paged by id."""

from __future__ import annotations

import json

import pytest

from ledgersync.alerts import events
from ledgersync.alerts.models import Event, EventKind
from ledgersync.api.keys import create_key
from ledgersync.api.main import api as ninja_api
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.tests.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org):
    return ApiClient(create_key(org, "job system", read_only=True)[1])


def happened(org, kind, key):
    return Event.objects.create(
        organisation=org, kind=kind, key=key, summary=f"{kind} {key}", data={"key": key}
    )


def test_events_page_by_id_oldest_first_in_the_webhook_shape(org, api):
    first = happened(org, EventKind.RUN_FINISHED, "run:1")
    second = happened(org, EventKind.RUN_FAILED, "run:2")
    third = happened(org, EventKind.DOCUMENTS_REJECTED, "document:5:REJECTED")

    page = api.get("/events", limit=2).json()
    rest = api.get("/events", after=page["next_after"], limit=2).json()
    empty = api.get("/events", after=rest["next_after"]).json()

    assert page["items"] == [json.loads(events.payload(first)), json.loads(events.payload(second))]
    assert (page["after"], page["limit"], page["next_after"]) == (0, 2, second.pk)
    assert page["items"][0] == {
        "id": first.pk,
        "type": "run.finished",
        "created_at": page["items"][0]["created_at"],
        "organisation": "acme",
        "data": {"summary": "run.finished run:1", "key": "run:1"},
    }
    assert [e["id"] for e in rest["items"]] == [third.pk]
    assert (empty["items"], empty["next_after"]) == ([], third.pk)


def test_events_filter_by_type(org, api):
    happened(org, EventKind.RUN_FINISHED, "run:1")
    failed = happened(org, EventKind.RUN_FAILED, "run:2")

    response = api.get("/events", type="run.failed")

    assert [e["id"] for e in response.json()["items"]] == [failed.pk]


def test_another_organisations_events_are_not_listed(org, api):
    other = make_org("other", "Other Trades Ltd")
    happened(other, EventKind.RUN_FAILED, "run:9")

    assert api.get("/events").json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"type": "run.exploded"}, "type"), ({"limit": 0}, "limit"), ({"after": -1}, "after")],
)
def test_bad_paging_or_type_is_a_clear_422(org, api, query, field):
    response = api.get("/events", **query)

    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", field)
    assert error["message"]


def test_without_a_key_the_answer_is_401(org):
    assert ApiClient(None).get("/events").status_code == 401


def test_the_openapi_document_describes_the_events_list():
    schema = ninja_api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"after", "limit", "type"}
    types = schema["components"]["schemas"]["EventType"]["enum"]
    assert set(types) == set(EventKind.values)
    assert "next_after" in schema["components"]["schemas"]["EventPage"]["properties"]
