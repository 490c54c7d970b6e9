"""Every change to a document goes through here: create, update, mark sent, mark for sync.

Callers (web forms, the REST API, the importer, the demo seed) pass plain dicts or the typed
inputs of records/inputs.py; a `django.core.exceptions.ValidationError` keyed by field says
what to fix, and nothing is half saved. The rules hold whoever calls:

- a change locks the document's row first, so two changes (or a change and a sync) queue;
- a document the package has, or that is being sent to it, refuses changes
  (`DocumentLocked`, whose words are written once, here);
- marking sent again keeps the first sent date;
- every change touches `updated_at`;
- every change re-assesses the document's status code at once, in the same transaction
  (sync/assess.py, from the package's data already read: no call to the package).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ledgersync.providers.registry import display_name
from ledgersync.records import wording
from ledgersync.records.inputs import DocumentIn
from ledgersync.records.models import (
    Account,
    DocType,
    Document,
    Line,
    NominalCode,
    NumberSequence,
    Organisation,
    PostAs,
    SentVia,
    Supplier,
    TaxCode,
)
from ledgersync.records.money import (
    LineMoney,
    Rounding,
    SupplierVatTooFar,
    parse_decimal,
    to_money,
)

# Whether a document may change depends on its sync state; sync.models depends only on
# records.models, so reading it here makes no import cycle.
from ledgersync.sync import assess
from ledgersync.sync.models import Attempt, AttemptState, DocumentState
from ledgersync.sync.status import HOLDS_REMOTE_COPY

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
        errors.setdefault(field, []).append(f"{wording.must_be_date(field)}, not {raw!r}")
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
        numbers = {}
        for name, value in (
            ("quantity", raw.get("quantity", 1)),
            ("unit_price", raw.get("unit_price")),
        ):
            try:
                numbers[name] = parse_decimal(value, name)
            except ValueError:
                errors.setdefault(where, []).append(wording.must_be_number(f"{where}.{name}"))
        if len(numbers) < 2:
            continue
        quantity, unit_price = numbers["quantity"], numbers["unit_price"]
        too_big = _out_of_range(quantity, unit_price, str(raw.get("text") or ""), position)
        if too_big:
            errors.setdefault(where, []).append(too_big)
            continue
        nominal = nominals.get(str(raw.get("nominal", "")))
        if nominal is None:
            errors.setdefault(where, []).append(
                f"Nominal code {raw.get('nominal')!r} on line {position} is not in your "
                "nominal codes"
            )
            continue
        tax_code = nominal.default_tax_code
        if raw.get("tax_code"):
            tax_code = taxes.get(str(raw["tax_code"]))
            if tax_code is None:
                errors.setdefault(where, []).append(
                    f"Tax code {raw['tax_code']!r} on line {position} is not one of your tax codes"
                )
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


def _out_of_range(quantity: Decimal, unit_price: Decimal, text: str, position: int) -> str | None:
    if abs(quantity) >= MAX_QUANTITY:
        return f"Quantity on line {position} is too large (at most 99,999,999.9999)"
    if abs(unit_price) >= MAX_UNIT_PRICE:
        return f"Unit price on line {position} is too large (at most 9,999,999,999.9999)"
    if abs(quantity * unit_price) >= MAX_NET:
        return f"Quantity × unit price on line {position} is too large for one line"
    if len(text) > MAX_TEXT:
        return f"Text on line {position} is {len(text)} characters; at most {MAX_TEXT}"
    return None


# Header fields of free text up to 100 characters.
TEXT_100 = ("reference", "job", "department")


def create_document(
    organisation: Organisation, data: DocumentIn | Mapping[str, Any], *, user=None
) -> Document:
    """Create a document with its lines; raise ValidationError saying what to fix.

    Keys: type, number (optional for sales: allocated), account or supplier (their numbers),
    care_of, issue_date, due_date, currency, reference, job, department, post_as ("",
    "approved" or "draft"), external_ref, lines [{text, quantity, unit_price, nominal,
    tax_code}], and sent_via / mark_for_sync to mark it sent or for sync as it is made.
    """
    if isinstance(data, DocumentIn):
        data = data.service_payload()
    errors: dict[str, list[str]] = {}
    try:
        # str(): a missing type reads "None", which is no DocType either.
        doc_type = DocType(str(data.get("type")))
    except ValueError:
        raise ValidationError(
            {"type": [f"Type must be one of {', '.join(DocType.values)}, not {data.get('type')!r}"]}
        ) from None
    account, supplier = _party(organisation, doc_type, data, errors)
    if account is not None and account.kind == Account.Kind.SITE and account.company_id is None:
        errors.setdefault("account", []).append("A site must belong to a company")
    care_of = _care_of(organisation, data.get("care_of"), errors)
    issue_date = _parse_date(data.get("issue_date") or dt.date.today(), "issue_date", errors)
    due_date = _parse_date(data.get("due_date"), "due_date", errors)
    number = str(data.get("number") or "").strip()
    external_ref = data.get("external_ref") or None
    if external_ref and document_with_ref(organisation, external_ref) is not None:
        errors.setdefault("external_ref", []).append(
            f"A document with external_ref {external_ref!r} exists"
        )
    if doc_type == DocType.SUPPLIER_INVOICE and not number:
        errors.setdefault("number", []).append("A supplier invoice needs the supplier's reference")
    if len(number) > 21:
        errors.setdefault("number", []).append(wording.too_long("number", 21))
    for field in TEXT_100:
        if len(str(data.get(field) or "")) > 100:
            errors.setdefault(field, []).append(wording.too_long(field, 100))
    currency = _currency(data.get("currency") or "GBP", errors)
    lines = _lines(organisation, doc_type, data.get("lines") or [], errors)
    supplier_vat = _supplier_vat(doc_type, data.get("supplier_vat"), errors)
    post_as = _post_as(data.get("post_as"), errors)
    if errors:
        raise ValidationError(errors)
    assert issue_date is not None  # it defaults to today; None only with an error recorded

    document = Document(
        organisation=organisation,
        doc_type=doc_type,
        account=account,
        supplier=supplier,
        care_of=care_of,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        reference=str(data.get("reference") or ""),
        job=str(data.get("job") or "").strip(),
        department=str(data.get("department") or "").strip(),
        external_ref=external_ref,
        created_by=user,
        vat_rounding=organisation.effective_rounding,
        prices_include_vat=bool(data.get("prices_include_vat")),
        supplier_vat=supplier_vat,
        post_as=post_as,
    )
    now = timezone.now()
    if data.get("sent_via"):
        document.sent_at, document.sent_via = now, SentVia(data["sent_via"])
    if data.get("mark_for_sync"):
        document.marked_for_sync, document.marked_at = True, now
    try:
        with transaction.atomic():
            document.number = number or allocate_number(organisation, doc_type)
            document.save()
            _save_lines(document, lines)
            assess.document_changed(document)
    except IntegrityError:
        raise ValidationError(
            {"number": [_clash_message(organisation, doc_type, number, supplier)]}
        ) from None
    return document


def _care_of(organisation, number, errors) -> Account | None:
    if not number:
        return None
    found = Account.objects.for_org(organisation).filter(number=number).first()
    if found is None:
        errors.setdefault("care_of", []).append(f"No account numbered {number!r}")
    return found


def _currency(raw: Any, errors: dict[str, list[str]]) -> str:
    currency = str(raw)
    if len(currency) != 3 or not currency.isalpha():
        errors.setdefault("currency", []).append(
            f"Currency must be a three-letter code, for example GBP, not {currency!r}"
        )
    return currency.upper()


def _supplier_vat(doc_type, raw: Any, errors: dict[str, list[str]]) -> Decimal | None:
    """The VAT printed on a supplier's invoice, or None to work it out from the lines."""
    if raw in (None, ""):
        return None
    if doc_type != DocType.SUPPLIER_INVOICE:
        errors.setdefault("supplier_vat", []).append(
            "Only a supplier invoice carries the supplier's VAT"
        )
        return None
    try:
        value = parse_decimal(raw, "supplier_vat")
    except ValueError as exc:
        errors.setdefault("supplier_vat", []).append(str(exc))
        return None
    if value != to_money(value) or abs(value) >= MAX_NET:
        errors.setdefault("supplier_vat", []).append(
            f"supplier_vat must be an amount in pounds and pence, not {raw!r}"
        )
        return None
    return value


