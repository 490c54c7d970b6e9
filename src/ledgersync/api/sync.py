"""The sync side: queues with status codes, suggestions and links, runs, the connection."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from ninja import Path, Query, Router, Status

from ledgersync.api import output
from ledgersync.api.auth import READ, WRITE, organisation_of, owned
from ledgersync.api.errors import ERRORS, PROVIDER_ERRORS, ApiError
from ledgersync.api.schemas import (
    DOC_TYPES,
    BulkIn,
    BulkOut,
    BulkPreviewOut,
    BulkStartIn,
    ConnectionOut,
    DocTypeName,
    DocumentOut,
    LinkIn,
    LinkOut,
    ProblemFilter,
    ProblemPage,
    QueueFilter,
    QueueOut,
    ResolvedFilter,
    ResolvedPage,
    RunFilter,
    RunIn,
    RunOut,
    RunPage,
    SuggestionsOut,
)
from ledgersync.providers.base import Connector
from ledgersync.records.models import Account, Document, Supplier
from ledgersync.sync import (
    assess,
    bulk,
    connections,
    engine,
    linking,
    mismatches,
    problems,
    tasks,
)
from ledgersync.sync.models import (
    LIVE_RUN_STATES,
    BulkAction,
    BulkKind,
    ConnectionStatus,
    SyncRun,
    Trigger,
)

router = Router(tags=["sync"])
ID = Path(..., ge=1, le=2**53)


# -- queue ------------------------------------------------------------------------------------


@router.get("/sync/queues/{doc_type}", response={200: QueueOut, **ERRORS}, auth=READ)
def get_queue(request, doc_type: DocTypeName, filters: Query[QueueFilter]):
    """Documents of one type marked for sync and not synced, oldest number first, each with
    its status code and every failing check (with what to do about it)."""
    organisation = organisation_of(request)
    kind = DOC_TYPES[doc_type]
    rows = engine.queue(organisation, kind).select_related("account", "supplier", "sync_state")
    if filters.status_code:
        rows = rows.filter(sync_state__status_code=filters.status_code)
    rows = rows.prefetch_related("lines")

    def item(document):
        state = output.sync_out(output.state_of(document))
        return {
            "id": document.pk,
            "number": document.number,
            "party": document.party.number,
            "party_name": document.party.name,
            "gross_total": output.money(document.gross_total),
            "status_code": state["status_code"],
            "message": state["message"],
            "failures": state["failures"],
        }

    body = output.page(rows, filters, item)
    body.update(type=doc_type.value, counts=assess.queue_counts(organisation, kind))
    return body


@router.get("/sync/problems", response={200: ProblemPage, **ERRORS}, auth=READ)
def get_problems(request, filters: Query[ProblemFilter]):
    """Every queued document of every type that cannot sync until someone acts (the web's
    Needs attention), grouped by status code in the order the checks run, oldest first."""
    organisation = organisation_of(request)
    rows = problems.problems(
        organisation,
        problems.Filters(
            doc_type=DOC_TYPES[filters.type] if filters.type else None,
            account=_by_number(organisation, Account, "account", filters.account),
            supplier=_by_number(organisation, Supplier, "supplier", filters.supplier),
            date_from=filters.issued_from,
            date_to=filters.issued_to,
        ),
    ).select_related("account", "supplier", "sync_state")
    shown = list(rows[filters.offset : filters.offset + filters.limit].prefetch_related("lines"))
    failed = problems.failures(shown)
    marks = problems.open_marks(shown)
    return {
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "counts": problems.counts(rows),
        "items": [
            {
                "id": document.pk,
                "type": document.doc_type,
                "number": document.number,
                "party": document.party.number,
                "party_name": document.party.name,
                "issue_date": document.issue_date,
                "gross_total": output.money(document.gross_total),
                "status_code": document.sync_state.status_code,
                "message": document.sync_state.message,
                "failed_attempts": failed.get(document.pk, 0),
                "waiting_since": marks[document.pk].seen_at if document.pk in marks else None,
                "times": marks[document.pk].times if document.pk in marks else 1,
            }
            for document in shown
        ],
    }


@router.get("/sync/problems/resolved", response={200: ResolvedPage, **ERRORS}, auth=READ)
def get_resolved(request, filters: Query[ResolvedFilter]):
    """Problems resolved in the last ``days`` days, the latest first: who resolved each
    and how many times it had come (the web's Recently resolved)."""
    since = timezone.now() - dt.timedelta(days=filters.days)
    rows = problems.resolved(organisation_of(request), since)

    def item(problem):
        return {
            "document_id": problem.document_id,
            "type": problem.document.doc_type,
            "number": problem.document.number,
            "status_code": problem.code,
            "first_seen_at": problem.first_seen_at,
            "resolved_at": problem.resolved_at,
            "resolved_by": problem.resolved_by.get_username() if problem.resolved_by else None,
            "times": problem.times,
        }

    return output.page(rows, filters, item)


def _by_number(organisation, model, field: str, number: str | None):
    """The organisation's account or supplier with ``number``; 422 naming ``field`` if none."""
    if not number:
        return None
    party = problems.party_by_number(organisation, model, number)
    if party is None:
        raise ApiError(422, "invalid", f"No {field} has the number {number}.", field)
    return party


# -- linking ----------------------------------------------------------------------------------


def _live(organisation):
    """The live connection and a connector for it. NotConnected and AuthError become their
    API answers in api/errors.py, like every other trouble with the package."""
    connection = connections.live_connection(organisation)
    if connection is None:
        raise connections.NotConnected(f"{organisation} is not connected")
    return connection, connections.connector_for_connection(connection)


def _party(request, kind: str, party_id: int):
    return owned(request, (Account if kind == "account" else Supplier).objects, party_id, kind)


def _match(match) -> dict:
    return {
        "id": match.contact.id,
        "name": match.contact.name,
        "score": round(match.score, 3),
        "exact": match.exact,
        "reasons": list(match.reasons),
    }


def _suggestions(request, kind: str, party_id: int) -> dict:
    party = _party(request, kind, party_id)
    connection, connector = _live(party.organisation)
    found = linking.suggestions(connector, party)
    link = linking.current_link(connection, party)
    return {
        "accs_id": link.remote_id if link else None,
        "link_this": _match(found.exact) if found.exact else None,
        "matches": [_match(m) for m in found.matches],
    }


def _link(request, kind: str, party_id: int, data: LinkIn):
    party = _party(request, kind, party_id)
    connection, connector = _live(party.organisation)
    try:
        link = _make_link(connection, connector, party, data)
    except linking.LinkError as exc:
        raise ApiError(
            422, "link_refused", str(exc), "accs_id" if data.method == "accs_id" else "remote_id"
        ) from None
    return {"accs_id": link.remote_id, "method": link.method, "linked_at": link.linked_at}


def _make_link(connection, connector: Connector, party, data: LinkIn):
    if data.method == "accs_id" and not data.accs_id:
        raise ApiError(422, "invalid", "Send the AccsID to link by in accs_id.", "accs_id")
    try:
        return linking.link(
            connection,
            connector,
            party,
            linking.LinkAction(data.method),
            remote_id=data.remote_id or "",
            accs_id=data.accs_id or "",
        )
    except linking.NoExactMatch as exc:
        raise ApiError(
            409,
            "no_exact_match",
            f"{exc}; pick a suggestion's id as remote_id, or use create_new.",
            "remote_id",
        ) from None


def _unlink(request, kind: str, party_id: int):
    party = _party(request, kind, party_id)
    connection = connections.live_connection(party.organisation)
    if connection is None:
        raise connections.NotConnected(f"{party.organisation} is not connected")
    if not linking.unlink(connection, party):
        raise ApiError(404, "not_linked", f"{party} has no AccsID in this package.")
    return Status(204, None)


@router.get(
    "/accounts/{account_id}/suggestions",
    response={200: SuggestionsOut, **PROVIDER_ERRORS},
    auth=READ,
)
def account_suggestions(request, account_id: int = ID):
    """Contacts in the package with similar names; link_this is the exact match, if any."""
    return _suggestions(request, "account", account_id)


@router.post("/accounts/{account_id}/link", response={200: LinkOut, **PROVIDER_ERRORS}, auth=WRITE)
def link_account(request, data: LinkIn, account_id: int = ID):
    """Link This (the exact match, or the suggestion in remote_id), Create New, or by AccsID."""
    return _link(request, "account", account_id, data)


@router.delete("/accounts/{account_id}/link", response={204: None, **ERRORS}, auth=WRITE)
def unlink_account(request, account_id: int = ID):
    return _unlink(request, "account", account_id)


@router.get(
    "/suppliers/{supplier_id}/suggestions",
    response={200: SuggestionsOut, **PROVIDER_ERRORS},
    auth=READ,
)
def supplier_suggestions(request, supplier_id: int = ID):
    return _suggestions(request, "supplier", supplier_id)


@router.post(
    "/suppliers/{supplier_id}/link", response={200: LinkOut, **PROVIDER_ERRORS}, auth=WRITE
)
def link_supplier(request, data: LinkIn, supplier_id: int = ID):
    return _link(request, "supplier", supplier_id, data)


@router.delete("/suppliers/{supplier_id}/link", response={204: None, **ERRORS}, auth=WRITE)
def unlink_supplier(request, supplier_id: int = ID):
    return _unlink(request, "supplier", supplier_id)


# -- runs -------------------------------------------------------------------------------------


@router.post("/sync/runs", response={202: RunOut, **ERRORS}, auth=WRITE)
def start_run(request, data: RunIn):
    """Start Sync (one batch of documents that pass every check) or Auto Sync (batches until
    done or the time limit). The run works in the background; poll GET /sync/runs/{id}. Sync
    with nothing ready answers 409 nothing_ready, naming the first fix."""
    organisation = organisation_of(request)
    try:
        with transaction.atomic():
            run = engine.start_run(
                organisation, DOC_TYPES[data.type], auto=data.auto, trigger=Trigger.API
            )
            tasks.enqueue(run)
    except engine.RunInProgress as exc:
        raise ApiError(
            409,
            "run_in_progress",
            f"A sync is already running (run {exc.run.pk}); wait for it or stop it.",
        ) from None
    except engine.NothingReady as exc:
        raise ApiError(409, "nothing_ready", exc.sentence) from None
    run.refresh_from_db()
    return Status(202, output.run_out(run))


# -- TOTAL_MISMATCH: accept the package's figures, or look again after correcting them --------


def _mismatched(request, document_id: int) -> Document:
    return owned(request, Document.objects, document_id, "document")


def _reloaded(document: Document) -> dict:
    rows = output.documents_for(Document.objects.filter(pk=document.pk))
    return output.document_out(rows.get())


def _not_a_mismatch(exc: mismatches.NotAMismatch) -> ApiError:
    return ApiError(409, "not_a_mismatch", str(exc))


@router.post(
    "/sync/documents/{document_id}/accept", response={200: DocumentOut, **ERRORS}, auth=WRITE
)
def accept_package_figures(request, document_id: int = ID):
    """A TOTAL_MISMATCH document: keep the figures the package booked. It counts as synced
    from now on; the event log records it. 409 not_a_mismatch otherwise."""
    document = _mismatched(request, document_id)
    try:
        mismatches.accept(document)
    except mismatches.NotAMismatch as exc:
        raise _not_a_mismatch(exc) from None
    return _reloaded(document)


@router.post(
    "/sync/documents/{document_id}/check",
    response={200: DocumentOut, **PROVIDER_ERRORS},
    auth=WRITE,
)
def check_package_figures(request, document_id: int = ID):
    """A TOTAL_MISMATCH document, after correcting it in the package: read the package's copy
    again. SYNCED when it now has ledgersync's figures; else still TOTAL_MISMATCH with what
    the package has now. An EXTRA_COPY document, after removing the extra copy there: SYNCED
    when only ledgersync's copy is left; else still EXTRA_COPY."""
    document = _mismatched(request, document_id)
    connection, connector = _live(document.organisation)
    try:
        mismatches.check_again(document, connection, connector)
    except mismatches.NotAMismatch as exc:
        raise _not_a_mismatch(exc) from None
    return _reloaded(document)


def _run(request, run_id: int) -> SyncRun:
    return owned(request, SyncRun.objects, run_id, "sync run")


@router.get("/sync/runs", response={200: RunPage, **ERRORS}, auth=READ)
def list_runs(request, filters: Query[RunFilter]):
    rows = SyncRun.objects.for_org(organisation_of(request)).order_by("-created_at", "-pk")
    if filters.type:
        rows = rows.filter(doc_type=filters.type.value)
    if filters.live is not None:
        live = {"state__in": LIVE_RUN_STATES}
        rows = rows.filter(**live) if filters.live else rows.exclude(**live)
    return output.page(rows, filters, output.run_out)


@router.get("/sync/runs/{run_id}", response={200: RunOut, **ERRORS}, auth=READ)
def get_run(request, run_id: int = ID):
    """A run's progress (state, counts so far) and, once over, its result per document."""
    return output.run_out(_run(request, run_id))


@router.post("/sync/runs/{run_id}/stop", response={200: RunOut, **ERRORS}, auth=WRITE)
def stop_run(request, run_id: int = ID):
    """Ask a run to stop after the document in hand (Auto Sync's Stop)."""
    run = _run(request, run_id)
    if not run.is_live:
        raise ApiError(409, "run_over", f"Run {run.pk} is already over ({run.state}).")
    engine.request_stop(run)
    run.refresh_from_db()
    return output.run_out(run)


# -- connection -------------------------------------------------------------------------------


@router.get("/connection", response={200: ConnectionOut, **ERRORS}, auth=READ)
def get_connection(request):
    """The organisation's link to its accounting package."""
    organisation = organisation_of(request)
    connection = connections.live_connection(organisation)
    body = {
        "provider": connection.provider if connection else organisation.provider,
        "provider_name": connections.provider_name(organisation, connection),
        "status": ConnectionStatus.DISCONNECTED.value,
        "status_detail": "",
        "company_id": None,
        "company_name": None,
        "connected_at": None,
        "last_used_at": None,
    }
    if connection is not None:
        body.update(
            status=connection.status,
            status_detail=connection.status_detail,
            company_id=connection.company_id,
            company_name=connection.company_name,
            connected_at=connection.connected_at,
            last_used_at=connection.last_used_at,
        )
    return body


# -- bulk actions on Needs attention ----------------------------------------------------------


def _bulk_choice(request, data: BulkIn) -> tuple[BulkKind, list[Document]]:
    """The action and the documents a bulk request names; the key's own rights first (a
    read-only key is refused by WRITE before this), then what it names, in words."""
    organisation = organisation_of(request)
    kind = BulkKind(data.action)
    named = [data.documents is not None, data.group is not None, data.all]
    if sum(named) != 1:
        raise ApiError(
            422,
            "invalid",
            "Name the documents: give one of documents (ids), group or all.",
            "documents",
        )
    filters = problems.Filters(
        doc_type=DOC_TYPES[data.type] if data.type else None,
        account=_by_number(organisation, Account, "account", data.account),
        supplier=_by_number(organisation, Supplier, "supplier", data.supplier),
        date_from=data.issued_from,
        date_to=data.issued_to,
    )
    documents = problems.chosen(
        organisation,
        filters,
        ids=data.documents,
        code=data.group.value if data.group else "",
        limit=bulk.MAX_DOCUMENTS,
    )
    return kind, documents


def _bulk_refusal(exc: bulk.BulkError) -> ApiError:
    return ApiError(422, "invalid", str(exc))


@router.post("/sync/bulk/preview", response={200: BulkPreviewOut, **ERRORS}, auth=WRITE)
def preview_bulk(request, data: BulkIn):
    """What a bulk action would do to each document (or, for linking, each account and
    supplier) it names, changing nothing: the web's preview page."""
    kind, documents = _bulk_choice(request, data)
    try:
        plan = bulk.preview(organisation_of(request), kind, documents)
    except bulk.BulkError as exc:
        raise _bulk_refusal(exc) from None
    return output.bulk_preview_out(plan)


@router.post("/sync/bulk", response={202: BulkOut, **ERRORS}, auth=WRITE)
def start_bulk(request, data: BulkStartIn):
    """Start a bulk action in the background; poll GET /sync/bulk/{id}. The same ``key``
    again answers with the action it started, so a retried request acts once."""
    kind, documents = _bulk_choice(request, data)
    try:
        action, _ = bulk.request(organisation_of(request), kind, documents, token=data.key)
    except bulk.BulkError as exc:
        raise _bulk_refusal(exc) from None
    action.refresh_from_db()
    return Status(202, output.bulk_out(action))


@router.get("/sync/bulk/{action_id}", response={200: BulkOut, **ERRORS}, auth=READ)
def get_bulk(request, action_id: int):
    """A bulk action's progress and each item's outcome."""
    return output.bulk_out(owned(request, BulkAction.objects, action_id, "bulk action"))
