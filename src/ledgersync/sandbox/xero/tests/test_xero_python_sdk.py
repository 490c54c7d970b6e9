"""The Xero sandbox driven by Xero's own Python SDK, xero-python, over a real loopback socket
(issue #16): the calls ledgersync relies on, and where the sandbox used to be kinder or
stricter than Xero.

Each case names its evidence; docs/sandboxes.md ("Driven by the public SDKs") lists them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from xero_python.accounting import AccountingApi, Contact, Invoice, Invoices, LineItem
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from ledgersync.providers.facts import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ledgersync.sandbox.tests.loopback import loopback_fixtures

server, plane = loopback_fixtures("xero")


class Sdk:
    """xero-python's ApiClient on the sandbox, holding tokens minted by its control plane."""

    def __init__(self, server, plane, monkeypatch) -> None:
        # The SDK's identity host, on the sandbox's root.
        monkeypatch.setattr(TokenApi, "refresh_token_url", f"{server.url}/connect/token")
        minted = plane.post("/_sandbox/tokens", json={}).json()
        self.tenant = minted["company_id"]
        self.token = {k: v for k, v in minted.items() if k != "company_id"}
        self.client = ApiClient(
            Configuration(
                oauth2_token=OAuth2Token(
                    client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET
                )
            ),
            pool_threads=1,
        )
        self.client.oauth2_token_getter(lambda: self.token)
        self.client.oauth2_token_saver(self._save)
        self.client.set_oauth2_token(self.token)
        self.accounting = AccountingApi(self.client, base_url=f"{server.url}/api.xro/2.0")
        self.identity = IdentityApi(self.client, base_url=server.url)

    def _save(self, token: dict) -> None:
        self.token = token

    def contact_id(self, name: str) -> str:
        found = self.accounting.get_contacts(self.tenant, where=f'Name=="{name}"').contacts
        return str(found[0].contact_id)

    def invoice(self, number: str, **fields) -> Invoice:
        return Invoice(
            type="ACCREC",
            contact=Contact(contact_id=self.contact_id("Harbour Cafe")),
            invoice_number=number,
            date=date(2026, 3, 1),
            due_date=date(2026, 3, 31),
            line_items=[
                LineItem(
                    description="Labour, 2 hours",
                    quantity=2.0,
                    unit_amount=75.0,
                    account_code="4000",
                )
            ],
            status="AUTHORISED",
            **fields,
        )


@pytest.fixture
def sdk(server, plane, monkeypatch) -> Sdk:
    return Sdk(server, plane, monkeypatch)


def test_connections_answer_at_the_sdks_capitalised_path(sdk):
    # xero-python's recorded cassette tests/identity/api/cassettes/test_get_connections.yaml:
    # GET https://api.xero.com/Connections, a bare array of connections.
    connections = sdk.identity.get_connections()
    assert [str(c.tenant_id) for c in connections] == [sdk.tenant]
    assert connections[0].tenant_type == "ORGANISATION"


def test_the_organisation_answers_with_xeros_created_date_format(sdk, plane):
    # Cassette tests/accounting/api/cassettes/test_get_organisations.yaml: GET /Organisation,
    # "CreatedDateUTC": "/Date(1584566350680)/" (a timestamp without an offset).
    organisation = sdk.accounting.get_organisations(sdk.tenant).organisations[0]
    assert str(organisation.organisation_id) == sdk.tenant
    assert isinstance(organisation.created_date_utc, datetime)
    raw = plane.get("/_sandbox/requests").json()[-1]["response_body"]
    created = raw["Organisations"][0]["CreatedDateUTC"]
    assert created.startswith("/Date(") and "+" not in created


def test_the_chart_and_tax_rates_ledgersync_reads_come_back(sdk):
    codes = {a.code for a in sdk.accounting.get_accounts(sdk.tenant).accounts}
    assert {"4000", "5000"} <= codes
    types = {t.tax_type for t in sdk.accounting.get_tax_rates(sdk.tenant).tax_rates}
    assert "OUTPUT2" in types


def test_an_invoice_created_through_the_sdk_is_read_back_with_its_lines(sdk):
    created = sdk.accounting.create_invoices(
        sdk.tenant,
        Invoices(invoices=[sdk.invoice("S7001")]),
        summarize_errors=False,
        idempotency_key="sdk-s7001",
    ).invoices[0]
    assert created.has_errors is False
    assert created.total == Decimal("180.00") or created.total == 180.0
    one = sdk.accounting.get_invoice(sdk.tenant, created.invoice_id).invoices[0]
    assert [line.line_amount for line in one.line_items] == [150.0]
    paged = sdk.accounting.get_invoices(sdk.tenant, invoice_numbers=["S7001"], page=1)
    assert len(paged.invoices[0].line_items) == 1


