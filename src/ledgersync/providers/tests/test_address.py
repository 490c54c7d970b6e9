from __future__ import annotations

import dataclasses

import pytest

from ledgersync.providers.base import Address, ContactKind, NewContact
from ledgersync.providers.quickbooks import mapping as quickbooks
from ledgersync.providers.sage import mapping as sage
from ledgersync.providers.xero import mapping as xero

HARBOUR = Address("1 Quay St", "", "Falmouth", "Cornwall", "TR11 3HH", "GB")
PARTS = {f.name for f in dataclasses.fields(Address)}


@pytest.mark.parametrize("provider", [quickbooks, sage, xero], ids=lambda m: m.__name__)
def test_every_provider_names_a_field_for_each_part_of_an_address(provider):
    assert set(provider.ADDRESS_FIELDS) == PARTS


@pytest.mark.parametrize("provider", [quickbooks, sage, xero], ids=lambda m: m.__name__)
def test_an_address_written_with_a_providers_names_reads_back_the_same(provider):
    assert Address.read(HARBOUR.fields(provider.ADDRESS_FIELDS), provider.ADDRESS_FIELDS) == (
        HARBOUR
    )


def test_empty_parts_are_left_out_of_what_is_sent():
    assert HARBOUR.fields(xero.ADDRESS_FIELDS) == {
        "AddressLine1": "1 Quay St",
        "City": "Falmouth",
        "Region": "Cornwall",
        "PostalCode": "TR11 3HH",
        "Country": "GB",
    }


def test_a_missing_or_null_field_reads_as_empty():
    row = {"Line1": "1 Quay St", "Line2": None}
    assert Address.read(row, quickbooks.ADDRESS_FIELDS) == Address(line1="1 Quay St")


def test_sage_answers_its_country_as_an_object_and_takes_it_as_an_id():
    new = NewContact(ContactKind.CUSTOMER, "Harbour Cafe", address=HARBOUR)
    assert sage.contact_body(new, "k")["contact"]["main_address"]["country_id"] == "GB"
    country = {"id": "GB", "displayed_as": "United Kingdom (GB)"}
    row = {"id": "c1", "name": "Harbour Cafe", "main_address": {"city": "Falmouth"}}
    row["main_address"]["country"] = country
    contact = sage.parse_contact(row, ContactKind.CUSTOMER)
    assert contact.address == Address(city="Falmouth", country="GB")
