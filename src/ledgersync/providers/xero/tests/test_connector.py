"""Xero-specific behaviour beyond the contract: tax by side, numbers per supplier, the
tenant chosen on the consent page, AccsIDs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest

from ledgersync.providers.base import (
    ContactKind,
    DocType,
    NewContact,
    OutboundDocument,
    OutboundLine,
)
from ledgersync.providers.errors import InvalidAccsId, PermanentError
from ledgersync.sandbox.xero.app import XeroSandbox

from .sandboxed import ROOT, connect


@pytest.fixture
def app() -> XeroSandbox:
    return XeroSandbox()


@pytest.fixture
def connector(app):
    return connect(app)


def contact(connector, name: str) -> str:
    return connector.find_contacts(name, ContactKind.CUSTOMER)[0].contact.id


def bill(connector, number: str, supplier: str, tax_code: str | None = "S") -> OutboundDocument:
    line = OutboundLine("Hire", Decimal("1"), Decimal("100.00"), "5000", tax_code)
    return OutboundDocument(
        f"k-{number}",
        DocType.SUPPLIER_INVOICE,
        number,
        contact(connector, supplier),
        None,
        date(2025, 3, 1),
        None,
        "GBP",
        "",
        (line,),
    )


def test_vat_code_s_is_input2_on_a_bill_and_output2_on_a_sale(connector, app):
    result = connector.push([bill(connector, "APX-1", "Apex Plant Hire")])[0]
    assert (result.ok, result.remote.tax_total, result.remote.total) == (
        True,
        Decimal("20.00"),
        Decimal("120.00"),
    )
    stored = next(
        i
        for i in app.orgs[connector.credentials.company_id].invoices.values()
        if i["InvoiceNumber"] == "APX-1"
    )
    assert stored["LineItems"][0]["TaxType"] == "INPUT2"


def test_bill_numbers_are_checked_per_supplier(connector):
    apex = contact(connector, "Apex Plant Hire")
    assert connector.push([bill(connector, "BMD-5521", "Apex Plant Hire")])[0].ok
    assert connector.existing_numbers(DocType.SUPPLIER_INVOICE, ["BMD-5521"], apex) == {"BMD-5521"}
    found = connector.find_document(DocType.SUPPLIER_INVOICE, "BMD-5521", apex)
    assert found.contact_id == apex


def test_a_nominal_without_a_tax_type_stops_the_document(connector):
    document = bill(connector, "APX-2", "Apex Plant Hire", tax_code=None)
    untaxed = OutboundDocument(
        **{
            **document.__dict__,
            "doc_type": DocType.SALES_INVOICE,
            "lines": (OutboundLine("Sundries", Decimal("1"), Decimal("5"), "4030"),),
        }
    )
    result = connector.push([untaxed])[0]
    assert result.error == PermanentError("Nominal code 4030 has no tax rate in Xero")
    assert connector.find_document(DocType.SALES_INVOICE, "APX-2") is None


def test_the_reference_data_says_4030_has_no_tax_and_4090_is_missing(connector):
    reference = connector.reference_data()
    assert (reference.account("4030").has_tax, reference.account("4090")) == (False, None)


def test_an_accs_id_is_a_guid(connector):
    with pytest.raises(InvalidAccsId) as caught:
        connector.validate_accs_id("129")
    assert caught.value.message == (
        "AccountsID (129) is not correct, Xero requires a contact ID such as 297c2dc5-cc47-4afd-8ec8-74990b8761e9"
    )


def test_the_contact_link_has_xeros_shape(connector):
    assert connector.contact_url("abc", ContactKind.CUSTOMER) == f"{ROOT}/Contacts/View/abc"


class Spy(httpx.BaseTransport):
    """Notes each request's method, path and Idempotency-Key on its way to the sandbox."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, request.headers.get("Idempotency-Key")))
        return self.inner.handle_request(request)


def test_every_write_carries_an_idempotency_key(app):
    spy = Spy(app.transport())
    connector = connect(app, spy)
    connector.create_contact(
        NewContact(ContactKind.SUPPLIER, "Coastal Timber Supplies", idempotency_key="new-p2003")
    )
    connector.push([bill(connector, "CTS-1", "Coastal Timber Supplies")])
    writes = [(method, path, key) for method, path, key in spy.sent if method != "GET"]
    assert writes == [
        ("PUT", "/api.xro/2.0/Contacts", "new-p2003"),
        ("PUT", "/api.xro/2.0/Invoices", "k-CTS-1"),
    ]


def test_every_invoice_list_read_is_paged_so_xero_would_send_its_lines(connector, app):
    # Unpaged, GET /Invoices answers without LineItems (Xero's Invoices page, quoted in
    # xero-node#200 and xero-php#253; docs/sandboxes.md): the connector's number checks and
    # look-ups must page so they see whole documents.
    connector.existing_numbers(DocType.SALES_INVOICE, ["S0990", "S9999"])
    connector.existing_numbers(
        DocType.SUPPLIER_INVOICE, ["BMD-5521"], contact(connector, "Builders Merchants Direct")
    )
    connector.find_document(DocType.SALES_INVOICE, "S0990")
    reads = [
        entry
        for entry in app.log.entries()
        if entry["method"] == "GET" and entry["path"].lower().endswith("/invoices")
    ]
    assert reads and all("page" in entry["query"] for entry in reads)


def test_one_number_query_covers_a_batch_of_fifty_and_splits_only_past_xeros_url_limit(
    connector,
):
    longest = [f"S{n:020d}" for n in range(50)]  # 21 characters, the longest a number has
    before = connector.api_calls
    assert connector.existing_numbers(DocType.SALES_INVOICE, longest) == set()
    assert connector.api_calls - before == 1
    before = connector.api_calls
    connector.existing_numbers(DocType.SALES_INVOICE, [f"S{n:020d}" for n in range(120)])
    assert connector.api_calls - before == 2  # each under the limit the sandbox enforces
