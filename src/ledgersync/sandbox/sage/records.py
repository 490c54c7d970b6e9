"""Contacts, ledger accounts and tax rates: building them (seed and POST /contacts) in
Sage's wire shape, and the rules Sage applies when a contact is created.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ledgersync.sandbox.sage.errors import Problems
from ledgersync.sandbox.sage.settings import SageSettings
from ledgersync.sandbox.sage.store import FIRST_LEGACY_CONTACT_ID, Business

CONTACT_TYPES = {"CUSTOMER": "Customer", "VENDOR": "Supplier"}
# The web app files contacts under these words, with the legacy numeric id.
WEB_FOLDER = {"CUSTOMER": "customers", "VENDOR": "suppliers"}
GBP = {"id": "GBP", "displayed_as": "Pound Sterling (GBP)", "$path": "/currencies/GBP"}
NAME_MAX, REFERENCE_MAX, EMAIL_MAX = 100, 10, 100

# id, name, percentage, displayed_as, kind (Sage's tax rate types; only "standard" and
# "lower" need a tax_amount on a line, per the swagger's line description).
UK_TAX_RATES = [
    ("GB_STANDARD", "Standard", Decimal("20"), "Standard 20.00%", "standard"),
    ("GB_LOWER", "Lower Rate", Decimal("5"), "Lower Rate 5.00%", "lower"),
    ("GB_ZERO", "Zero Rated", Decimal("0"), "Zero Rated 0.00%", "zero"),
    ("GB_EXEMPT", "Exempt", Decimal("0"), "Exempt 0.00%", "exempt"),
    ("GB_NO_TAX", "No VAT", Decimal("0"), "No VAT", "no_tax"),
]
UNTAXED_KINDS = frozenset({"zero", "exempt", "no_tax"})

# ledger_account_type id -> (displayed_as, group id, group displayed_as, visible scopes)
ACCOUNT_TYPES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "SALES": ("Sales", "INCOME", "Income", ("sales", "other_receipts", "journals", "reporting")),
    "OTHER_INCOME": (
        "Other Income",
        "INCOME",
        "Income",
        ("sales", "other_receipts", "journals", "reporting"),
    ),
    "DIRECT_EXPENSES": (
        "Direct Expenses",
        "EXPENDITURE",
        "Expenditure",
        ("expenses", "other_payments", "journals", "reporting"),
    ),
    "OVERHEADS": (
        "Overheads",
        "EXPENDITURE",
        "Expenditure",
        ("expenses", "other_payments", "journals", "reporting"),
    ),
    "CURRENT_ASSETS": ("Current Assets", "ASSETS", "Assets", ("journals", "reporting")),
    "BANK": ("Bank", "ASSETS", "Assets", ("banking", "journals", "reporting")),
    "CURRENT_LIABILITY": ("Current Liability", "LIABILITY", "Liability", ("journals", "reporting")),
    "EQUITY": ("Equity", "LIABILITY", "Liability", ("journals", "reporting")),
}
SCOPES = (
    "banking",
    "expenses",
    "journals",
    "other_payments",
    "other_receipts",
    "reporting",
    "sales",
)


def tax_rate(
    business: Business, rate_id: str, name: str, percentage: Decimal, shown: str, kind: str
) -> dict:
    record = business.stamped(
        "tax_rates",
        rate_id,
        shown,
        {
            "name": name,
            "agency": None,
            "percentage": percentage,
            "percentages": [{"percentage": percentage, "from_date": "2011-01-04", "to_date": None}],
            "is_visible": True,
            "retailer": False,
            "editable": False,
            "deletable": False,
            "is_combined_rate": False,
            "component_tax_rates": [],
            "_kind": kind,
        },
    )
    return business.add("tax_rates", record)


def ledger_account(
    business: Business,
    code: int,
    name: str,
    type_id: str,
    tax_rate_id: str | None,
    control: str | None = None,
) -> dict:
    shown, group, group_shown, scopes = ACCOUNT_TYPES[type_id]
    tax = business.get("tax_rates", tax_rate_id) if tax_rate_id else None
    body: dict[str, Any] = {
        "ledger_account_group": {"id": group, "displayed_as": group_shown},
        "name": name,
        "display_name": name,
        "visible_scopes": list(scopes),
        "included_in_chart": True,
        "nominal_code": code,
        "ledger_account_type": {
            "id": type_id,
            "displayed_as": shown,
            "$path": f"/ledger_account_types/{type_id}",
        },
        "tax_rate": business.base("tax_rates", tax) if tax else None,
        "fixed_tax_rate": False,
        **{f"visible_in_{scope}": scope in scopes for scope in SCOPES},
        "is_control_account": control is not None,
        "control_name": control,
        "display_formatted": f"{code} - {name}",
    }
    record = business.stamped(
        "ledger_accounts", business.new_id("ledger_accounts"), f"{name} ({code})", body
    )
    return business.add("ledger_accounts", record)


def contact_types(contact: dict) -> set[str]:
    return {t["id"] for t in contact["contact_types"]}


def reference_for(business: Business, name: str) -> str:
    # Sage suggests a reference from the name when none is given; ours: 4 letters + number.
    letters = re.sub(r"[^A-Za-z]", "", name).upper()[:4] or "CONT"
    return f"{letters}{business.next('contact-ref'):03d}"


def create_contact(business: Business, settings: SageSettings, data: object) -> dict:
    """POST /contacts: validate ``{"contact": {...}}`` and store the new contact."""
    problems = Problems()
    if not isinstance(data, dict) or not isinstance(data.get("contact"), dict):
        problems.required("contact")
        problems.raise_any()
    body = data["contact"]
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
    person = (
        body.get("main_contact_person") if isinstance(body.get("main_contact_person"), dict) else {}
    )
    email = problems.text(person, "email", EMAIL_MAX, "main_contact_person.email")
    address = body.get("main_address") if isinstance(body.get("main_address"), dict) else {}
    problems.raise_any()
    return add_contact(
        business,
        name,
        types[0],
        reference=reference or reference_for(business, name),
        email=email,
        telephone=str(person.get("telephone") or ""),
        address={k: str(v) for k, v in address.items() if isinstance(v, str)},
        notes=str(body.get("notes") or ""),
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
        "tax_number": "",
        "notes": notes,
        "locale": "en",
        "main_address": _address(address),
        "delivery_address": None,
        "main_contact_person": {
            "name": "",
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


def _address(address: dict[str, str]) -> dict:
    country = address.get("country_id", "GB")
    return {
        "address_line_1": address.get("address_line_1", ""),
        "address_line_2": address.get("address_line_2", ""),
        "city": address.get("city", ""),
        "region": address.get("region", ""),
        "postal_code": address.get("postal_code", ""),
        "country": {"id": country, "displayed_as": country, "$path": f"/countries/{country}"},
    }
