from __future__ import annotations

from ledgersync import ids
from ledgersync.providers.xero import connector
from ledgersync.sandbox.xero import contacts


def test_a_guid_is_36_characters_of_hex_in_five_groups():
    assert ids.is_guid("297c2dc5-cc47-4afd-8ec8-74990b8761e9") is True
    assert ids.is_guid("297c2dc5cc474afd8ec874990b8761e9") is False  # 32: no dashes
    assert ids.is_guid("297c2dc5-cc47-4afd-8ec8-74990b8761eZ") is False
    assert ids.is_guid(None) is False


def test_the_xero_connector_and_sandbox_check_guids_with_the_same_function():
    assert connector.is_guid is ids.is_guid
    assert contacts.is_guid is ids.is_guid