@dataclass(frozen=True)
class MoneyPreview:
    """A document's money as the form stands, before it is saved: each line that can be
    worked out (by its place among the posted lines, from 1) and the totals, by the same
    rules the save uses. ``problem`` says why the supplier's VAT cannot be carried."""

    lines: dict[int, LineMoney]
    net: Decimal
    tax: Decimal
    problem: str = ""

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


def preview_money(
    organisation: Organisation,
    doc_type: DocType | str,
    raw_lines: list[dict],
    *,
    prices_include_vat: bool = False,
    supplier_vat: Any = None,
    document: Document | None = None,
) -> MoneyPreview:
    """What saving these lines would work out, for the form's totals as they are typed: a
    document being edited keeps its own rounding rule; a new one takes the organisation's.
    Lines that cannot be worked out yet (no price, an unknown code) are left out."""
    unsaid: dict[str, list[str]] = {}
    lines = _lines(organisation, doc_type, raw_lines, unsaid) if raw_lines else []
    draft = Document(
        organisation=organisation,
        doc_type=doc_type,
        vat_rounding=document.vat_rounding if document else organisation.effective_rounding,
        prices_include_vat=prices_include_vat,
        supplier_vat=_supplier_vat(doc_type, supplier_vat, unsaid),
    )
    problem = ""
    try:
        money = draft.work_out(lines)
    except SupplierVatTooFar as exc:
        problem, draft.supplier_vat = str(exc), None
        money = draft.work_out(lines)
    return MoneyPreview(
        lines={line.position: result for line, result in zip(lines, money.lines, strict=True)},
        net=money.net,
        tax=money.tax,
        problem=problem,
    )


