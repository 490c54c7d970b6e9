"""Documents: create with lines (idempotent by your external_ref), read, update while
unsynced, list with filters, mark sent, mark and unmark for sync."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from ninja import Path, Query, Router, Status

from ledgersync.api import output
from ledgersync.api.auth import READ, WRITE, organisation_of
from ledgersync.api.errors import ERRORS, ApiError, invalid, not_found
from ledgersync.api.schemas import (
    DocumentFilter,
    DocumentIn,
    DocumentOut,
    DocumentPage,
    DocumentPatch,
    SentIn,
)
from ledgersync.records.models import Account, DocType, Document, Supplier
from ledgersync.records.services import create_document, replace_lines
from ledgersync.sync.models import Attempt, AttemptState
from ledgersync.sync.status import StatusCode

router = Router(tags=["documents"])
ID = Path(..., ge=1, le=2**53)


def _document(request, document_id: int, *, lock: bool = False) -> Document:
    rows = Document.objects.for_org(organisation_of(request))
    if lock:
        rows = rows.select_for_update()
    found = rows.filter(pk=document_id).first()
    if found is None:
        raise not_found("document")
    return found


def _reload(document: Document) -> dict:
    return output.document_out(output.documents_for(Document.objects.filter(pk=document.pk)).get())


def _ensure_unsynced(document: Document) -> None:
    state = output.state_of(document)
    if state is not None and state.status_code == StatusCode.SYNCED:
        raise ApiError(
            409,
            "already_synced",
            f"{document} is already in the package (id {state.remote_id}); it cannot change here.",
        )
    busy = Attempt.objects.filter(
        document=document, state__in=[AttemptState.IN_FLIGHT, AttemptState.UNCERTAIN]
    )
    if busy.exists():
        raise ApiError(
            409,
            "sync_in_progress",
            f"{document} is being sent to the package; try again when the sync has finished.",
        )


def number_taken(organisation, payload: dict[str, Any]) -> Document | None:
    if not payload["number"]:
        return None
    rows = Document.objects.for_org(organisation).filter(
        doc_type=payload["type"], number=payload["number"]
    )
    if payload["type"] == DocType.SUPPLIER_INVOICE:
        rows = rows.filter(supplier__number=payload["supplier"])
    return rows.first()


def create_from(organisation, data: DocumentIn, *, user=None) -> tuple[Document, bool]:
    """Create (True) or find by external_ref (False). Raises ApiError or ValidationError."""
    if data.external_ref:
        existing = (
            Document.objects.for_org(organisation).filter(external_ref=data.external_ref).first()
        )
        if existing is not None:
            return existing, False
    payload = data.service_payload()
    clash = number_taken(organisation, payload)
    if clash is not None:
        raise ApiError(409, "duplicate", f"{clash} already exists (id {clash.pk}).", "number")
    try:
        with transaction.atomic():
            document = create_document(organisation, payload, user=user)
            now = timezone.now()
            if data.sent_via:
                document.sent_at, document.sent_via = now, data.sent_via.value
            if data.mark_for_sync:
                document.marked_for_sync, document.marked_at = True, now
            document.save()
    except ValidationError:
        # Two identical requests at once: the loser finds the winner's document.
        if data.external_ref:
            existing = (
                Document.objects.for_org(organisation)
                .filter(external_ref=data.external_ref)
                .first()
            )
            if existing is not None:
                return existing, False
        raise
    return document, True


@router.post("/documents", response={200: DocumentOut, 201: DocumentOut, **ERRORS}, auth=WRITE)
def post_document(request, data: DocumentIn):
    """Create a document with its lines. With an external_ref, sending the same request
    again returns the document made the first time (200), never a second one."""
    document, created = create_from(organisation_of(request), data)
    return Status(201 if created else 200, _reload(document))


@router.get("/documents", response={200: DocumentPage, **ERRORS}, auth=READ)
def list_documents(request, filters: Query[DocumentFilter]):
    rows = Document.objects.for_org(organisation_of(request)).order_by("doc_type", "number", "pk")
    exact = {
        "doc_type": filters.type,
        "number": filters.number,
        "account__number": filters.account,
        "supplier__number": filters.supplier,
        "external_ref": filters.external_ref,
        "marked_for_sync": filters.marked_for_sync,
        "sync_state__status_code": filters.status_code,
        "issue_date__gte": filters.issued_from,
        "issue_date__lte": filters.issued_to,
    }
    rows = rows.filter(**{key: value for key, value in exact.items() if value is not None})
    if filters.sent is not None:
        rows = rows.filter(sent_at__isnull=not filters.sent)
    if filters.synced is not None:
        synced = Q(sync_state__status_code=StatusCode.SYNCED)
        rows = rows.filter(synced) if filters.synced else rows.exclude(synced)
    return output.page(output.documents_for(rows), filters, output.document_out)


@router.get("/documents/{document_id}", response={200: DocumentOut, **ERRORS}, auth=READ)
def get_document(request, document_id: int = ID):
    return _reload(_document(request, document_id))


@router.patch("/documents/{document_id}", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def update_document(request, data: DocumentPatch, document_id: int = ID):
    """Change a document that has not synced; lines, when sent, replace all its lines."""
    changes = data.dict(exclude_unset=True)
    with transaction.atomic():
        document = _document(request, document_id, lock=True)
        _ensure_unsynced(document)
        _apply_patch(document, changes, data)
    return _reload(document)


def _apply_patch(document: Document, changes: dict[str, Any], data: DocumentPatch) -> None:
    organisation = document.organisation
    errors: dict[str, list[str]] = {}
    accounts = Account.objects.for_org(organisation)
    if changes.get("account") is not None:
        if document.type == DocType.SUPPLIER_INVOICE:
            errors["account"] = ["A supplier invoice names a supplier, not an account"]
        elif (account := accounts.filter(number=changes["account"]).first()) is None:
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
        number = changes["care_of"] or ""
        document.care_of = accounts.filter(number=number).first() if number else None
        if number and document.care_of is None:
            errors["care_of"] = [f"No account numbered {number!r}"]
    for field in ("issue_date", "due_date", "reference"):
        if changes.get(field) is not None:
            setattr(document, field, changes[field])
    if changes.get("currency"):
        document.currency = changes["currency"].upper()
    if errors:
        raise invalid(errors)
    if data.lines is not None:
        replace_lines(document, [line.service_dict() for line in data.lines])
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # a supplier invoice moved to a supplier that has that reference
        raise ApiError(
            409,
            "duplicate",
            f"{document.party} already has a document numbered {document.number}.",
            "supplier",
        ) from None


@router.post("/documents/{document_id}/sent", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def mark_sent(request, data: SentIn, document_id: int = ID):
    """Mark it sent (email, post or by hand): check 1 for invoices. Sending it again keeps
    the first date."""
    with transaction.atomic():
        document = _document(request, document_id, lock=True)
        if document.sent_at is None:
            document.sent_at, document.sent_via = timezone.now(), data.via.value
            document.save(update_fields=["sent_at", "sent_via", "updated_at"])
    return _reload(document)


def _set_marked(request, document_id: int, marked: bool) -> dict:
    with transaction.atomic():
        document = _document(request, document_id, lock=True)
        _ensure_unsynced(document)
        if document.marked_for_sync != marked:
            document.marked_for_sync = marked
            document.marked_at = timezone.now() if marked else None
            document.save(update_fields=["marked_for_sync", "marked_at", "updated_at"])
    return _reload(document)


@router.post("/documents/{document_id}/mark", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def mark_for_sync(request, document_id: int = ID):
    """Put it on the Sync page's list for its type."""
    return _set_marked(request, document_id, True)


@router.post("/documents/{document_id}/unmark", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def unmark_for_sync(request, document_id: int = ID):
    """Take it off the Sync page's list."""
    return _set_marked(request, document_id, False)
