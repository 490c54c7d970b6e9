"""The mapping of nominal and tax codes to the package's (the web's mapping screens):
GET shows what maps to what, PUT maps one code by hand (null: by number again), the fallback
account per document type, creating a nominal from a package account, and reading the
package's list again. Every change goes through sync/codemap.py or sync/chart.py, the homes
the checks, the push and the web read too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Router, Schema, Status

from ledgersync.api import output
from ledgersync.api.auth import READ, WRITE, organisation_of
from ledgersync.api.errors import ERRORS, ApiError
from ledgersync.api.schemas import DOC_TYPES, DocTypeName, NominalCodeOut
from ledgersync.providers.base import LedgerAccount, TaxCode
from ledgersync.sync import chart, codemap, connections, reference
from ledgersync.sync.codemap import AccountFor, CodeMap, TaxFor
from ledgersync.sync.models import Connection, MapKind

router = Router(tags=["mapping"])

State = Literal["by_number", "by_hand", "fallback", "missing"]


class PackageAccountOut(Schema):
    code: str
    name: str
    account_type: str


class PackageTaxOut(Schema):
    id: str
    name: str
    rate: Decimal | None


class NominalMappingOut(Schema):
    code: str
    description: str
    state: State
    account: PackageAccountOut | None
    mapped_to: str | None


class FallbackOut(Schema):
    type: DocTypeName
    account: PackageAccountOut | None
    mapped_to: str | None


class NominalMappingPage(Schema):
    provider_name: str
    read_at: dt.datetime | None
    nominal_codes: list[NominalMappingOut]
    fallbacks: list[FallbackOut]
    not_in_ledgersync: list[PackageAccountOut]


class TaxSideOut(Schema):
    state: State
    tax_codes: list[PackageTaxOut]
    mapped_to: str | None


class TaxMappingOut(Schema):
    code: str
    name: str
    rate: Decimal
    sales: TaxSideOut
    purchases: TaxSideOut


class TaxMappingPage(Schema):
    provider_name: str
    read_at: dt.datetime | None
    tax_codes: list[TaxMappingOut]


class AccountIn(Schema):
    account: str | None = None


class TaxIn(Schema):
    sales: str | None = None
    purchases: str | None = None


class RefreshOut(Schema):
    reading: bool


class CreateIn(Schema):
    account: str


def _read(request) -> tuple[Connection, CodeMap, str]:
    """The live connection, its mapping over the package's list as last read, and the
    package's name; 409 when the list was never read (POST /mapping/refresh)."""
    organisation = organisation_of(request)
    connection = connections.live_connection(organisation)
    name = connections.provider_name(organisation, connection)
    if connection is None:
        raise connections.NotConnected(f"{organisation} is not connected")
    code_map = codemap.as_read(connection)
    if code_map is None:
        raise ApiError(
            409,
            "not_read",
            f"{name}'s accounts and tax codes have not been read yet; "
            "POST /api/v1/mapping/refresh and try again when it is over.",
        )
    return connection, code_map, name


def _read_at(connection: Connection) -> dt.datetime | None:
    cache = reference.cache_of(connection)
    return cache.fetched_at if cache is not None else None


def _account(account: LedgerAccount | None) -> dict | None:
    if account is None:
        return None
    return {"code": account.code, "name": account.name, "account_type": account.account_type}


def _tax(tax: TaxCode) -> dict:
    return {"id": tax.id, "name": tax.name, "rate": tax.rate}


def _nominal_row(nominal, standing: AccountFor, mapped: str) -> dict:
    return {
        "code": nominal.code,
        "description": nominal.description,
        "state": str(standing.how),
        "account": _account(standing.account),
        "mapped_to": mapped or None,
    }


def _side(found: TaxFor, mapped: str) -> dict:
    return {
        "state": str(found.how),
        "tax_codes": [_tax(t) for t in found.taxes],
        "mapped_to": mapped or None,
    }


def _tax_row(row: codemap.TaxRow) -> dict:
    return {
        "code": row.tax_code.code,
        "name": row.tax_code.name,
        "rate": row.tax_code.rate,
        "sales": _side(row.sales, row.mapped_sales),
        "purchases": _side(row.purchases, row.mapped_purchases),
    }


def _fallback(code_map: CodeMap, type_name: DocTypeName) -> dict:
    doc_type = DOC_TYPES[type_name]
    return {
        "type": type_name,
        "account": _account(code_map.fallback(doc_type)),
        "mapped_to": code_map.mapped(MapKind.FALLBACK, doc_type),
    }