def _save_lines(document: Document, lines: list[Line]) -> None:
    """Save the document's new lines with their money worked out together (records/money.py:
    the document's rounding rule, price basis and supplier's VAT)."""
    _work_out(document, lines)
    for line in lines:
        line.document = document
    Line.objects.bulk_create(lines)


def _work_out(document: Document, lines: list[Line]) -> None:
    """Each line's net and VAT; ValidationError when a supplier's VAT cannot be carried."""
    try:
        money = document.work_out(lines)
    except SupplierVatTooFar as exc:
        raise ValidationError({"supplier_vat": [str(exc)]}) from None
    for line, result in zip(lines, money.lines, strict=True):
        line.net, line.tax = result.net, result.tax


def _work_out_again(document: Document) -> None:
    """The saved lines' money after the rule, price basis or supplier's VAT changed."""
    lines = list(document.lines.select_related("tax_code"))
    _work_out(document, lines)
    Line.objects.bulk_update(lines, ["net", "tax"])


def _clash_message(organisation, doc_type, number, supplier) -> str:
    if doc_type == DocType.SUPPLIER_INVOICE:
        return f"{supplier.name} already has an invoice with reference {number}"
    return f"{DocType(doc_type).label} {number} already exists"


# -- finding a document a caller names ---------------------------------------------------------


def document_with_ref(organisation: Organisation, external_ref: str | None) -> Document | None:
    """The document the calling system knows by its own id."""
    if not external_ref:
        return None
    return Document.objects.for_org(organisation).filter(external_ref=external_ref).first()


def number_taken(organisation: Organisation, payload: Mapping[str, Any]) -> Document | None:
    """The document that already has this type and number (a supplier's own reference, for
    supplier invoices)."""
    if not payload.get("number"):
        return None
    rows = Document.objects.for_org(organisation).filter(
        doc_type=payload["type"], number=payload["number"]
    )
    if payload["type"] == DocType.SUPPLIER_INVOICE:
        rows = rows.filter(supplier__number=payload["supplier"])
    return rows.first()


def existing_document(organisation: Organisation, payload: Mapping[str, Any]) -> Document | None:
    """The document a create would repeat: by external_ref when given, else by number."""
    if payload.get("external_ref"):
        return document_with_ref(organisation, payload["external_ref"])
    return number_taken(organisation, payload)


# -- changing a document -------------------------------------------------------------------------


class LockReason(StrEnum):
    """Why a document refuses changes; the values are the API's error codes."""

    SYNCED = "already_synced"
    IN_FLIGHT = "sync_in_progress"


class DocumentLocked(Exception):
    """A change to a document the package has, or that is being sent to it (``provider``
    is the package's display name, from the open attempt)."""

    def __init__(
        self, document: Document, reason: LockReason, remote_id: str = "", *, provider: str = ""
    ) -> None:
        self.document, self.reason, self.remote_id = document, reason, remote_id
        if reason == LockReason.SYNCED:
            self.message = (
                f"{document} is already in the package (id {remote_id}); it cannot change here."
            )
        else:
            self.message = (
                f"{document} is being sent to {provider or 'the package'}; try again in a moment."
            )
        super().__init__(self.message)


