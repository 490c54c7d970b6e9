"""Customer and Vendor: the name list entities (Employee shares their name rules)."""

from __future__ import annotations

from decimal import Decimal

from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.store import NAME_LISTS
from ledgersync.sandbox.quickbooks.validate import money, ref_id, referenced, same_name, text

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
MAX_LEN = {
    "DisplayName": 500,
    "Title": 16,
    "Suffix": 16,
    "GivenName": 100,
    "MiddleName": 100,
    "FamilyName": 100,
    "CompanyName": 100,
    "PrintOnCheckName": 110,
    "Notes": 2000,
}
NAME_CHECKED = ("DisplayName", "PrintOnCheckName", *NAME_PARTS)
MAX_LEVEL = 4  # sub-customers nest up to 4 levels under the top-level parent


def _names(ctx: WriteContext, data: dict, existing: dict | None) -> str:
    for field, limit in MAX_LEN.items():
        text(data, field, limit, name_chars=field in NAME_CHECKED)
    email = (data.get("PrimaryEmailAddr") or {}).get("Address")
    if email is not None and ("@" not in email or "." not in email):
        raise errors.QBOFault(
            "Invalid Email Address Format",
            "2210",
            f"Invalid Email Address Format : Supplied value: {email}",
            "PrimaryEmailAddr.Address",
        )
    display = (data.get("DisplayName") or "").strip()
    if not display:
        if existing is not None and "DisplayName" in data:
            raise errors.required("DisplayName")  # cannot be removed by an update
        display = " ".join(str(data[p]).strip() for p in NAME_PARTS if data.get(p))
        if not display and existing is not None:
            display = existing["DisplayName"]
    if not display:
        raise errors.no_name()
    _unique(ctx, display, existing)
    return display


def _unique(ctx: WriteContext, display: str, existing: dict | None) -> None:
    own = existing["Id"] if existing else None
    for entity in NAME_LISTS:
        for other in ctx.company.all(entity):
            if other["Id"] == own:
                continue
            if same_name(
                other["DisplayName"], display, case_insensitive=ctx.settings.names_case_insensitive
            ):
                raise errors.duplicate_name(
                    other["Id"], with_id=ctx.settings.duplicate_name_detail_with_id
                )


def _common(ctx: WriteContext, data: dict, existing: dict | None, display: str) -> dict:
    body = {
        k: v
        for k, v in data.items()
        if k not in {"Id", "SyncToken", "domain", "sparse", "MetaData"}
    }
    body["DisplayName"] = display
    body.setdefault("PrintOnCheckName", display)
    body["Active"] = data.get("Active", True) is not False
    body["CurrencyRef"] = ctx.company.currency
    if existing is None:
        body["Balance"] = money(data.get("Balance", 0), "Balance")
    else:
        body["Balance"] = existing.get("Balance", Decimal("0.00"))
    for address in ("BillAddr", "ShipAddr"):
        if isinstance(body.get(address), dict):
            body[address] = {
                "Id": body[address].get("Id") or ctx.company.next_id("PhysicalAddress"),
                **body[address],
            }
    return body


def save_customer(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    display = _names(ctx, data, existing)
    body = _common(ctx, data, existing, display)
    parent_id = ref_id(data, "ParentRef")
    is_job = data.get("Job") is True or parent_id is not None
    level, full_name = 0, display
    if is_job:
        if parent_id is None:
            raise errors.required("ParentRef")
        parent = referenced(ctx.company, "Customer", parent_id, "Names")
        if existing is not None and parent["Id"] == existing["Id"]:
            raise errors.QBOFault(
                "Parent cannot be child",
                "900",
                "The same object can't be the parent or child of itself.",
            )
        level = parent.get("Level", 0) + 1
        if level > MAX_LEVEL:
            raise errors.QBOFault("Sub Level Limit", "6180", "You can nest up to 5 levels.")
        full_name = f"{parent['FullyQualifiedName']}:{display}"
        body["ParentRef"] = {"value": parent["Id"]}
    else:
        body.pop("ParentRef", None)
    body.update(
        FullyQualifiedName=full_name,
        Job=is_job,
        Level=level,
        BillWithParent=data.get("BillWithParent") is True,
        Taxable=data.get("Taxable", "DefaultTaxCodeRef" in data) is True,
        BalanceWithJobs=body["Balance"],
        PreferredDeliveryMethod=data.get("PreferredDeliveryMethod", "Print"),
    )
    return body


def save_vendor(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    display = _names(ctx, data, existing)
    body = _common(ctx, data, existing, display)
    body["Vendor1099"] = data.get("Vendor1099") is True
    return body
