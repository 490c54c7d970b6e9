"""Creating records from untrusted input: validate everything, then save in one transaction.

Callers (web forms, the REST API, the importer, the demo seed) pass plain dicts; a
`django.core.exceptions.ValidationError` keyed by field says what to fix, and nothing is
half saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from ledgersync.records.models import (
    Account,
    DocType,
    Document,
    Line,
    NominalCode,
    NumberSequence,
    Organisation,
    Supplier,
    TaxCode,
)
from ledgersync.records.money import parse_decimal

DEFAULT_PREFIXES = {DocType.SALES_INVOICE: ("S", 4), DocType.SALES_CREDIT_NOTE: ("C", 4)}


def allocate_number(organisation: Organisation, doc_type: DocType) -> str:
    """The next free number of a sales sequence (`S1234` -> `S1235`).

    The increment is a single UPDATE, so concurrent callers serialise on the row lock and
    each gets its own value; called inside the caller's transaction, a failed save rolls the
    increment back, leaving no gap. Numbers already taken (imported documents) are skipped.
    """
    prefix, width = DEFAULT_PREFIXES[doc_type]
    sequence, _ = NumberSequence.objects.get_or_create(
        organisation=organisation,
        doc_type=doc_type,
        defaults={"prefix": prefix, "width": width, "next_value": 1},
    )
    with transaction.atomic():
        while True:
            NumberSequence.objects.filter(pk=sequence.pk).update(next_value=F("next_value") + 1)
            sequence.refresh_from_db(fields=["next_value"])
            number = sequence.format(sequence.next_value - 1)
            taken = Document.objects.filter(
                organisation=organisation, doc_type=doc_type, number=number
            ).exists()
            if not taken:
                return number


def _parse_date(raw: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        errors.setdefault(field, []).append(f"{field} must be a date like 2026-11-26, not {raw!r}")
        return None


def _party(organisation, doc_type, data, errors):
    """The account (sales) or supplier (purchases) named by its number."""
    if doc_type == DocType.SUPPLIER_INVOICE:
        number = data.get("supplier")
        found = Supplier.objects.for_org(organisation).filter(number=number).first()
        if found is None:
            errors.setdefault("supplier", []).append(f"No supplier numbered {number!r}")
        return None, found
    number = data.get("account")
    found = Account.objects.for_org(organisation).filter(number=number).first()
    if found is None:
        errors.setdefault("account", []).append(f"No account numbered {number!r}")
    return found, None


def _lines(organisation, doc_type, raw_lines, errors) -> list[Line]:
    if not raw_lines:
        errors.setdefault("lines", []).append("A document needs at least one line")
        return []
    nominals = {n.code: n for n in NominalCode.objects.for_org(organisation)}
    taxes = {t.code: t for t in TaxCode.objects.for_org(organisation)}
    lines = []
    for position, raw in enumerate(raw_lines, start=1):
        where = f"lines[{position}]"
        try:
            quantity = parse_decimal(raw.get("quantity", 1), f"{where}.quantity")
            unit_price = parse_decimal(raw.get("unit_price"), f"{where}.unit_price")
        except ValueError as exc:
            errors.setdefault(where, []).append(str(exc))
            continue
        too_big = _out_of_range(quantity, unit_price, str(raw.get("text") or ""))
        if too_big:
            errors.setdefault(where, []).append(f"{where}: {too_big}")
            continue
        nominal = nominals.get(str(raw.get("nominal", "")))
        if nominal is None:
            errors.setdefault(where, []).append(
                f"Nominal code {raw.get('nominal')!r} is not in your nominal codes"
            )
            continue
        tax_code = nominal.default_tax_code
        if raw.get("tax_code"):
            tax_code = taxes.get(str(raw["tax_code"]))
            if tax_code is None:
                errors.setdefault(where, []).append(f"Tax code {raw['tax_code']!r} does not exist")
                continue
        lines.append(
            Line(
                position=position,
                text=str(raw.get("text") or ""),
                quantity=quantity,
                unit_price=unit_price,
                nominal=nominal,
                tax_code=tax_code,
            )
        )
    return lines


# The columns' limits (records/models.py Line): refuse what would not fit, with a reason,
# instead of letting the database raise.
MAX_QUANTITY = Decimal("1e8")
MAX_UNIT_PRICE = Decimal("1e10")
MAX_NET = Decimal("1e12")
MAX_TEXT = 4000


def _out_of_range(quantity: Decimal, unit_price: Decimal, text: str) -> str | None:
    if abs(quantity) >= MAX_QUANTITY:
        return "quantity is too large (at most 99,999,999.9999)"
    if abs(unit_price) >= MAX_UNIT_PRICE:
        return "unit_price is too large (at most 9,999,999,999.9999)"
    if abs(quantity * unit_price) >= MAX_NET:
        return "quantity x unit_price is too large for one line"
    if len(text) > MAX_TEXT:
        return f"text is {len(text)} characters; at most {MAX_TEXT}"
    return None


def create_document(organisation: Organisation, data: Mapping[str, Any], *, user=None) -> Document:
    """Create a document with its lines from a dict; raise ValidationError saying what to fix.

    Keys: type, number (optional for sales: allocated), account or supplier (their numbers),
    care_of, issue_date, due_date, currency, reference, external_ref, lines
    [{text, quantity, unit_price, nominal, tax_code}].
    """
    errors: dict[str, list[str]] = {}
    try:
        doc_type = DocType(data.get("type"))
    except ValueError:
        raise ValidationError(
            {"type": [f"type must be one of {', '.join(DocType.values)}, not {data.get('type')!r}"]}
        ) from None
    account, supplier = _party(organisation, doc_type, data, errors)
    if account is not None and account.kind == Account.Kind.SITE and account.company_id is None:
        errors.setdefault("account", []).append("A site must belong to a company")
    care_of = None
    if data.get("care_of"):
        care_of = Account.objects.for_org(organisation).filter(number=data["care_of"]).first()
        if care_of is None:
            errors.setdefault("care_of", []).append(f"No account numbered {data['care_of']!r}")
    issue_date = _parse_date(data.get("issue_date") or dt.date.today(), "issue_date", errors)
    due_date = _parse_date(data.get("due_date"), "due_date", errors)
    number = str(data.get("number") or "").strip()
    external_ref = data.get("external_ref") or None
    if (
        external_ref
        and Document.objects.for_org(organisation).filter(external_ref=external_ref).exists()
    ):
        errors.setdefault("external_ref", []).append(
            f"A document with external_ref {external_ref!r} exists"
        )
    if doc_type == DocType.SUPPLIER_INVOICE and not number:
        errors.setdefault("number", []).append("A supplier invoice needs the supplier's reference")
    if len(number) > 21:
        errors.setdefault("number", []).append("number must be at most 21 characters")
    if len(str(data.get("reference") or "")) > 100:
        errors.setdefault("reference", []).append("reference must be at most 100 characters")
    currency = str(data.get("currency") or "GBP")
    if len(currency) != 3 or not currency.isalpha():
        errors.setdefault("currency", []).append(
            f"currency must be a 3-letter code like GBP, not {currency!r}"
        )
    lines = _lines(organisation, doc_type, data.get("lines") or [], errors)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            document = Document(
                organisation=organisation,
                doc_type=doc_type,
                number=number or allocate_number(organisation, doc_type),
                account=account,
                supplier=supplier,
                care_of=care_of,
                issue_date=issue_date,
                due_date=due_date,
                currency=str(data.get("currency") or "GBP").upper(),
                reference=str(data.get("reference") or ""),
                external_ref=external_ref,
                created_by=user,
            )
            document.save()
            for line in lines:
                line.document = document
                line.save()
    except IntegrityError:
        raise ValidationError(
            {"number": [_clash_message(organisation, doc_type, number, supplier)]}
        ) from None
    return document


def _clash_message(organisation, doc_type, number, supplier) -> str:
    if doc_type == DocType.SUPPLIER_INVOICE:
        return f"{supplier.name} already has an invoice with reference {number}"
    return f"{DocType(doc_type).label} {number} already exists"


def replace_lines(document: Document, raw_lines: Sequence[Mapping[str, Any]]) -> None:
    """Swap a document's lines for new ones, all or nothing."""
    errors: dict[str, list[str]] = {}
    lines = _lines(document.organisation, document.type, raw_lines, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document.lines.all().delete()
        for line in lines:
            line.document = document
            line.save()
