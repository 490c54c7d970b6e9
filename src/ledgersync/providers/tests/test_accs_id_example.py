"""Each provider states once where a person reads an AccsID and what one looks like; the
popup's hint shows that provider's example (a GUID for Xero, not QuickBooks' 129), and the
example is an id the provider's own check accepts."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from ledgersync.providers.base import ContactKind
from ledgersync.providers.facts import load
from ledgersync.providers.registry import PROVIDERS

HINT = Template(
    "{% load providers %}{% with where=facts|accs_id_where:is_supplier %}"
    "{% if where %}{{ where.path }} means {{ where.id }}{% else %}none{% endif %}{% endwith %}"
)


def hint(slug: str, is_supplier: bool = False) -> str:
    return HINT.render(Context({"facts": PROVIDERS[slug], "is_supplier": is_supplier}))


def test_quickbooks_shows_its_customer_and_vendor_pages():
    assert hint("quickbooks") == "app/customerdetail?nameId=129 means 129"
    assert hint("quickbooks", is_supplier=True) == "app/vendordetail?nameId=129 means 129"


def test_xero_shows_a_contact_guid_not_a_quickbooks_number():
    guid = "297c2dc5-cc47-4afd-8ec8-74990b8761e9"
    assert hint("xero") == f"Contacts/View/{guid} means {guid}"
    assert "nameId" not in hint("xero")


def test_sage_offers_no_typed_accs_id_so_no_hint():
    assert hint("sage") == "none"


@pytest.mark.parametrize("slug", [s for s, f in PROVIDERS.items() if f.accs_id_example])
def test_the_example_is_an_id_the_provider_accepts(slug):
    facts = PROVIDERS[slug]
    connector_class = load(facts.connector)
    connector = object.__new__(connector_class)  # validate_accs_id reads no connection

    assert connector.validate_accs_id(facts.accs_id_example) == facts.accs_id_example
    assert facts.accs_id_where(ContactKind.CUSTOMER) is not None