def _set(request, kind: MapKind, code: str, remote: str | None, field: str) -> CodeMap:
    """One mapping changed; our code unknown is 404, the package side unknown 422 naming
    ``field``."""
    connection, code_map, name = _read(request)
    try:
        codemap.set_mapping(
            connection,
            code_map.reference,
            kind,
            code,
            remote or "",
            user=None,
            provider_name=name,
        )
    except codemap.MappingError as exc:
        if exc.field == "code":
            raise ApiError(404, "not_found", exc.message) from None
        raise ApiError(422, "invalid", exc.message, field) from None
    again = codemap.as_read(connection)
    assert again is not None
    return again


@router.get("/mapping/nominal-codes", response={200: NominalMappingPage, **ERRORS}, auth=READ)
def get_nominal_mapping(request):
    """Each nominal code with the package account it books to and how, the fallback account
    per document type, and the package's income and expense accounts we have no code for."""
    connection, code_map, name = _read(request)
    organisation = organisation_of(request)
    return {
        "provider_name": name,
        "read_at": _read_at(connection),
        "nominal_codes": [
            _nominal_row(row.nominal, row.standing, row.mapped)
            for row in codemap.nominal_rows(organisation, code_map)
        ],
        "fallbacks": [_fallback(code_map, type_name) for type_name in DocTypeName],
        "not_in_ledgersync": [
            _account(a) for a in codemap.accounts_we_lack(organisation, code_map)
        ],
    }


@router.put(
    "/mapping/nominal-codes/{code}", response={200: NominalMappingOut, **ERRORS}, auth=WRITE
)
def put_nominal_mapping(request, code: str, data: AccountIn):
    """Book nominal ``code`` to the package's ``account`` (its code); null: by number."""
    code_map = _set(request, MapKind.NOMINAL, code, data.account, "account")
    nominal = next(
        row
        for row in codemap.nominal_rows(organisation_of(request), code_map)
        if row.nominal.code == code.strip()
    )
    return _nominal_row(nominal.nominal, nominal.standing, nominal.mapped)


@router.put("/mapping/fallbacks/{type}", response={200: FallbackOut, **ERRORS}, auth=WRITE)
def put_fallback(request, type: DocTypeName, data: AccountIn):
    """The account a line whose nominal is missing books to, for one document type; null:
    off (the default), and such a line stops its document at check 5."""
    code_map = _set(request, MapKind.FALLBACK, DOC_TYPES[type], data.account, "account")
    return _fallback(code_map, type)


@router.get("/mapping/tax-codes", response={200: TaxMappingPage, **ERRORS}, auth=READ)
def get_tax_mapping(request):
    """Each tax code with the package tax code(s) it is sent as, on sales and on purchases."""
    connection, code_map, name = _read(request)
    return {
        "provider_name": name,
        "read_at": _read_at(connection),
        "tax_codes": [_tax_row(r) for r in codemap.tax_rows(organisation_of(request), code_map)],
    }


@router.put("/mapping/tax-codes/{code}", response={200: TaxMappingOut, **ERRORS}, auth=WRITE)
def put_tax_mapping(request, code: str, data: TaxIn):
    """Send tax ``code`` as the package's tax code ``sales`` / ``purchases`` (its id); a side
    left out stays as it is, null matches it by code again."""
    sent = data.model_dump(exclude_unset=True)
    code_map = None
    for side, kind in (("sales", MapKind.SALES_TAX), ("purchases", MapKind.PURCHASE_TAX)):
        if side in sent:
            code_map = _set(request, kind, code, sent[side], side)
    if code_map is None:
        code_map = _read(request)[1]
    rows = codemap.tax_rows(organisation_of(request), code_map)
    found = next((r for r in rows if r.tax_code.code == code.strip()), None)
    if found is None:
        raise ApiError(404, "not_found", f"There is no tax code {code} in ledgersync.")
    return _tax_row(found)


@router.post("/mapping/nominal-codes", response={201: NominalCodeOut, **ERRORS}, auth=WRITE)
def create_from_package(request, data: CreateIn):
    """Create in ledgersync: the nominal code for one of the package's income or expense
    accounts (``account``, its code), with its name and default tax code."""
    connection, code_map, name = _read(request)
    try:
        nominal = chart.create_nominal(
            organisation_of(request), code_map.reference, data.account, provider_name=name
        )
    except chart.CannotCreate as exc:
        raise ApiError(422, "invalid", str(exc), "account") from None
    return Status(201, output.nominal_out(nominal))


@router.post("/mapping/refresh", response={202: RefreshOut, **ERRORS}, auth=WRITE)
def refresh(request):
    """Read the package's accounts and tax codes again, in the background (as the Sync
    page's Refresh); GET the mapping later, its ``read_at`` says when it was read."""
    organisation = organisation_of(request)
    connection = connections.live_connection(organisation)
    if connection is None:
        raise connections.NotConnected(f"{organisation} is not connected")
    reference.request_refresh(connection)
    return Status(202, {"reading": True})
