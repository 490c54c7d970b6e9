"""Account (the chart of accounts; ``AcctNum`` is the nominal code) and Item."""

from __future__ import annotations

from decimal import Decimal

from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.validate import money, ref_id, referenced, same_name, text

CLASSIFICATION = {
    "Bank": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Receivable": "Asset",
    "Equity": "Equity",
    "Expense": "Expense",
    "Other Expense": "Expense",
    "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Long Term Liability": "Liability",
    "Other Current Liability": "Liability",
    "Income": "Revenue",
    "Other Income": "Revenue",
}
DEFAULT_SUBTYPE = {
    "Bank": "Checking",
    "Other Current Asset": "OtherCurrentAssets",
    "Fixed Asset": "OtherFixedAssets",
    "Other Asset": "OtherLongTermAssets",
    "Accounts Receivable": "AccountsReceivable",
    "Equity": "OwnersEquity",
    "Expense": "OtherMiscellaneousServiceCost",
    "Other Expense": "OtherMiscellaneousExpense",
    "Cost of Goods Sold": "SuppliesMaterialsCogs",
    "Accounts Payable": "AccountsPayable",
    "Credit Card": "CreditCard",
    "Long Term Liability": "OtherLongTermLiabilities",
    "Other Current Liability": "OtherCurrentLiabilities",
    "Income": "ServiceFeeIncome",
    "Other Income": "OtherMiscellaneousIncome",
}
ITEM_TYPES = ("Service", "NonInventory", "Inventory", "Category", "Group")
ACCT_NUM_MAX = 7  # UK and US companies; AU and CA allow 20
READ_ONLY = {"Id", "SyncToken", "domain", "sparse", "MetaData"}


def save_account(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    name = text(data, "Name", 100)
    if not name or not name.strip():
        raise errors.required("Name")
    if '"' in name or ":" in name:
        raise errors.invalid_string("Name")
    acct_num = text(data, "AcctNum", ACCT_NUM_MAX)
    if acct_num is not None and ":" in acct_num:
        raise errors.invalid_string("AcctNum")
    account_type = data.get("AccountType")
    if account_type is None and data.get("AccountSubType") is None:
        raise errors.QBOFault(
            "Invalid Account.AccountType && Account.SubType",
            "6010",
            "You must specify either an Account.AccountType or an Account.AccountSubType.",
        )
    if account_type is None:
        account_type = "Expense"
    if account_type not in CLASSIFICATION:
        raise errors.invalid_enum("AccountType", account_type)
    own = existing["Id"] if existing else None
    for other in ctx.company.all("Account"):
        if other["Id"] == own:
            continue
        if same_name(other["Name"], name, case_insensitive=True):
            raise errors.duplicate_list_name("account")
        if ctx.settings.unique_acct_num and acct_num and other.get("AcctNum") == acct_num:
            raise errors.QBOFault(
                "Duplicate Name Exists Error",
                "6240",
                "The name supplied already exists. : Another account is already using this "
                "number. Please use a different number.",
            )
    body = {k: v for k, v in data.items() if k not in READ_ONLY}
    body.update(
        Name=name.strip(),
        SubAccount=False,
        FullyQualifiedName=name.strip(),
        Active=data.get("Active", True) is not False,
        Classification=CLASSIFICATION[account_type],
        AccountType=account_type,
        AccountSubType=data.get("AccountSubType") or DEFAULT_SUBTYPE[account_type],
        CurrentBalance=existing.get("CurrentBalance", Decimal("0.00"))
        if existing
        else Decimal("0.00"),
        CurrentBalanceWithSubAccounts=existing.get("CurrentBalance", Decimal("0.00"))
        if existing
        else Decimal("0.00"),
        CurrencyRef=ctx.company.currency,
    )
    if acct_num is None:
        body.pop("AcctNum", None)
    tax_code_id = ref_id(data, "TaxCodeRef")
    if tax_code_id is not None:
        tax_code = referenced(ctx.company, "TaxCode", tax_code_id, "TaxCodes")
        body["TaxCodeRef"] = {"value": tax_code["Id"]}
    return body


def _tracking_entry(ctx: WriteContext, entity: str, data: dict, existing: dict | None) -> dict:
    """A Class or a Department (a location): Name unique in its list (6240), a sub-entry
    under ParentRef with ``SubClass`` / ``SubDepartment`` true, named "Parent:Child" in
    FullyQualifiedName (Intuit's Class and Department entity references)."""
    name = text(data, "Name", 100, name_chars=True)
    if not name or not name.strip():
        raise errors.required("Name")
    name = name.strip()
    sub_flag = "SubClass" if entity == "Class" else "SubDepartment"
    parent_id = ref_id(data, "ParentRef")
    parent = referenced(ctx.company, entity, parent_id, entity) if parent_id else None
    full = f"{parent['FullyQualifiedName']}:{name}" if parent else name
    own = existing["Id"] if existing else None
    for other in ctx.company.all(entity):
        if other["Id"] != own and same_name(
            other["FullyQualifiedName"], full, case_insensitive=True
        ):
            raise errors.duplicate_list_name("class" if entity == "Class" else "location")
    body = {k: v for k, v in data.items() if k not in READ_ONLY}
    body.update(
        Name=name,
        FullyQualifiedName=full,
        Active=data.get("Active", True) is not False,
        **{sub_flag: parent is not None},
    )
    if parent is not None:
        body["ParentRef"] = {"value": parent["Id"]}
    else:
        body.pop("ParentRef", None)
    return body


def save_class(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    return _tracking_entry(ctx, "Class", data, existing)


def save_department(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    return _tracking_entry(ctx, "Department", data, existing)


def save_item(ctx: WriteContext, data: dict, existing: dict | None) -> dict:
    name = text(data, "Name", 100, name_chars=True)
    if not name or not name.strip():
        raise errors.required("Name")
    text(data, "Sku", 100)
    text(data, "Description", 4000)
    item_type = data.get("Type", "Service" if existing is None else existing["Type"])
    if item_type not in ITEM_TYPES:
        raise errors.invalid_enum("Type", item_type)
    if item_type == "Group" and existing is None:
        raise errors.unsupported("Create for Item of Type Group")
    own = existing["Id"] if existing else None
    for other in ctx.company.all("Item"):
        if other["Id"] != own and same_name(other["Name"], name, case_insensitive=True):
            raise errors.duplicate_list_name("product or service")
    body = {k: v for k, v in data.items() if k not in READ_ONLY}
    for field in ("IncomeAccountRef", "ExpenseAccountRef"):
        account_id = ref_id(data, field)
        if account_id is not None:
            account = referenced(ctx.company, "Account", account_id, "Accounts")
            body[field] = {"value": account["Id"], "name": account["Name"]}
    if item_type in ("Service", "Inventory") and "IncomeAccountRef" not in body:
        raise errors.required("IncomeAccountRef")
    body.update(
        Name=name.strip(),
        FullyQualifiedName=name.strip(),
        Active=data.get("Active", True) is not False,
        Type=item_type,
        UnitPrice=money(data.get("UnitPrice", 0), "UnitPrice"),
        Taxable=data.get("Taxable") is True,
        TrackQtyOnHand=data.get("TrackQtyOnHand") is True,
    )
    return body
