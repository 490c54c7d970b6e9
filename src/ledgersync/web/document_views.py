"""Documents: the filtered list, a document's page, the form, the Print dialogue, Sent and Email.

Anyone in the organisation may read and write documents; marking for sync needs RUN_SYNC
and Go to Sync shows only with VIEW_SYNC (both checked here, not just hidden).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ledgersync.providers.base import ProviderError
from ledgersync.records import formats, services
from ledgersync.records.models import DocType, Document, Perm, SentVia
from ledgersync.sync import codemap, connections, mismatches, paid, voiding
from ledgersync.sync.models import Attempt, DocumentState
from ledgersync.sync.status import StatusCode, failure_for, posting
from ledgersync.web.access import document_for, organisation_of, require
from ledgersync.web.document_forms import (
    DocumentHeaderForm,
    LineRow,
    choices_for_lines,
    lines_from_post,
    lines_of,
    save_document,
    totals_preview,
)

LIST_PAGE_SIZE = 50
YES_NO = {"yes": True, "no": False}


def _filtered(organisation, params):
    documents = (
        Document.objects.for_org(organisation)
        .with_totals()
        .select_related("account", "supplier", "sync_state")
    )
    if params.get("type") in DocType.values:
        documents = documents.filter(doc_type=params["type"])
    if params.get("sent") in YES_NO:
        documents = documents.filter(sent_at__isnull=not YES_NO[params["sent"]])
    if params.get("marked") in YES_NO:
        documents = documents.filter(marked_for_sync=YES_NO[params["marked"]])
    if params.get("synced") == "yes":
        documents = documents.filter(sync_state__status_code=StatusCode.SYNCED)
    elif params.get("synced") == "no":
        documents = documents.exclude(sync_state__status_code=StatusCode.SYNCED)
    if params.get("status") in StatusCode.values:
        documents = documents.filter(sync_state__status_code=params["status"])
    documents = paid.filter_documents(documents, params.get("paid"))
    return documents.select_related("paid").order_by("doc_type", "number")


@login_required
def document_list(request):
    organisation = organisation_of(request)
    page = Paginator(_filtered(organisation, request.GET), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    for document in page.object_list:
        document.paid_shown = paid.balance_of(document)
    return render(
        request,
        "web/document_list.html",
        {
            "page": page,
            "filters": request.GET,
            "query": query.urlencode(),
            "doc_types": DocType.choices,
            "status_codes": StatusCode.choices,
            "paid_filters": paid.FILTER_LABELS.items(),
        },
    )


@login_required
def document_detail(request, pk: int):
    document = document_for(request, pk)
    state = DocumentState.objects.filter(document=document).first()
    return render(
        request,
        "web/document_detail.html",
        {
            "document": document,
            "bookings": _bookings(document),
            "attempts": Attempt.objects.for_org(document.organisation).filter(document=document)[
                :50
            ],
            "state": state,
            "posting": posting(document, state),
            "balance": (balance := paid.balance_of(document)),
            "paid_sentence": paid.describe(balance, document.currency) if balance else "",
        },
    )


def _bookings(document) -> list[str]:
    """Lines the connection's mapping books elsewhere than their own number (codemap.py)."""
    connection = connections.live_connection(document.organisation)
    code_map = codemap.as_read(connection) if connection is not None else None
    if code_map is None:
        return []
    name = connections.provider_name(document.organisation, connection)
    return codemap.line_notes(document, code_map, name)


def _form_page(request, organisation, form, rows, document=None, errors=()):
    if not rows or not rows[-1].is_empty:
        rows = [*rows, LineRow()]
    return render(
        request,
        "web/document_form.html",
        {
            "form": form,
            "rows": rows,
            "document": document,
            "errors": errors,
            **choices_for_lines(organisation),
        },
    )


@login_required
@require_POST
def document_totals(request):
    """The form's totals as saving would work them out (the one home of the money rules is
    records/money.py; the page's script only shows what this answers)."""
    organisation = organisation_of(request)
    document = None
    if request.GET.get("document", "").isdigit():
        document = document_for(request, int(request.GET["document"]))
    return JsonResponse(totals_preview(organisation, request.POST, document))


@login_required
def document_create(request):
    return _edit(request, None)


@login_required
def document_edit(request, pk: int):
    return _edit(request, document_for(request, pk))


def _edit(request, document: Document | None):
    organisation = organisation_of(request)
    if document is not None:
        try:
            services.ensure_changeable(document)
        except services.DocumentLocked as exc:
            return _refused(request, exc)
    if request.method != "POST":
        initial = {
            "issue_date": timezone.localdate(),
            "currency": "GBP",
            "type": request.GET.get("type") or DocType.SALES_INVOICE,
        }
        if document is not None:
            initial = {
                "type": document.doc_type,
                "number": document.number,
                "account": document.account,
                "supplier": document.supplier,
                "care_of": document.care_of,
                "issue_date": document.issue_date,
                "due_date": document.due_date,
                "currency": document.currency,
                "reference": document.reference,
                "job": document.job,
                "department": document.department,
                "post_as": document.post_as,
                "prices_include_vat": document.prices_include_vat,
                "supplier_vat": document.supplier_vat,
            }
        form = DocumentHeaderForm(organisation, initial=initial, editing=document is not None)
        return _form_page(
            request, organisation, form, lines_of(document) if document else [], document
        )
    # Disabled fields (type and number when editing) are not posted; the form uses initial.
    kept = {"type": document.doc_type, "number": document.number} if document else None
    form = DocumentHeaderForm(
        organisation, request.POST, initial=kept, editing=document is not None
    )
    rows = lines_from_post(request.POST)
    if not form.is_valid():
        return _form_page(request, organisation, form, rows, document)
    try:
        saved = save_document(organisation, form, rows, document=document, user=request.user)
    except services.DocumentLocked as exc:  # synced, or a sync began, while the form was open
        return _refused(request, exc)
    except ValidationError as exc:
        return _form_page(request, organisation, form, rows, document, errors=exc.messages)
    messages.success(request, f"Saved {saved}.")
    return redirect("document", saved.pk)


