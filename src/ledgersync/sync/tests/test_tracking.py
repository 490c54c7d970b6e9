"""Tracking over real HTTP to the QuickBooks and Xero sandboxes (issue #18): a document's job
booked as a class / tracking option, a missing option held back with its own status, and
nothing sent while the connection maps nothing."""

from __future__ import annotations

import httpx
import pytest

from ledgersync.providers.base import TrackingSlot
from ledgersync.records import services
from ledgersync.records.models import Account, Document
from ledgersync.sandbox import start_server
from ledgersync.sync import linking, reference, tracking
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import Attempt, AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.test_engine import sync_all

pytestmark = pytest.mark.django_db(transaction=True)

# Xero's seeded category for the kinds of job (sandbox/xero/seed.py).
JOB_SETTING = {
    "quickbooks": {"class": {"source": "job"}},
    "xero": {"category": {"source": "job", "category": "Job"}},
}


@pytest.fixture(scope="module", params=["quickbooks", "xero"])
def sandbox_server(request):
    """Only the two packages ledgersync books tracking in (Sage: not offered)."""
    server = start_server(request.param)
    yield server
    server.stop()


@pytest.fixture
def ready(demo):
    """The demo connected, with S1002 (Harbour Cafe, A1001) ready to go."""
    organisation, connection = demo
    connector = connector_for_connection(connection)
    party = Account.objects.get(organisation=organisation, number="A1001")
    match = linking.suggestions(connector, party).exact
    linking.link_existing(connection, connector, party, match.contact.id)
    return organisation, connection


def set_fields(number: str, **fields) -> Document:
    document = Document.objects.get(number=number)
    services.update_document(document, fields)
    return Document.objects.get(pk=document.pk)


def state(number: str) -> DocumentState:
    return DocumentState.objects.get(document__number=number)


def booked(sandbox, connection, number: str) -> dict:
    """The document as the package's own API answers it."""
    headers = {"Authorization": f"Bearer {connection.access_token}", "Accept": "application/json"}
    if sandbox.slug == "quickbooks":
        answer = httpx.get(
            f"{sandbox.url}/v3/company/{connection.company_id}/query",
            params={"query": f"select * from Invoice where DocNumber = '{number}'"},
            headers=headers,
        )
        return answer.json()["QueryResponse"]["Invoice"][0]
    # One invoice by its number: a list leaves the lines out (reference/xero.md).
    answer = httpx.get(
        f"{sandbox.url}/api.xro/2.0/Invoices/{number}",
        headers={**headers, "xero-tenant-id": connection.company_id},
    )
    return answer.json()["Invoices"][0]


def writes(sandbox) -> list[str]:
    """The bodies of every POST and PUT the sandbox received (its request log)."""
    log = httpx.get(f"{sandbox.url}/_sandbox/requests").json()
    return [str(r["request_body"]) for r in log if r["method"] in ("POST", "PUT")]


def line_tracking(sandbox, invoice: dict) -> list[str]:
    """What each line books: the class's name (QuickBooks) or "Category: Option" (Xero)."""
    if sandbox.slug == "quickbooks":
        return [
            (line["SalesItemLineDetail"].get("ClassRef") or {}).get("name", "")
            for line in invoice["Line"]
            if line["DetailType"] == "SalesItemLineDetail"
        ]
    return [
        ", ".join(f"{t['Name']}: {t['Option']}" for t in line["Tracking"])
        for line in invoice["LineItems"]
    ]


def test_a_document_with_a_job_is_booked_with_its_class_or_tracking_option(ready, sandbox):
    organisation, connection = ready
    document = set_fields("S1002", job="Servicing", department="Bath")
    setting = dict(JOB_SETTING[sandbox.slug])
    if sandbox.slug == "quickbooks":
        setting["location"] = {"source": "department"}
    tracking.save_settings(connection, setting)
    reference.refresh(connection)
    assert state("S1002").status_code == ""
    listed = tracking.lists_of(reference.cache_of(connection).tracking)
    assert [t.name for t in listed] == {
        "quickbooks": ["Class", "Location"],
        "xero": ["Job", "Region"],
    }[sandbox.slug]

    sync_all(organisation, auto=False)

    assert state("S1002").status_code == StatusCode.SYNCED
    invoice = booked(sandbox, connection, "S1002")
    lines = document.lines.count()
    if sandbox.slug == "quickbooks":
        assert line_tracking(sandbox, invoice) == ["Servicing"] * lines
        assert invoice["DepartmentRef"]["name"] == "Bath"
    else:
        assert line_tracking(sandbox, invoice) == ["Job: Servicing"] * lines
    audit = AuditEvent.objects.get(action="tracking_changed")
    expected = {
        "quickbooks": "QuickBooks tracking: Class from job, Location from department",
        "xero": "Xero tracking: Tracking category 'Job' from job",
    }
    assert audit.detail == expected[sandbox.slug]