class NumberTaken(ValidationError):
    """A change that would give the party two documents with one number."""


def ensure_changeable(document: Document) -> None:
    """Raise DocumentLocked when the package has the document or a push of it is unanswered."""
    state = DocumentState.objects.filter(document=document).first()
    if state is not None and state.holds_remote_copy:
        raise DocumentLocked(document, LockReason.SYNCED, state.remote_id)
    busy = Attempt.objects.filter(
        document=document, state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN]
    ).first()
    if busy is not None:
        raise DocumentLocked(document, LockReason.IN_FLIGHT, provider=display_name(busy.provider))


@contextmanager
def _changing(document: Document) -> Iterator[Document]:
    """The document's row, locked for the rest of the transaction and checked changeable.

    The check runs after the lock, inside the write transaction: the engine commits a
    push's Attempt while holding the same row lock (sync/batch.py ``_claim``), so a change
    either commits before the push reads the document or sees the Attempt here. On SQLite,
    where FOR UPDATE is a no-op, the IMMEDIATE transaction takes the database's write lock
    at its start, which orders the two the same way."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        ensure_changeable(locked)
        yield locked


def mark_sent(document: Document, via: SentVia | str = SentVia.HAND) -> Document:
    """Mark it sent (email, post or by hand): check 1 for invoices. Marking it again keeps
    the first date and way."""
    with _changing(document) as locked:
        if locked.sent_at is None:
            locked.sent_at, locked.sent_via = timezone.now(), SentVia(via)
            locked.save(update_fields=["sent_at", "sent_via", "updated_at"])
            assess.document_changed(locked)
    return locked


def clear_sent(document: Document) -> Document:
    """Set Sent back to No (the Print dialogue's toggle)."""
    with _changing(document) as locked:
        if locked.sent_at is not None:
            locked.sent_at, locked.sent_via = None, ""
            locked.save(update_fields=["sent_at", "sent_via", "updated_at"])
            assess.document_changed(locked)
    return locked


def set_marked_for_sync(document: Document, marked: bool) -> Document:
    """Put it on (or take it off) the Sync page's list for its type; marking it again keeps
    the time it was first marked."""
    with _changing(document) as locked:
        if locked.marked_for_sync != marked:
            locked.marked_for_sync = marked
            locked.marked_at = timezone.now() if marked else None
            locked.save(update_fields=["marked_for_sync", "marked_at", "updated_at"])
            assess.document_changed(locked)
    return locked


def update_document(document: Document, changes: Mapping[str, Any]) -> Document:
    """Change the fields given and, with "lines", replace all the lines; all or nothing.

    Parties are named by number; care_of "" or None removes it, due_date None clears it.
    Raises DocumentLocked, ValidationError, or NumberTaken (a supplier invoice moved to a
    supplier that has its reference).
    """
    with _changing(document) as locked:
        _apply_header(locked, changes)
        lines = None
        if changes.get("lines") is not None:
            errors: dict[str, list[str]] = {}
            lines = _lines(locked.organisation, locked.type, changes["lines"], errors)
            if errors:
                raise ValidationError(errors)
            locked.lines.all().delete()
            _save_lines(locked, lines)
        elif {"prices_include_vat", "supplier_vat"} & set(changes):
            _work_out_again(locked)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise NumberTaken(
                {"supplier": [f"{locked.party} already has a document numbered {locked.number}."]}
            ) from None
        assess.document_changed(locked)
    return locked


def _apply_header(document: Document, changes: Mapping[str, Any]) -> None:
    organisation = document.organisation
    errors: dict[str, list[str]] = {}
    if changes.get("account") is not None:
        account = Account.objects.for_org(organisation).filter(number=changes["account"]).first()
        if document.type == DocType.SUPPLIER_INVOICE:
            errors["account"] = ["A supplier invoice names a supplier, not an account"]
        elif account is None:
            errors["account"] = [f"No account numbered {changes['account']!r}"]
        else:
            document.account = account
    if changes.get("supplier") is not None:
        supplier = Supplier.objects.for_org(organisation).filter(number=changes["supplier"]).first()
        if document.type != DocType.SUPPLIER_INVOICE:
            errors["supplier"] = ["Only a supplier invoice names a supplier"]
        elif supplier is None:
            errors["supplier"] = [f"No supplier numbered {changes['supplier']!r}"]
        else:
            document.supplier = supplier
    if "care_of" in changes:
        document.care_of = _care_of(organisation, changes["care_of"], errors)
    for field in ("issue_date", "reference"):
        if changes.get(field) is not None:
            setattr(document, field, changes[field])
    for field in ("job", "department"):
        if changes.get(field) is not None:
            value = str(changes[field]).strip()
            if len(value) > 100:
                errors[field] = [wording.too_long(field, 100)]
            setattr(document, field, value)
    if "due_date" in changes:
        document.due_date = changes["due_date"]
    if changes.get("currency"):
        document.currency = _currency(changes["currency"], errors)
    if changes.get("prices_include_vat") is not None:
        document.prices_include_vat = bool(changes["prices_include_vat"])
    if "supplier_vat" in changes:
        document.supplier_vat = _supplier_vat(document.type, changes["supplier_vat"], errors)
    if changes.get("post_as") is not None:
        document.post_as = _post_as(changes["post_as"], errors)
    if errors:
        raise ValidationError(errors)


def _post_as(value: object, errors: dict[str, list[str]]) -> str:
    """ "" (as the organisation says), "approved" or "draft"."""
    chosen = str(value or "").strip().lower()
    if chosen and chosen not in PostAs.values:
        errors.setdefault("post_as", []).append(
            f"Post as must be approved, draft or empty (as the organisation's setting), "
            f"not {value!r}"
        )
        return ""
    return chosen


# -- the organisation's VAT rounding rule ---------------------------------------------------------


@dataclass(frozen=True)
class RoundingChange:
    """What changing the rule would touch: documents not yet in the package, those not yet
    sent to anyone (worked out again by the new rule) and those already sent (they keep the
    VAT their recipient holds, and the rule it was worked out by)."""

    rule: Rounding
    reworked: int
    kept: int

    @property
    def warning(self) -> str:
        if not self.reworked and not self.kept:
            return ""
        parts = []
        if self.reworked:
            parts.append(
                f"{self.reworked} document(s) not yet sent will be worked out again "
                f"({self.rule.label.lower()}), so their VAT and totals may change by pennies"
            )
        if self.kept:
            parts.append(
                f"{self.kept} document(s) already sent but not yet synced keep the VAT on "
                "them (the customer or supplier holds it)"
            )
        return "; ".join(parts) + "."


def _unsynced(organisation: Organisation):
    """Documents the package does not hold and no push is working on."""
    held = DocumentState.objects.filter(
        document__organisation=organisation, status_code__in=HOLDS_REMOTE_COPY
    ).values("document_id")
    busy = Attempt.objects.filter(
        organisation=organisation, state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN]
    ).values("document_id")
    return Document.objects.for_org(organisation).exclude(pk__in=held).exclude(pk__in=busy)


