"""Suggestions find a contact the package keeps under another name by what identifies the
business (issue #18): the account number (Xero's AccountNumber, Sage's reference, a
QuickBooks vendor's AcctNum) or the VAT number (Xero's TaxNumber, Sage's tax_number), over
real HTTP against each sandbox; the reasons say which. An identifier never makes a Link This."""

from __future__ import annotations

import uuid

import pytest

from ledgersync.records.models import Supplier
from ledgersync.sync import connections, linking

pytestmark = pytest.mark.django_db(transaction=True)

TRADING_NAME = "The Yard Timber Co"


def add_contact_with_identifiers(connector, slug: str, number: str, vat: str) -> str:
    """The supplier as the package's own screens would have saved it: trading name, our
    account number as its account number or reference, and its VAT number where kept."""
    client = connector.client
    if slug == "xero":
        body = {"Name": TRADING_NAME, "AccountNumber": number, "TaxNumber": vat}
        answer = client.write("PUT", "Contacts", {"Contacts": [body]}, str(uuid.uuid4())).body
        return answer[0]["ContactID"]
    if slug == "sage":
        body = {
            "contact": {
                "name": TRADING_NAME,
                "contact_type_ids": ["VENDOR"],
                "reference": number,
                "tax_number": vat,
            }
        }
        return client.create("contacts", body)["id"]
    body = {"DisplayName": TRADING_NAME, "AcctNum": number}  # a Vendor has no VAT number
    return client.create("Vendor", body, str(uuid.uuid4()))["Id"]


def test_a_supplier_kept_under_its_trading_name_is_suggested_by_its_identifiers(demo):
    organisation, connection = demo
    supplier = Supplier.objects.get(organisation=organisation, number="P2001")
    supplier.vat_number = "GB 987 6543 21"
    supplier.save()
    connector = connections.connector_for_connection(connection)
    remote_id = add_contact_with_identifiers(
        connector, connection.provider, supplier.number, "GB987654321"
    )
    fresh = connections.connector_for_connection(connection)  # reads the list anew

    found = linking.suggestions(fresh, supplier)

    match = next(m for m in found.matches if m.contact.id == remote_id)
    assert match.reasons[0] == f"account number {supplier.number}"
    if connection.provider != "quickbooks":
        assert match.reasons[1] == "VAT number GB 987 6543 21"
    assert not match.exact
    assert found.exact is None or found.exact.contact.id != remote_id
