"""Documents: create with lines (idempotent by your external_ref), read, update while
unsynced, list with filters, mark sent, mark and unmark for sync, void once synced."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from ninja import Path, Query, Router, Status

from ledgersync.api import output
from ledgersync.api.auth import READ, WRITE, organisation_of
from ledgersync.api.errors import ERRORS, ApiError, not_found
from ledgersync.api.schemas import DocumentFilter, DocumentOut, DocumentPage, SentIn
from ledgersync.records import services
from ledgersync.records.inputs import DocumentIn, DocumentPatch
from ledgersync.records.models import Document
from ledgersync.sync import paid, voiding
from ledgersync.sync.status import StatusCode

router = Router(tags=["documents"])
ID = Path(..., ge=1, le=2**53)


def _document(request, document_id: int) -> Document:
    found = Document.objects.for_org(organisation_of(request)).filter(pk=document_id).first()
    if found is None:
        raise not_found("document")
    return found


def _reload(document: Document) -> dict:
    return output.document_out(output.documents_for(Document.objects.filter(pk=document.pk)).get())


def create_from(organisation, data: DocumentIn, *, user=None) -> tuple[Document, bool]:
    """Create (True) or find by external_ref (False). Raises ApiError or ValidationError."""
    existing = services.document_with_ref(organisation, data.external_ref)
    if existing is not None:
        return existing, False
    clash = services.number_taken(organisation, data.service_payload())
    if clash is not None:
        raise ApiError(409, "duplicate", f"{clash} already exists (id {clash.pk}).", "number")
    try:
        document = services.create_document(organisation, data, user=user)
    except ValidationError:
        # Two identical requests at once: the loser finds the winner's document.
        existing = services.document_with_ref(organisation, data.external_ref)
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
    if filters.paid is not None:
        rows = paid.filter_documents(rows, filters.paid.value)
    return output.page(output.documents_for(rows), filters, output.document_out)


@router.get("/documents/{document_id}", response={200: DocumentOut, **ERRORS}, auth=READ)
def get_document(request, document_id: int = ID):
    return _reload(_document(request, document_id))


@router.patch("/documents/{document_id}", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def update_document(request, data: DocumentPatch, document_id: int = ID):
    """Change a document that has not synced; lines, when sent, replace all its lines."""
    document = _document(request, document_id)
    try:
        services.update_document(document, data.service_changes())
    except services.NumberTaken as exc:
        raise ApiError(409, "duplicate", exc.messages[0], "supplier") from None
    return _reload(document)


@router.post("/documents/{document_id}/sent", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def mark_sent(request, data: SentIn, document_id: int = ID):
    """Mark it sent (email, post or by hand): check 1 for invoices. Sending it again keeps
    the first date."""
    return _reload(services.mark_sent(_document(request, document_id), data.via.value))


@router.post("/documents/{document_id}/mark", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def mark_for_sync(request, document_id: int = ID):
    """Put it on the Sync page's list for its type."""
    return _reload(services.set_marked_for_sync(_document(request, document_id), True))


@router.post("/documents/{document_id}/unmark", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def unmark_for_sync(request, document_id: int = ID):
    """Take it off the Sync page's list."""
    return _reload(services.set_marked_for_sync(_document(request, document_id), False))


@router.post("/documents/{document_id}/void", response={200: DocumentOut, **ERRORS}, auth=WRITE)
def void_document(request, document_id: int = ID):
    """Void a synced document in the package (deleted where the package has no void for it:
    QuickBooks bills and credit memos, Sage purchase invoices): it becomes VOIDED and is never
    sent again. 409 ``cannot_void`` says why not (not synced, a payment allocated to it, not
    connected). Voiding it again answers the same."""
    document = _document(request, document_id)
    try:
        voiding.void(document)
    except voiding.VoidRefused as exc:
        raise ApiError(409, "cannot_void", exc.message) from None
    return _reload(document)