def rounding_change(organisation: Organisation, chosen: str) -> RoundingChange:
    """What setting the rule to ``chosen`` ("" = the package's own) would do, to warn first.
    Nothing is touched when the rule in effect stays the same."""
    rule = Rounding(chosen) if chosen else organisation.package_rounding
    pending = _unsynced(organisation).exclude(vat_rounding=rule)
    if rule == organisation.effective_rounding and not pending.filter(sent_at=None).exists():
        return RoundingChange(rule, 0, 0)
    return RoundingChange(
        rule, pending.filter(sent_at=None).count(), pending.exclude(sent_at=None).count()
    )


def set_vat_rounding(organisation: Organisation, chosen: str) -> RoundingChange:
    """Choose the rule ("" = as the package does); documents not yet sent to anyone nor in
    the package are worked out again by it, each under its row lock."""
    change = rounding_change(organisation, chosen)
    with transaction.atomic():
        organisation.vat_rounding = chosen
        organisation.save(update_fields=["vat_rounding"])
        rework = _unsynced(organisation).filter(sent_at=None).exclude(vat_rounding=change.rule)
        for document in rework.order_by("pk"):
            try:
                with _changing(document) as locked:
                    locked.vat_rounding = change.rule
                    locked.save(update_fields=["vat_rounding", "updated_at"])
                    _work_out_again(locked)
            except DocumentLocked:
                continue  # a push took it meanwhile: it keeps the rule it was sent with
    return change