def test_a_job_with_no_matching_option_waits_with_its_status_and_is_not_sent(ready, sandbox):
    organisation, connection = ready
    set_fields("S1002", job="Plastering")
    tracking.save_settings(connection, JOB_SETTING[sandbox.slug])
    reference.refresh(connection)

    held = state("S1002")
    sync_all(organisation, auto=False)

    what = {
        "quickbooks": "Class 'Plastering'",
        "xero": "Tracking option 'Plastering' of 'Job'",
    }[sandbox.slug]
    name = connection.get_provider_display()
    assert held.status_code == StatusCode.TRACKING_MISSING
    assert held.message == (
        f"{what} (the document's job) does not exist in {name}: "
        "create it there or change the document's job"
    )
    assert state("S1002").status_code == StatusCode.TRACKING_MISSING
    assert not Attempt.objects.filter(document__number="S1002").exists()
    assert not [body for body in writes(sandbox) if "S1002" in body]


def test_an_unknown_xero_category_or_quickbooks_location_is_named_in_the_status(ready, sandbox):
    _, connection = ready
    set_fields("S1002", job="Servicing", department="Swindon")
    if sandbox.slug == "xero":
        setting = {"category": {"source": "job", "category": "Jobs"}}
        expected = "Tracking category 'Jobs' (the document's job) does not exist in Xero: "
        expected += "create it there or change the document's job"
    else:
        setting = {"class": {"source": "job"}, "location": {"source": "department"}}
        expected = "Location 'Swindon' (the document's department) does not exist in "
        expected += "QuickBooks: create it there or change the document's department"
    tracking.save_settings(connection, setting)
    reference.refresh(connection)

    assert (state("S1002").status_code, state("S1002").message) == (
        StatusCode.TRACKING_MISSING,
        expected,
    )


def test_with_no_mapping_a_job_is_not_sent_and_the_lists_are_not_read(ready, sandbox):
    organisation, connection = ready
    set_fields("S1002", job="Plastering")
    reference.refresh(connection)

    assert state("S1002").status_code == ""
    assert reference.cache_of(connection).tracking is None
    sync_all(organisation, auto=False)

    assert state("S1002").status_code == StatusCode.SYNCED
    invoice = booked(sandbox, connection, "S1002")
    assert set(line_tracking(sandbox, invoice)) == {""}
    assert "DepartmentRef" not in invoice
    log = httpx.get(f"{sandbox.url}/_sandbox/requests").json()
    asked = [f"{r['path']} {r['query']} {r['request_body']}" for r in log]
    assert not [
        a for a in asked if "trackingcategories" in a.casefold() or "from class" in a.casefold()
    ]


def test_turning_the_mapping_off_again_sends_nothing(ready, sandbox):
    organisation, connection = ready
    set_fields("S1002", job="Servicing")
    slot = next(iter(JOB_SETTING[sandbox.slug]))
    tracking.save_settings(connection, JOB_SETTING[sandbox.slug])
    tracking.save_settings(connection, {slot: {"source": ""}})
    reference.refresh(connection)

    sync_all(organisation, auto=False)

    assert [s.source for s in tracking.settings_of(connection)] == [""] * len(
        tracking.slots_of(connection)
    )
    assert set(line_tracking(sandbox, booked(sandbox, connection, "S1002"))) == {""}


def test_a_slot_the_package_does_not_offer_is_refused_in_words(ready, sandbox):
    _, connection = ready
    other = "category" if sandbox.slug == "quickbooks" else "class"

    with pytest.raises(Exception) as refused:
        tracking.save_settings(connection, {other: {"source": "job"}})

    offered = {"quickbooks": "Class, Location", "xero": "Tracking category"}[sandbox.slug]
    name = connection.get_provider_display()
    assert refused.value.message_dict == {
        other: [f"{name} offers {offered} tracking, not '{other}'"]
    }
    assert not AuditEvent.objects.filter(action="tracking_changed").exists()
    assert TrackingSlot(other) not in tracking.slots_of(connection)