def test_an_unpaged_invoice_list_leaves_out_the_lines(sdk, plane):
    # Xero's Invoices page, quoted in xero-node#200 and xero-php#253: "When you retrieve
    # multiple invoices ... no line details are returned"; paging or one invoice gives them.
    sdk.accounting.create_invoices(sdk.tenant, Invoices(invoices=[sdk.invoice("S7002")]))
    sdk.accounting.get_invoices(sdk.tenant, invoice_numbers=["S7002"])
    listed = plane.get("/_sandbox/requests").json()[-1]["response_body"]["Invoices"][0]
    assert "LineItems" not in listed
    assert listed["InvoiceNumber"] == "S7002"


def test_the_contact_inside_an_invoice_has_the_keys_xero_sends(sdk, plane):
    # The GET /Invoices example in Xero's OpenAPI document (reference/specs/
    # xero-accounting.yaml): ContactID, Name, Addresses, Phones, ContactGroups,
    # ContactPersons, HasValidationErrors.
    sdk.accounting.create_invoices(sdk.tenant, Invoices(invoices=[sdk.invoice("S7003")]))
    sdk.accounting.get_invoices(sdk.tenant, invoice_numbers=["S7003"], page=1)
    listed = plane.get("/_sandbox/requests").json()[-1]["response_body"]["Invoices"][0]
    assert set(listed["Contact"]) == {
        "ContactID",
        "Name",
        "Addresses",
        "Phones",
        "ContactGroups",
        "ContactPersons",
        "HasValidationErrors",
    }
    assert listed["Reference"] == ""  # sent without one: "" as in the spec's example


def test_summary_only_trims_the_heavy_fields(sdk, plane):
    # xero-python get_invoices(summary_only=True): "returns only lightweight fields,
    # excluding computation-heavy fields from the response".
    sdk.accounting.create_invoices(sdk.tenant, Invoices(invoices=[sdk.invoice("S7004")]))
    sdk.accounting.get_invoices(sdk.tenant, invoice_numbers=["S7004"], summary_only=True, page=1)
    listed = plane.get("/_sandbox/requests").json()[-1]["response_body"]["Invoices"][0]
    assert not {"LineItems", "Payments", "CreditNotes"} & set(listed)
    assert listed["Total"] == 180.0
    sdk.accounting.get_contacts(sdk.tenant, summary_only=True)
    contact = plane.get("/_sandbox/requests").json()[-1]["response_body"]["Contacts"][0]
    assert "Addresses" not in contact and "ContactID" in contact


def test_if_modified_since_from_the_sdk_filters_the_list(sdk, server, plane):
    # xero-python sends If-Modified-Since as datetime.isoformat().
    plane.post("/_sandbox/clock", json={"advance_seconds": 600}).raise_for_status()
    sdk.accounting.create_invoices(sdk.tenant, Invoices(invoices=[sdk.invoice("S7005")]))
    now = server.app.clock.now()
    recent = sdk.accounting.get_invoices(
        sdk.tenant, if_modified_since=now - timedelta(minutes=1), page=1
    ).invoices
    assert [i.invoice_number for i in recent] == ["S7005"]
    later = sdk.accounting.get_invoices(
        sdk.tenant, if_modified_since=now + timedelta(minutes=1), page=1
    ).invoices
    assert later == []


def test_where_with_the_string_methods_finds_the_contact(sdk):
    for where in (
        'Name.ToLower()=="harbour cafe"',
        'Name.Contains("Cafe")',
        'Name.StartsWith("Harbour")',
    ):
        found = sdk.accounting.get_contacts(sdk.tenant, where=where).contacts
        assert [c.name for c in found] == ["Harbour Cafe"], where


def test_a_refreshed_token_keeps_the_sdk_working(sdk, server, plane):
    old_refresh = sdk.token["refresh_token"]
    plane.post("/_sandbox/clock", json={"advance_seconds": 3700}).raise_for_status()
    # The SDK refreshes an expired access token itself (OAuth2Token.refresh_access_token).
    sdk.client.configuration.oauth2_token.expires_at = datetime.now(UTC).timestamp() - 1
    assert sdk.client.refresh_oauth2_token()
    assert sdk.token["refresh_token"] != old_refresh  # Xero rotates on every refresh
    assert sdk.accounting.get_organisations(sdk.tenant).organisations