def _refused(request, exc: services.DocumentLocked, to: str = "document"):
    messages.error(request, exc.message)
    return redirect(to, exc.document.pk)


# -- Print dialogue, Sent, Email --------------------------------------------------------------


@login_required
def document_print(request, pk: int):
    """A clean printable view with the Sent toggle and Email (the guide's Print dialogue)."""
    return render(request, "web/document_print.html", {"document": document_for(request, pk)})


@login_required
@require_POST
def document_sent(request, pk: int):
    """The Print dialogue's Sent toggle: Yes marks it sent by hand (keeping an earlier date),
    No clears it."""
    document = document_for(request, pk)
    try:
        if request.POST.get("sent") == "yes":
            services.mark_sent(document, SentVia.HAND)
        else:
            services.clear_sent(document)
    except services.DocumentLocked as exc:
        if request.htmx:
            return _toolbar(request, document, error=exc.message)
        return _refused(request, exc, "document-print")
    document = document_for(request, pk)
    if request.htmx:
        return _toolbar(request, document)
    return redirect("document-print", pk)


def _toolbar(request, document: Document, error: str = ""):
    return render(
        request, "web/document_print.html#toolbar", {"document": document, "error": error}
    )


@login_required
@require_POST
def document_email(request, pk: int):
    """Email the document to its account through Django's email backend, and mark it sent."""
    document = document_for(request, pk)
    party = document.party
    if document.doc_type == DocType.SUPPLIER_INVOICE or not party.email:
        messages.error(
            request, f"{party.name} has no email address; add one on the account record."
        )
        return redirect("document-print", pk)
    message = EmailMessage(
        subject=f"{document} from {document.organisation.name}",
        body=_email_body(document),
        to=[party.email],
    )
    message.send()
    try:
        services.mark_sent(document, SentVia.EMAIL)
    except services.DocumentLocked:
        # A copy to the customer is fine; the package's copy, and its sent state, stay.
        messages.success(request, f"Emailed {document} to {party.email}.")
        return redirect("document-print", pk)
    messages.success(request, f"Emailed {document} to {party.email}; it is marked as sent.")
    return redirect("document-print", pk)


def _email_body(document: Document) -> str:
    lines = "\n".join(
        f"  {line.text or '-'}: {formats.quantity(line.quantity)} x "
        f"{formats.unit_price(line.unit_price)} = {formats.amount(line.gross)}"
        for line in document.lines.all()
    )
    return (
        f"{document} dated {document.issue_date:%d/%m/%Y}\n\n{lines}\n\n"
        f"Net {formats.money(document.net_total, document.currency)}  "
        f"VAT {formats.money(document.tax_total, document.currency)}  "
        f"Total {formats.money(document.gross_total, document.currency)}\n\n"
        f"{document.organisation.name}\n"
    )


# -- Integration panel ------------------------------------------------------------------------


@login_required
@require_POST
def document_mark(request, pk: int):
    require(request, Perm.RUN_SYNC)
    document = document_for(request, pk)
    error = ""
    try:
        services.set_marked_for_sync(document, request.POST.get("marked") == "yes")
    except services.DocumentLocked as exc:
        if not request.htmx:
            return _refused(request, exc)
        error = exc.message
    document = document_for(request, pk)
    if request.htmx:
        return render(
            request,
            "web/document_detail.html#integration",
            {
                "document": document,
                "state": DocumentState.objects.filter(document=document).first(),
                "error": error,
            },
        )
    return redirect("document", pk)


@login_required
@require_POST
def document_mismatch(request, pk: int):
    """TOTAL_MISMATCH: accept the package's figures, or look at the package again after
    correcting it there; EXTRA_COPY: look again after removing the extra copy there
    (sync/mismatches.py; each audited)."""
    require(request, Perm.RUN_SYNC)
    document = document_for(request, pk)
    try:
        if request.POST.get("action") == "accept":
            mismatches.accept(document, request.user)
            messages.success(request, f"{document} is synced with the package's figures.")
            return redirect("document", pk)
        connection = connections.live_connection(document.organisation)
        if connection is None:
            raise connections.NotConnected(f"{document.organisation} is not connected")
        connector = connections.connector_for_connection(connection)
        state = mismatches.check_again(document, connection, connector, request.user)
    except mismatches.NotAMismatch as exc:
        messages.error(request, str(exc))
        return redirect("document", pk)
    except (connections.NotConnected, ProviderError) as exc:
        live = connections.live_connection(document.organisation)
        messages.error(
            request,
            failure_for(exc, connections.provider_name(document.organisation, live)).message,
        )
        return redirect("document", pk)
    if state.status_code == StatusCode.SYNCED:
        messages.success(request, f"The package now agrees with ledgersync: {document} is synced.")
    else:
        messages.error(request, state.message)
    return redirect("document", pk)


@login_required
def document_void(request, pk: int):
    """Void a synced document in the package (sync/voiding.py): a page asks first, then the
    POST voids it, or says in words why it cannot."""
    require(request, Perm.RUN_SYNC)
    document = document_for(request, pk)
    name = connections.provider_name(document.organisation)
    if request.method != "POST":
        return render(request, "web/document_void.html", {"document": document, "name": name})
    try:
        voiding.void(document, user=request.user)
    except voiding.VoidRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{document} is voided in {name}.")
    return redirect("document", pk)
