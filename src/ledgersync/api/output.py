"""Model rows as the API's output dicts (one place, so every endpoint says the same)."""

from __future__ import annotations

from decimal import Decimal

from ledgersync.api.paid import paid_out
from ledgersync.records.formats import plain
from ledgersync.records.models import Account, Document, NominalCode, Supplier, TaxCode
from ledgersync.records.parties import PARTY_FIELDS
from ledgersync.sync import bulk, engine
from ledgersync.sync.connections import live_connection
from ledgersync.sync.models import AccsIdLink, DocumentState, SyncRun
from ledgersync.sync.status import Failure, StatusCode

PARTY_KEYS = ("id", "number", *PARTY_FIELDS)


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def number_of(party: Account | Supplier | None) -> str | None:
    """A party's number, or None where the optional foreign key is empty."""
    return party.number if party is not None else None


def page(queryset, paging, convert) -> dict:
    rows = list(queryset[paging.offset : paging.offset + paging.limit])
    return {
        "count": queryset.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [convert(row) for row in rows],
    }


def accs_ids(organisation, field: str) -> dict[int, str]:
    """The AccsIDs of accounts or suppliers in the live connection's company, by party id."""
    connection = live_connection(organisation)
    if connection is None:
        return {}
    links = AccsIdLink.objects.for_org(organisation).filter(
        provider=connection.provider,
        company_id=connection.company_id,
        **{f"{field}__isnull": False},
    )
    return {getattr(link, f"{field}_id"): link.remote_id for link in links}


def account_out(account: Account, links: dict[int, str]) -> dict:
    data = {key: getattr(account, key) for key in PARTY_KEYS}
    data.update(
        kind=account.kind,
        company=number_of(account.company),
        accs_id=links.get(account.pk),
    )
    return data


def supplier_out(supplier: Supplier, links: dict[int, str]) -> dict:
    data = {key: getattr(supplier, key) for key in PARTY_KEYS}
    data["accs_id"] = links.get(supplier.pk)
    return data


def tax_code_out(tax: TaxCode) -> dict:
    return {"id": tax.pk, "code": tax.code, "name": tax.name, "rate": plain(tax.rate)}


def nominal_out(nominal: NominalCode) -> dict:
    return {
        "id": nominal.pk,
        "code": nominal.code,
        "description": nominal.description,
        "kind": nominal.kind,
        "default_tax_code": tax.code if (tax := nominal.default_tax_code) is not None else None,
    }


def failure_out(failure: Failure) -> dict:
    return {"code": str(failure.code), "message": failure.message, "remedy": failure.remedy}


def state_of(document: Document) -> DocumentState | None:
    try:
        return document.sync_state
    except DocumentState.DoesNotExist:
        return None


def sync_out(state: DocumentState | None) -> dict:
    if state is None:
        return {
            "status_code": None,
            "message": "",
            "failures": [],
            "remote_id": None,
            "remote_draft": False,
            "synced_at": None,
        }
    return {
        "status_code": state.status_code or None,
        "message": state.message,
        "failures": [failure_out(f) for f in state.failure_list()],
        "remote_id": state.remote_id or None,
        "remote_draft": bool(state.remote_id) and state.remote_draft,
        "synced_at": state.synced_at,
    }


def line_out(line) -> dict:
    return {
        "position": line.position,
        "text": line.text,
        "quantity": plain(line.quantity),
        "unit_price": plain(line.unit_price, 2),
        "nominal": line.nominal.code,
        "tax_code": line.tax_code.code if line.tax_code_id else None,
        "net": money(line.net),
        "tax": money(line.tax),
        "gross": money(line.gross),
    }


def document_out(document: Document) -> dict:
    lines = list(document.lines.all())
    net = sum((line.net for line in lines), Decimal(0))
    tax = sum((line.tax for line in lines), Decimal(0))
    return {
        "id": document.pk,
        "type": document.doc_type,
        "number": document.number,
        "account": number_of(document.account),
        "supplier": number_of(document.supplier),
        "care_of": number_of(document.care_of),
        "issue_date": document.issue_date,
        "due_date": document.due_date,
        "currency": document.currency,
        "reference": document.reference,
        "job": document.job,
        "department": document.department,
        "post_as": document.post_as,
        "external_ref": document.external_ref,
        "sent_at": document.sent_at,
        "sent_via": document.sent_via,
        "marked_for_sync": document.marked_for_sync,
        "vat_rounding": document.vat_rounding,
        "prices_include_vat": document.prices_include_vat,
        "supplier_vat": money(document.supplier_vat) if document.supplier_vat is not None else None,
        "net_total": money(net),
        "tax_total": money(tax),
        "gross_total": money(net + tax),
        "lines": [line_out(line) for line in lines],
        "sync": sync_out(state_of(document)),
        "paid": paid_out(document),
    }


def documents_for(queryset):
    return queryset.select_related(
        "account", "supplier", "care_of", "sync_state", "paid"
    ).prefetch_related("lines__nominal", "lines__tax_code", "paid__payments")


def run_out(run: SyncRun) -> dict:
    documents = Document.objects.filter(
        pk__in=run.taken().values("document_id"), organisation=run.organisation_id
    ).select_related("sync_state")
    results = []
    for document in sorted(documents, key=lambda d: (d.number, d.pk)):
        state = state_of(document)
        results.append(
            {
                "document_id": document.pk,
                "number": document.number,
                "status_code": (state.status_code or None) if state else None,
                "message": state.message if state else "",
            }
        )
    return {
        "id": run.pk,
        "type": run.doc_type,
        "auto": run.auto,
        "state": run.state,
        "trigger": run.trigger,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "deadline": run.deadline,
        "stop_requested": run.stop_requested,
        "synced_count": run.synced_count,
        "failed_count": run.failed_count,
        "left_count": run.left_count,
        "api_calls": run.api_calls,
        "message": run.message,
        "stalled": engine.stalled_sentence(run),
        "results": results,
    }


SYNCED = StatusCode.SYNCED


def bulk_preview_out(plan) -> dict:
    return {
        "action": plan.kind.value,
        "documents": plan.documents,
        "acting": plan.acting,
        "summary": plan.summary,
        "problem": plan.problem,
        "items": [
            {
                "label": item.label,
                "documents": item.documents,
                "acts": item.acts,
                "outcome": item.outcome,
                "warning": item.warning,
            }
            for item in plan.items
        ],
    }


def bulk_out(action) -> dict:
    items = action.items.select_related("account", "supplier")
    return {
        "id": action.pk,
        "action": action.kind,
        "state": action.state,
        "progress": bulk.progress_sentence(action),
        "total": action.total,
        "done": action.done,
        "changed": action.changed,
        "skipped": action.skipped,
        "failed": action.failed,
        "created_at": action.created_at,
        "started_at": action.started_at,
        "finished_at": action.finished_at,
        "items": [
            {
                "label": item.label,
                "document_id": item.document_id,
                "account": item.account.number if item.account else None,
                "supplier": item.supplier.number if item.supplier else None,
                "state": item.state,
                "message": item.message,
            }
            for item in items
        ],
    }
