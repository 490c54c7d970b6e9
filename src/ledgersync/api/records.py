"""Accounts (companies and sites), suppliers, nominal codes and tax codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from ninja import Path, Query, Router, Status

from ledgersync.api import output
from ledgersync.api.auth import READ, WRITE, organisation_of, owned
from ledgersync.api.errors import ERRORS, ApiError, invalid
from ledgersync.api.schemas import (
    AccountFilter,
    AccountOut,
    AccountPage,
    AccountPatch,
    CodeFilter,
    NominalCodeIn,
    NominalCodeOut,
    NominalCodePage,
    NominalCodePatch,
    PartyFilter,
    PartyPatch,
    SupplierOut,
    SupplierPage,
    TaxCodeIn,
    TaxCodeOut,
    TaxCodePage,
    TaxCodePatch,
)
from ledgersync.records.inputs import AccountIn, SupplierIn
from ledgersync.records.models import Account, NominalCode, OrgQuerySet, Supplier, TaxCode
from ledgersync.records.parties import save_account, save_supplier
from ledgersync.sync import connections, linking

router = Router(tags=["records"])
MAX_ID = 2**53
ID = Path(..., ge=1, le=MAX_ID)


@dataclass(frozen=True)
class PartyKind:
    """What the account and supplier endpoints differ in."""

    name: str  # "account" or "supplier": the AccsID link field, and the 404's wording
    rows: OrgQuerySet
    save: Callable
    out: Callable

    def create(self, request, data) -> Status:
        organisation = organisation_of(request)
        existing = self.rows.for_org(organisation).filter(number=data.number).first()
        if existing is not None:
            raise ApiError(
                409,
                "duplicate",
                f"{self.name.capitalize()} {data.number} already exists (id {existing.pk}); "
                "PATCH it to change it.",
                "number",
            )
        party, _ = self.save(organisation, data.model_dump())
        return Status(201, self.out(party, {}))

    def show(self, request, party_id: int) -> dict:
        return self._out(owned(request, self.rows, party_id, self.name))

    def update(self, request, party_id: int, data) -> dict:
        """Change only the fields sent; an AccsID sent is checked before anything changes."""
        party = owned(request, self.rows, party_id, self.name)
        changes = data.dict(exclude_unset=True)
        typed = "accs_id" in changes
        accs_id = (changes.pop("accs_id", None) or "").strip()
        connection = _accs_id_connection(party, accs_id) if typed else None
        self.save(party.organisation, changes, party)
        if connection is not None:
            linking.save_raw_accs_id(connection, party, accs_id)
        return self._out(party)

    def _out(self, party) -> dict:
        return self.out(party, output.accs_ids(party.organisation, self.name))

    def listed(self, request, filters: PartyFilter, narrow=None) -> dict:
        """By number, narrowed to one number or part of the name (and by ``narrow``)."""
        organisation = organisation_of(request)
        rows = self.rows.for_org(organisation).order_by("number", "pk")
        if filters.number:
            rows = rows.filter(number=filters.number)
        if filters.q:
            rows = rows.filter(name__icontains=filters.q)
        rows = narrow(rows) if narrow else rows
        links = output.accs_ids(organisation, self.name)
        return output.page(rows, filters, lambda party: self.out(party, links))


def _accs_id_connection(party, accs_id: str):
    """The live connection to save ``accs_id`` under, or None when it changes nothing.

    Raises NotConnected (409) without a connection, and 422 accs_id_read_only where the
    provider's ids cannot be typed (the provider's own words, as on the record page).
    """
    connection = connections.live_connection(party.organisation)
    if connection is None:
        raise connections.NotConnected(f"{party.organisation} is not connected")
    current = linking.current_link(connection, party)
    if accs_id == (current.remote_id if current else ""):
        return None
    refusal = linking.typed_accs_id_refusal(connection.provider)
    if accs_id and refusal is not None:
        raise ApiError(422, "accs_id_read_only", refusal, "accs_id")
    return connection


ACCOUNTS = PartyKind(
    "account", Account.objects.select_related("company"), save_account, output.account_out
)
SUPPLIERS = PartyKind("supplier", Supplier.objects.all(), save_supplier, output.supplier_out)


# -- accounts ---------------------------------------------------------------------------------


@router.get("/accounts", response={200: AccountPage, **ERRORS}, auth=READ)
def list_accounts(request, filters: Query[AccountFilter]):
    """Accounts, by number; filter by number, part of the name, kind or company."""

    def narrow(rows):
        if filters.kind:
            rows = rows.filter(kind=filters.kind)
        if filters.company:
            rows = rows.filter(company__number=filters.company)
        return rows

    return ACCOUNTS.listed(request, filters, narrow)


@router.post("/accounts", response={201: AccountOut, **ERRORS}, auth=WRITE)
def create_account(request, data: AccountIn):
    """Create a company or a site (a site names its company's account number)."""
    return ACCOUNTS.create(request, data)


@router.get("/accounts/{account_id}", response={200: AccountOut, **ERRORS}, auth=READ)
def get_account(request, account_id: int = ID):
    return ACCOUNTS.show(request, account_id)


@router.patch("/accounts/{account_id}", response={200: AccountOut, **ERRORS}, auth=WRITE)
def update_account(request, data: AccountPatch, account_id: int = ID):
    """Change an account; only the fields sent change."""
    return ACCOUNTS.update(request, account_id, data)


# -- suppliers --------------------------------------------------------------------------------


@router.get("/suppliers", response={200: SupplierPage, **ERRORS}, auth=READ)
def list_suppliers(request, filters: Query[PartyFilter]):
    return SUPPLIERS.listed(request, filters)


@router.post("/suppliers", response={201: SupplierOut, **ERRORS}, auth=WRITE)
def create_supplier(request, data: SupplierIn):
    return SUPPLIERS.create(request, data)


@router.get("/suppliers/{supplier_id}", response={200: SupplierOut, **ERRORS}, auth=READ)
def get_supplier(request, supplier_id: int = ID):
    return SUPPLIERS.show(request, supplier_id)


@router.patch("/suppliers/{supplier_id}", response={200: SupplierOut, **ERRORS}, auth=WRITE)
def update_supplier(request, data: PartyPatch, supplier_id: int = ID):
    return SUPPLIERS.update(request, supplier_id, data)


# -- tax codes --------------------------------------------------------------------------------


def _tax(request, tax_id: int) -> TaxCode:
    return owned(request, TaxCode.objects, tax_id, "tax code")


@router.get("/tax-codes", response={200: TaxCodePage, **ERRORS}, auth=READ)
def list_tax_codes(request, filters: Query[CodeFilter]):
    rows = TaxCode.objects.for_org(organisation_of(request)).order_by("code", "pk")
    if filters.code:
        rows = rows.filter(code=filters.code)
    return output.page(rows, filters, output.tax_code_out)


@router.post("/tax-codes", response={201: TaxCodeOut, **ERRORS}, auth=WRITE)
def create_tax_code(request, data: TaxCodeIn):
    organisation = organisation_of(request)
    try:
        with transaction.atomic():
            tax = TaxCode.objects.create(
                organisation=organisation, code=data.code, name=data.name, rate=data.rate
            )
    except IntegrityError:
        raise ApiError(
            409, "duplicate", f"Tax code {data.code} already exists; PATCH it to change it.", "code"
        ) from None
    return Status(201, output.tax_code_out(tax))


@router.get("/tax-codes/{tax_code_id}", response={200: TaxCodeOut, **ERRORS}, auth=READ)
def get_tax_code(request, tax_code_id: int = ID):
    return output.tax_code_out(_tax(request, tax_code_id))


@router.patch("/tax-codes/{tax_code_id}", response={200: TaxCodeOut, **ERRORS}, auth=WRITE)
def update_tax_code(request, data: TaxCodePatch, tax_code_id: int = ID):
    tax = _tax(request, tax_code_id)
    for field, value in data.dict(exclude_unset=True).items():
        if value is not None:
            setattr(tax, field, value)
    tax.save()
    return output.tax_code_out(tax)


# -- nominal codes ----------------------------------------------------------------------------


NOMINALS = NominalCode.objects.select_related("default_tax_code")


def _nominal(request, nominal_id: int) -> NominalCode:
    return owned(request, NOMINALS, nominal_id, "nominal code")


def _tax_by_code(organisation, code: str | None) -> TaxCode | None:
    if not code:
        return None
    found = TaxCode.objects.for_org(organisation).filter(code=code).first()
    if found is None:
        raise invalid({"default_tax_code": [f"Tax code {code!r} does not exist"]})
    return found


@router.get("/nominal-codes", response={200: NominalCodePage, **ERRORS}, auth=READ)
def list_nominal_codes(request, filters: Query[CodeFilter]):
    rows = NOMINALS.for_org(organisation_of(request)).order_by("code", "pk")
    if filters.code:
        rows = rows.filter(code=filters.code)
    return output.page(rows, filters, output.nominal_out)


@router.post("/nominal-codes", response={201: NominalCodeOut, **ERRORS}, auth=WRITE)
def create_nominal_code(request, data: NominalCodeIn):
    organisation = organisation_of(request)
    tax = _tax_by_code(organisation, data.default_tax_code)
    try:
        with transaction.atomic():
            nominal = NominalCode.objects.create(
                organisation=organisation,
                code=data.code,
                description=data.description,
                kind=data.kind,
                default_tax_code=tax,
            )
    except IntegrityError:
        raise ApiError(
            409,
            "duplicate",
            f"Nominal code {data.code} already exists; PATCH it to change it.",
            "code",
        ) from None
    return Status(201, output.nominal_out(nominal))


@router.get("/nominal-codes/{nominal_code_id}", response={200: NominalCodeOut, **ERRORS}, auth=READ)
def get_nominal_code(request, nominal_code_id: int = ID):
    return output.nominal_out(_nominal(request, nominal_code_id))


@router.patch(
    "/nominal-codes/{nominal_code_id}", response={200: NominalCodeOut, **ERRORS}, auth=WRITE
)
def update_nominal_code(request, data: NominalCodePatch, nominal_code_id: int = ID):
    nominal = _nominal(request, nominal_code_id)
    changes = data.dict(exclude_unset=True)
    if "default_tax_code" in changes:
        nominal.default_tax_code = _tax_by_code(
            nominal.organisation, changes.pop("default_tax_code")
        )
    for field, value in changes.items():
        if value is not None:
            setattr(nominal, field, value)
    nominal.save()
    return output.nominal_out(nominal)
