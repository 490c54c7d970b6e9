"""Ledger accounts (``nominal_code`` is the nominal code) and tax rates, in Sage's wire
shape: the records a document line points at.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgersync.sandbox.sage.store import Business

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
