"""The Sage connector's own behaviour against its in-process sandbox: the duplicate check,
checks before sending, concurrency inside the rate limit, links and AccsIDs."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from ledgersync.providers.base import Address, ContactKind, DocType, NewContact, OutboundLine
from ledgersync.providers.errors import InvalidAccsId, PermanentError
from ledgersync.providers.pacing import Pace
from ledgersync.providers.sage.connector import NO_TYPED_ID, SageConnector
from ledgersync.providers.sage.tests.conftest import ROOT, connect
from ledgersync.providers.tests.contract import outbound_document
from ledgersync.sandbox import make_app


@pytest.fixture
def app():
    return make_app("sage")


@pytest.fixture
def plane(app) -> httpx.Client:
    return httpx.Client(transport=app.transport(), base_url=ROOT)


@pytest.fixture
def connector(app) -> SageConnector:
    return connect(app)


def posts(plane: httpx.Client, path: str) -> list[dict]:
    log = plane.get("/_sandbox/requests").json()
    return [r for r in log if r["method"] == "POST" and r["path"] == f"/v3.1{path}"]


def gets(plane: httpx.Client, path: str) -> list[dict]:
    log = plane.get("/_sandbox/requests").json()
    return [r for r in log if r["method"] == "GET" and r["path"] == f"/v3.1{path}"]


def invoice(connector, number: str, *, nominal="4000", tax="S", key=None, kind=None, contact=None):
    doc_type = kind or DocType.SALES_INVOICE
    if contact is None:
        name = (
            "Builders Merchants Direct" if doc_type is DocType.SUPPLIER_INVOICE else "Harbour Cafe"
        )
        contact = connector.find_contacts(name, doc_type.contact_kind)[0].contact.id
    line = OutboundLine("Labour", Decimal("2"), Decimal("75.00"), nominal, tax)
    key = key or f"key-{number}"
    return outbound_document(number, contact, [line], key, doc_type=doc_type, reference="")


def test_accs_ids_cannot_be_typed_for_sage(connector):
    assert connector.capabilities.supports_typed_accs_id is False
    with pytest.raises(InvalidAccsId) as caught:
        connector.validate_accs_id("be4de860ee2c447288cc31385ffa9d73")
    assert caught.value.message == NO_TYPED_ID


def test_a_batch_of_numbers_is_checked_with_one_search(connector, plane):
    documents = [invoice(connector, f"S300{n}") for n in range(1, 6)]
    connector.reference_data()
    plane.delete("/_sandbox/requests")
    results = connector.push(documents)
    assert [r.ok for r in results] == [True] * 5
    searches = gets(plane, "/sales_invoices")
    assert [r["query"]["search"] for r in searches] == ["s300"]
    assert len(posts(plane, "/sales_invoices")) == 5


def test_every_write_carries_its_own_idempotency_id(connector, plane):
    connector.push([invoice(connector, "S3001"), invoice(connector, "S3002")])
    keys = {
        r["request_body"]["sales_invoice"]["idempotency_id"]
        for r in posts(plane, "/sales_invoices")
    }
    assert len(keys) == 2 and all(len(k) == 32 for k in keys)


def test_a_number_pushed_under_another_key_is_a_duplicate(connector, plane):
    assert connector.push([invoice(connector, "S3001", key="first")])[0].ok
    again = connector.push([invoice(connector, "S3001", key="second")])[0]
    assert again.error == PermanentError("Invoice S3001 already exists in Sage")
    assert len(posts(plane, "/sales_invoices")) == 1


def test_one_number_twice_in_a_push_is_sent_once(connector, plane):
    first, second = connector.push(
        [invoice(connector, "S3001", key="a"), invoice(connector, "s3001", key="b")]
    )
    assert first.ok
    assert second.error == PermanentError("Invoice s3001 already exists in Sage")
    assert len(posts(plane, "/sales_invoices")) == 1


def test_a_supplier_invoice_number_is_a_duplicate_only_for_its_supplier(connector):
    apex = connector.find_contacts("Apex Plant Hire", ContactKind.SUPPLIER)[0].contact.id
    bills = DocType.SUPPLIER_INVOICE
    taken, fine = connector.push(
        [
            invoice(connector, "BMD-5521", nominal="5000", kind=bills),
            invoice(connector, "BMD-5521", nominal="5000", kind=bills, contact=apex, key="apex"),
        ]
    )
    assert taken.error == PermanentError("Supplier invoice BMD-5521 already exists in Sage")
    assert fine.ok and fine.remote.contact_id == apex


def test_a_nominal_without_a_tax_rate_stops_the_document_before_sending(connector, plane):
    result = connector.push([invoice(connector, "S3001", nominal="4030", tax=None)])[0]
    assert result.error == PermanentError("Nominal code 4030 has no tax rate in Sage")
    assert posts(plane, "/sales_invoices") == []


def test_a_purchase_nominal_on_a_sales_invoice_is_refused_before_sending(connector, plane):
    result = connector.push([invoice(connector, "S3001", nominal="5000")])[0]
    assert result.error == PermanentError(
        "Nominal code 5000 (line 1) cannot be used on sales documents in Sage"
    )
    assert posts(plane, "/sales_invoices") == []


def test_sages_refusal_reads_in_plain_words(connector):
    customer = connector.find_contacts("Harbour Cafe", ContactKind.CUSTOMER)[0].contact.id
    bill = invoice(
        connector, "X-1", nominal="5000", kind=DocType.SUPPLIER_INVOICE, contact=customer
    )
    result = connector.push([bill])[0]
    assert result.error == PermanentError(
        "Couldn't find Supplier.", code="RecordInvalid", status=422
    )


def test_pushes_run_concurrently(connector, plane):
    documents = [invoice(connector, f"S40{n:02d}") for n in range(8)]
    connector.reference_data()
    connector.existing_numbers(DocType.SALES_INVOICE, [d.number for d in documents])
    plane.put("/_sandbox/limits", json={"latency_ms": 250})
    # Sage's own pace (a call every 0.31 s) would hide the overlap: this is about the threads.
    connector.client.pace = Pace(10_000)
    started = time.monotonic()
    results = connector.push(documents)
    elapsed = time.monotonic() - started
    assert [r.ok for r in results] == [True] * 8
    assert elapsed < 8 * 0.25 * 0.75  # four at a time: about two rounds, not eight


def test_the_pace_keeps_any_minute_under_sages_200_and_close_to_it():
    now, sent = [0.0], []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pace = Pace(200, clock=lambda: now[0], sleep=sleep)
    for n in range(1000):
        if n % 300 == 150:
            now[0] += 45.0  # a quiet spell (between steps): a few may go at once after it
        pace.take()
        sent.append(now[0])
    busiest = max(sum(1 for t in sent if start <= t < start + 60) for start in sent)
    assert 185 <= busiest <= 199


def test_a_new_pace_carries_on_where_the_last_step_left_off():
    now, slept = [100.0], []
    first = Pace(200, clock=lambda: now[0], sleep=slept.append)
    for _ in range(30):
        first.take()
    second = Pace(200, clock=lambda: now[0], sleep=slept.append)
    second.resume(first.next_slot)
    second.take()
    assert slept[-1] == pytest.approx(first.next_slot - first.burst * first.interval - now[0])
    assert slept[-1] > 5


def test_a_contact_link_is_the_web_apps_numeric_page(connector):
    contact = connector.find_contacts("Harbour Cafe", ContactKind.CUSTOMER)[0].contact
    url = connector.contact_url(contact.id, ContactKind.CUSTOMER)
    assert url.startswith(f"{ROOT}/contacts/customers/") and url.rsplit("/", 1)[1].isdigit()


def test_a_contact_of_the_other_kind_or_shape_is_none(connector, plane):
    customer = connector.find_contacts("Harbour Cafe", ContactKind.CUSTOMER)[0].contact.id
    assert connector.get_contact(customer, ContactKind.SUPPLIER) is None
    before = len(plane.get("/_sandbox/requests").json())
    assert connector.get_contact("145570473", ContactKind.CUSTOMER) is None
    assert len(plane.get("/_sandbox/requests").json()) == before


def test_a_token_close_to_expiry_is_refreshed_once_before_a_push(connector):
    saved = []
    connector.on_token_refresh = saved.append
    soon = replace(
        connector.api.credentials,
        access_expires_at=connector.api.credentials.access_expires_at.replace(year=2000),
    )
    connector.api.credentials = soon
    connector.credentials = soon
    assert connector.push([invoice(connector, f"S50{n}") for n in range(4)])[0].ok
    assert len(saved) == 1


def test_tokens_refreshed_by_a_push_thread_are_handed_over_on_the_calling_thread(app, connector):
    documents = [invoice(connector, f"S60{n}") for n in range(3)]
    connector.reference_data()
    connector.existing_numbers(DocType.SALES_INVOICE, [d.number for d in documents])
    handed = []
    connector.on_token_refresh = lambda c: handed.append((c, threading.current_thread()))
    app.clock.advance(301)  # the sandbox's access token has expired; ours does not know yet
    results = connector.push(documents)  # only POSTs: each thread meets the 401
    assert [r.ok for r in results] == [True, True, True]
    # One refresh for all three threads, handed over once, on this thread.
    assert handed == [(connector.credentials, threading.current_thread())]


def test_the_connector_leaves_the_shared_clients_refresh_alone(connector):
    # One refresh rule, in ApiClient: a connector-side replacement would be a second one.
    assert "refresh" not in vars(connector.api)


def test_a_contacts_telephone_and_address_are_read_by_asking_for_the_nested_fields(app, plane):
    # Real Sage shows main_contact_person and main_address as {id, displayed_as, $path}
    # stubs unless nested_attributes names their fields (docs/sandboxes.md), so a connector
    # that only asks for the attributes would read an empty telephone and no address.
    made = connect(app).create_contact(
        NewContact(
            kind=ContactKind.CUSTOMER,
            name="Quayside Lettings",
            phone="01202 555 011",
            address=Address(line1="9 Quay Road", city="Poole", postcode="BH15 1HJ"),
        )
    )
    assert made.phone == "01202 555 011"  # from what was sent: the answer holds stubs
    fresh = connect(app)  # no cache: every field comes from a read
    listed = next(c for c in fresh._all_contacts(ContactKind.CUSTOMER) if c.id == made.id)
    one = fresh.get_contact(made.id, ContactKind.CUSTOMER)
    for contact in (listed, one):
        assert contact.phone == "01202 555 011"
        assert contact.address == Address(
            line1="9 Quay Road", city="Poole", postcode="BH15 1HJ", country="GB"
        )
    reads = [
        r
        for r in plane.get("/_sandbox/requests").json()
        if r["method"] == "GET" and r["path"].startswith("/v3.1/contacts")
    ]
    assert reads and all("nested_attributes" in r["query"] for r in reads)
