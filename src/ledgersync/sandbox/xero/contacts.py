"""Contacts: one record for customers and suppliers alike, names unique among ACTIVE
contacts, ``IsCustomer`` / ``IsSupplier`` set by Xero when a document uses the contact."""

from __future__ import annotations

import uuid
from typing import Any

from ledgersync.ids import is_guid
from ledgersync.sandbox.xero.errors import ElementInvalid, PostDataInvalid
from ledgersync.sandbox.xero.store import Organisation, render

STATUSES = ("ACTIVE", "ARCHIVED", "GDPRREQUEST")
# Fields a client may set, with their maximum lengths (the spec's Contact schema).
TEXT_FIELDS = {
    "Name": 255,
    "ContactNumber": 50,
    "AccountNumber": 50,
    "FirstName": 255,
    "LastName": 255,
    "EmailAddress": 255,
    "CompanyNumber": 50,
    "TaxNumber": 50,
    "BankAccountDetails": 255,
    "Website": 255,
}
ADDRESS_TYPES = ("POBOX", "STREET")
PHONE_TYPES = ("DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE")
ADDRESS_FIELDS = (
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "AddressLine4",
    "City",
    "Region",
    "PostalCode",
    "Country",
    "AttentionTo",
)
PHONE_FIELDS = ("PhoneNumber", "PhoneAreaCode", "PhoneCountryCode")


def blank(contact_id: str | None = None) -> dict:
    return {
        "ContactID": contact_id or str(uuid.uuid4()),
        "ContactStatus": "ACTIVE",
        "Name": "",
        "Addresses": [{"AddressType": kind} for kind in ADDRESS_TYPES],
        "Phones": [{"PhoneType": kind} for kind in PHONE_TYPES],
        "IsSupplier": False,
        "IsCustomer": False,
        "ContactGroups": [],
        "HasAttachments": False,
        "HasValidationErrors": False,
    }


def save(org: Organisation, data: dict, existing: dict | None = None) -> dict:
    """Create (``existing`` None) or update a contact from one request element."""
    record = dict(existing) if existing else blank()
    problems = []
    for name, limit in TEXT_FIELDS.items():
        if name in data:
            value = data[name]
            if value is not None and not isinstance(value, str):
                raise PostDataInvalid(f"The value for {name} is not a string.")
            value = (value or "").strip()
            if len(value) > limit:
                problems.append(f"{name} must be {limit} characters or fewer.")
            record[name] = value
    if "ContactStatus" in data:
        if data["ContactStatus"] not in STATUSES:
            problems.append("ContactStatus must be ACTIVE, ARCHIVED or GDPRREQUEST.")
        else:
            record["ContactStatus"] = data["ContactStatus"]
    if "Addresses" in data:
        record["Addresses"] = _merge(
            record["Addresses"], data["Addresses"], "AddressType", ADDRESS_TYPES, ADDRESS_FIELDS
        )
    if "Phones" in data:
        record["Phones"] = _merge(
            record["Phones"], data["Phones"], "PhoneType", PHONE_TYPES, PHONE_FIELDS
        )
    if not record.get("Name"):
        problems.append("Contact Name cannot be empty.")
    elif record["ContactStatus"] == "ACTIVE":
        clash = org.active_contact_named(record["Name"], other_than=record["ContactID"])
        if clash is not None:
            problems.append(
                f"The contact name {record['Name']} is already assigned to another contact. "
                "The contact name must be unique across all active contacts."
            )
    if problems:
        raise ElementInvalid(*problems)
    record["UpdatedDateUTC"] = org.now()
    org.contacts[record["ContactID"]] = record
    return record


def _merge(current: list[dict], given: Any, key: str, kinds: tuple, fields: tuple) -> list[dict]:
    if not isinstance(given, list):
        raise PostDataInvalid(f"{key[:-4]}es must be a list.")
    by_kind = {entry[key]: dict(entry) for entry in current}
    for entry in given:
        if not isinstance(entry, dict) or entry.get(key) not in kinds:
            raise PostDataInvalid(f"{key} must be one of {', '.join(kinds)}.")
        target = by_kind.setdefault(entry[key], {key: entry[key]})
        for name in fields:
            if isinstance(entry.get(name), str):
                target[name] = entry[name]
    return [by_kind[kind] for kind in kinds if kind in by_kind]


def find(org: Organisation, data: dict) -> dict | None:
    """The contact a document or an upsert names: by ContactID, ContactNumber, then Name."""
    contact_id = data.get("ContactID")
    if contact_id:
        if not is_guid(contact_id):
            raise PostDataInvalid("Unrecognized Guid format.")
        return org.contacts.get(contact_id.lower())
    number = data.get("ContactNumber")
    if isinstance(number, str) and number.strip():
        for contact in org.contacts.values():
            if contact.get("ContactNumber", "").casefold() == number.strip().casefold():
                return contact
    name = data.get("Name")
    if isinstance(name, str) and name.strip():
        return org.active_contact_named(name)
    return None


def for_document(org: Organisation, data: Any) -> dict:
    """The contact of an invoice or credit note; a Name that matches nobody is created."""
    if not isinstance(data, dict) or not any(
        data.get(k) for k in ("ContactID", "Name", "ContactNumber")
    ):
        raise ElementInvalid(
            "The Contact must contain at least 1 of the following elements to identify the "
            "contact: Name, ContactID, ContactNumber"
        )
    contact = find(org, data)
    if contact is None:
        if data.get("ContactID"):
            raise ElementInvalid("The Contact with the specified ContactID could not be found")
        return save(org, {k: v for k, v in data.items() if k in TEXT_FIELDS})
    if contact["ContactStatus"] != "ACTIVE":
        raise ElementInvalid(
            "The contact with the specified contact details has been archived. The contact "
            "must be un-archived before creating new invoices or credit notes"
        )
    return contact


def summary(contact: dict) -> dict:
    """The contact as it appears inside a document: the keys of the GET /Invoices example in
    Xero's OpenAPI document (reference/specs/xero-accounting.yaml), lists left empty."""
    return {
        "ContactID": contact["ContactID"],
        "Name": contact["Name"],
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasValidationErrors": False,
    }


# What ``summaryOnly=true`` leaves out of a listed contact (UNCONFIRMED beyond Xero's
# "excluding computation-heavy fields"): the nested lists and the balances.
SUMMARY_ONLY_DROPS = (
    "Addresses",
    "Phones",
    "ContactPersons",
    "ContactGroups",
    "Balances",
    "PaymentTerms",
    "BatchPayments",
)


def summary_only(contact: dict) -> dict:
    return render({k: v for k, v in contact.items() if k not in SUMMARY_ONLY_DROPS})
