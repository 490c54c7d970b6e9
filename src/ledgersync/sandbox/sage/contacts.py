"""Contacts (customers and suppliers alike): building them (seed and POST /contacts) in
Sage's wire shape, and the rules Sage applies when a contact is created.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ledgersync.sandbox.sage.errors import Problems
from ledgersync.sandbox.sage.settings import SageSettings
from ledgersync.sandbox.sage.store import FIRST_LEGACY_CONTACT_ID, GBP, Business

CONTACT_TYPES = {"CUSTOMER": "Customer", "VENDOR": "Supplier"}
# The web app files contacts under these words, with the legacy numeric id.
WEB_FOLDER = {"CUSTOMER": "customers", "VENDOR": "suppliers"}
NAME_MAX, REFERENCE_MAX, EMAIL_MAX = 100, 10, 100
TAX_NUMBER_MAX = 30  # not stated by Sage; long enough for any EU VAT number


def contact_types(contact: dict) -> set[str]:
    return {t["id"] for t in contact["contact_types"]}


def reference_for(business: Business, name: str) -> str:
    # Sage suggests a reference from the name when none is given; ours: 4 letters + number.
    letters = re.sub(r"[^A-Za-z]", "", name).upper()[:4] or "CONT"
    return f"{letters}{business.next('contact-ref'):03d}"


def create_contact(business: Business, settings: SageSettings, data: object) -> dict:
    """POST /contacts: validate ``{"contact": {...}}`` and store the new contact."""
    problems = Problems()
    body = problems.wrapped(data, "contact")
    name = problems.text(body, "name", NAME_MAX).strip()
    if not name:
        problems.required("name")
    types = body.get("contact_type_ids")
    if not isinstance(types, list) or not types:
        problems.required("contact_type_ids")
        types = []
    elif any(t not in CONTACT_TYPES for t in types):
        problems.add("is invalid", "contact_type_ids")
    reference = problems.text(body, "reference", REFERENCE_MAX).strip()
    if reference and any(
        c["reference"].casefold() == reference.casefold() for c in business.all("contacts")
    ):
        problems.add("has already been taken", "reference")
    if (
        name
        and settings.unique_contact_names
        and any(c["name"] == name for c in business.all("contacts"))
    ):
        problems.add("has already been taken", "name")
    # The swagger says Sage validates the VAT number's format without saying how: kept as
    # sent (docs/sandboxes.md).
    tax_number = problems.text(body, "tax_number", TAX_NUMBER_MAX).strip()
    person = body.get("main_contact_person")
    person = person if isinstance(person, dict) else {}
    email = problems.text(person, "email", EMAIL_MAX, "main_contact_person.email")
    person_name = problems.text(person, "name", NAME_MAX, "main_contact_person.name").strip()
    address = body.get("main_address")
    address = address if isinstance(address, dict) else {}
    problems.raise_any()
    return add_contact(
        business,
        name,
        types[0],
        reference=reference or reference_for(business, name),
        email=email,
        telephone=str(person.get("telephone") or ""),
        person_name=person_name,
        address={k: str(v) for k, v in address.items() if isinstance(v, str)},
        notes=str(body.get("notes") or ""),
        tax_number=tax_number,
    )


def add_contact(
    business: Business,
    name: str,
    type_id: str,
    *,
    reference: str,
    email: str = "",
    telephone: str = "",
    address: dict[str, str] | None = None,
    notes: str = "",
    tax_number: str = "",
    person_name: str = "",
) -> dict:
    legacy = business.next("legacy-contact", FIRST_LEGACY_CONTACT_ID)
    address = address or {}
    body: dict[str, Any] = {
        "_web": [("alternate", f"/contacts/{WEB_FOLDER[type_id]}/{legacy}")],
        "_legacy_id": legacy,
        "deleted_at": None,
        "balance": Decimal("0"),
        "contact_types": [
            {
                "id": type_id,
                "displayed_as": CONTACT_TYPES[type_id],
                "$path": f"/contact_types/{type_id}",
            }
        ],
        "name": name,
        "reference": reference,
        "default_sales_ledger_account": None,
        "default_sales_tax_rate": None,
        "default_purchase_ledger_account": None,
        "tax_number": tax_number,
        "notes": notes,
        "locale": "en",
        "main_address": _address(business, address),
        "delivery_address": None,
        "main_contact_person": {
            # An unnamed person shows as "Main Contact" (DeskproApps/sage mockContacts.json).
            **_entity(business, "contact_persons", person_name or "Main Contact"),
            "name": person_name,
            "telephone": telephone,
            "mobile": "",
            "email": email,
            "is_main_contact": True,
        },
        "credit_limit": Decimal("0"),
        "credit_days": 30,
        "currency": GBP,
        "deletable": True,
        "email": email,
        "system": False,
        "is_active": True,
        "gb_based": address.get("country_id", "GB") == "GB",
    }
    shown = f"{name} ({reference})" if reference else name
    record = business.stamped("contacts", business.new_id("contacts"), shown, body)
    return business.add("contacts", record)


def _entity(business: Business, collection: str, shown: str) -> dict:
    """The id, displayed_as and $path a nested entity carries, as every Sage record does."""
    entity_id = business.new_id(collection)
    return {"id": entity_id, "displayed_as": shown, "$path": f"/{collection}/{entity_id}"}


def _address(business: Business, address: dict[str, str]) -> dict:
    country = address.get("country_id", "GB")
    return {
        # Sage shows an address's displayed_as empty (DeskproApps/sage mockContacts.json).
        **_entity(business, "addresses", ""),
        "address_line_1": address.get("address_line_1", ""),
        "address_line_2": address.get("address_line_2", ""),
        "city": address.get("city", ""),
        "region": address.get("region", ""),
        "postal_code": address.get("postal_code", ""),
        "country": {"id": country, "displayed_as": country, "$path": f"/countries/{country}"},
    }
