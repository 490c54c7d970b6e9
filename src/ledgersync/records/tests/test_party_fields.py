"""An account's and a supplier's fields are listed once (records.parties.PARTY_FIELDS); the
importer's columns, the API's output and the record form all read that list."""

from __future__ import annotations

from ledgersync.api.output import PARTY_KEYS
from ledgersync.records.importing import PARTY_COLUMNS
from ledgersync.records.models import Supplier
from ledgersync.records.parties import PARTY_FIELDS
from ledgersync.web.record_views import SupplierAddressForm


def test_the_party_field_list_is_every_field_a_person_fills_in_on_a_supplier():
    model_fields = [
        f.name for f in Supplier._meta.concrete_fields if f.name not in ("id", "organisation")
    ]
    assert ["number", *PARTY_FIELDS] == model_fields


def test_the_importer_the_api_and_the_record_form_use_that_one_list():
    assert PARTY_COLUMNS == ["number", *PARTY_FIELDS]
    assert PARTY_KEYS == ("id", "number", *PARTY_FIELDS)
    assert list(SupplierAddressForm.base_fields) == list(PARTY_FIELDS)
