"""Every request the connector sends validates against Sage's Swagger document.

One scenario drives the connector through everything it can do against the sandbox with a
transport that records each request; each operation the client declares is then checked
on its own (path, query parameters, and the body against the closed request schema).
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest

from ledgersync.providers.base import (
    Address,
    ContactKind,
    DocType,
    NewContact,
    OutboundDocument,
    OutboundLine,
)
from ledgersync.providers.sage.client import OPERATIONS
from ledgersync.providers.sage.tests import swagger
from ledgersync.providers.sage.tests.conftest import connect
from ledgersync.providers.tests.contract import outbound_document
from ledgersync.sandbox import make_app

BASE = "/v3.1"
# The User Accounts API, which Sage documents in a separate spec we do not hold.
OUTSIDE_ACCOUNTS_SPEC = {("GET", "/businesses/{key}")}


class Recorder(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str, dict[str, str], object]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith(BASE + "/"):
            content = request.read()
            body = json.loads(content) if content else None
            query = dict(parse_qsl(request.url.query.decode()))
            self.sent.append((request.method, path[len(BASE) :], query, body))
        return self.inner.handle_request(request)


def _document(doc_type: DocType, number: str, contact: str, lines) -> OutboundDocument:
    return outbound_document(number, contact, lines, f"swagger-{number}", doc_type=doc_type)


def _drive(connector) -> None:
    """Touch every operation the connector has, successfully."""
    connector.company()
    customer = connector.find_contacts("Harbour Cafe", ContactKind.CUSTOMER)[0].contact.id
    supplier = connector.find_contacts("Builders Merchants Direct", ContactKind.SUPPLIER)[0]
    supplier_id = supplier.contact.id
    connector.get_contact(customer, ContactKind.CUSTOMER)
    address = Address("4 Quay Street", "", "Poole", "Dorset", "BH15 1HJ", "GB")
    created = connector.create_contact(
        NewContact(
            ContactKind.CUSTOMER, "Northgate Dental Practice", "a@b.example", "01202 1", address
        )
    )
    connector.contact_url(created.id, ContactKind.CUSTOMER)
    connector.reference_data()
    sales = [
        OutboundLine("Labour", Decimal("2"), Decimal("75.00"), "4000", "S"),
        OutboundLine("Materials", Decimal("1.5"), Decimal("10.33"), "4010", "R"),
        OutboundLine("Call-out", Decimal("1"), Decimal("45"), "4020"),
        OutboundLine("Sundries", Decimal("1"), Decimal("5"), "4030", "Z"),
    ]
    purchases = [OutboundLine("Copper pipe", Decimal("3"), Decimal("12.40"), "5000")]
    connector.existing_numbers(DocType.SALES_INVOICE, ["S3001", "S3002"])
    connector.existing_numbers(DocType.SUPPLIER_INVOICE, ["BMD-7001"], contact_id=supplier_id)
    results = connector.push(
        [
            _document(DocType.SALES_INVOICE, "S3001", customer, sales),
            _document(DocType.SALES_CREDIT_NOTE, "C3001", customer, sales[:1]),
            _document(DocType.SUPPLIER_INVOICE, "BMD-7001", supplier_id, purchases),
        ]
    )
    assert [r.ok for r in results] == [True, True, True], results
    connector.find_document(DocType.SALES_CREDIT_NOTE, "C3001")
    connector.find_document(DocType.SUPPLIER_INVOICE, "BMD-7001", supplier_id)


@pytest.fixture(scope="module")
def sent() -> list[tuple[str, str, dict[str, str], object]]:
    app = make_app("sage")
    recorder = Recorder(app.transport())
    _drive(connect(app, recorder))
    return recorder.sent


def _operation(spec: dict, method: str, path: str) -> tuple[str, str]:
    template = swagger.template_for(spec, path)
    if template is None and path.startswith("/businesses/"):
        template = "/businesses/{key}"
    return (method, template or path)


def test_every_request_sent_is_a_declared_operation(sent, sage_swagger):
    used = {_operation(sage_swagger, method, path) for method, path, _, _ in sent}
    assert used == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(set(OPERATIONS) - OUTSIDE_ACCOUNTS_SPEC))
def test_requests_validate_against_the_swagger_document(operation, sent, sage_swagger):
    method, template = operation
    mine = [s for s in sent if _operation(sage_swagger, s[0], s[1]) == operation]
    assert mine, f"the scenario never sent {method} {template}"
    for method_, path, query, body in mine:
        assert swagger.problems(sage_swagger, method_, path, query, body) == []


def test_the_business_lookup_sends_no_query_and_no_body(sent, sage_swagger):
    mine = [s for s in sent if s[1].startswith("/businesses/")]
    assert mine and all(query == {} and body is None for _, _, query, body in mine)


def test_a_misspelt_field_is_caught(sage_swagger):
    body = {"sales_invoice": {"contact_id": "a", "date": "2025-03-01", "invoice_lnes": []}}
    assert swagger.problems(sage_swagger, "POST", "/sales_invoices", {}, body) == [
        "sales_invoice: 'invoice_lines' is a required property",
        "sales_invoice: Additional properties are not allowed ('invoice_lnes' was unexpected)",
    ]


def test_an_out_of_range_page_size_is_caught(sage_swagger):
    assert swagger.problems(sage_swagger, "GET", "/contacts", {"items_per_page": "500"}, None) != []


def test_the_trimmed_copy_matches_the_full_document(sage_swagger):
    if not swagger.FULL.exists():
        pytest.skip("the full Sage swagger document is not on this machine")
    trimmed = json.loads(swagger.TRIMMED.read_text())
    assert trimmed == swagger.trim(sage_swagger, list(OPERATIONS))
