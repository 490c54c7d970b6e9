"""Needs attention (issue #18's error centre): every queued document that cannot sync, across
the three types, grouped by status code with counts, oldest first, filterable by type,
account, supplier and date. The list itself is sync/problems.py's; this module reads the
filter form and shows one page of it. Needs VIEW_SYNC, like the Sync pages.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ledgersync.records.models import Account, DocType, Organisation, Perm, Supplier
from ledgersync.sync import assess, bulk, problems
from ledgersync.sync.models import BulkAction, BulkKind
from ledgersync.sync.status import REMEDIES, StatusCode
from ledgersync.web.access import organisation_of, require
from ledgersync.web.sync_support import MENU_LABELS, add_totals

PROBLEMS_PAGE_SIZE = 50
FILTER_NAMES = ("type", "account", "supplier", "date_from", "date_to")
BAD_FILTER = "Those filters cannot be used: correct the ones marked below."


class ProblemFilterForm(forms.Form):
    """The GET parameters of the page: ``type`` (a type's slug), ``account`` and
    ``supplier`` (their numbers, e.g. A1042), ``date_from`` and ``date_to`` (issue dates)."""

    type = forms.ChoiceField(
        required=False,
        choices=[("", "All types")] + [(t.slug, label) for t, label in MENU_LABELS.items()],
    )
    account = forms.CharField(required=False, max_length=20, label="Account number")
    supplier = forms.CharField(required=False, max_length=20, label="Supplier number")
    date_from = forms.DateField(required=False, label="Dated from")
    date_to = forms.DateField(required=False, label="Dated to")

    def __init__(self, organisation: Organisation, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def _party(self, model, field: str, noun: str):
        number = self.cleaned_data.get(field, "").strip()
        if not number:
            return None
        party = problems.party_by_number(self.organisation, model, number)
        if party is None:
            raise forms.ValidationError(f"No {noun} has the number {number}.")
        return party

    def clean_account(self) -> Account | None:
        return self._party(Account, "account", "account")

    def clean_supplier(self) -> Supplier | None:
        return self._party(Supplier, "supplier", "supplier")

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> problems.Filters:
        data = self.cleaned_data
        return problems.Filters(
            doc_type=DocType.from_slug(data["type"]) if data.get("type") else None,
            account=data.get("account"),
            supplier=data.get("supplier"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _page(organisation: Organisation, filters: problems.Filters, number):
    """One page of the list with each row's total and failure count, its states judged
    against the live connection first (as the Sync grid does, sync_support.grid_page)."""
    rows = problems.problems(organisation, filters).select_related(
        "account", "supplier", "care_of", "sync_state"
    )
    page = Paginator(rows, PROBLEMS_PAGE_SIZE).get_page(number)
    if assess.heal(organisation, list(page.object_list)):
        page = Paginator(rows, PROBLEMS_PAGE_SIZE).get_page(number)
    shown = list(page.object_list)
    add_totals(shown)
    failed = problems.failures(shown)
    marks = problems.open_marks(shown)
    for row in shown:
        row.failed_count = failed.get(row.pk, 0)
        row.mark = marks.get(row.pk)
    page.object_list = shown
    return page, problems.counts(rows)


def _groups(page, counts: dict[str, int]) -> list[dict]:
    """The page's rows under a heading per status code: the code's name, how many documents
    have it in the whole list (not just this page) and what to do about it."""
    return [
        {
            "code": code,
            "label": StatusCode(code).label,
            "count": counts.get(code, 0),
            "remedy": REMEDIES.get(StatusCode(code), ""),
            "rows": list(rows),
        }
        for code, rows in groupby(page.object_list, key=lambda d: d.sync_state.status_code)
    ]


@login_required
@require_GET
def problems_page(request) -> HttpResponse:
    require(request, Perm.VIEW_SYNC)
    organisation = organisation_of(request)
    form = ProblemFilterForm(organisation, request.GET)
    context: dict = {"form": form}
    status = 200
    if form.is_valid():
        page, counts = _page(organisation, form.filters(), request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            bulk_kinds=[
                (kind.value, kind.label)
                for kind in BulkKind
                if request.user.has_perm(bulk.PERMISSION[kind])
            ],
            carried_filters=[
                (name, request.GET[name]) for name in FILTER_NAMES if request.GET.get(name)
            ],
            groups=_groups(page, counts),
            counts=[(code, StatusCode(code).label, n) for code, n in counts.items()],
            query=query.urlencode(),
        )
    else:
        context["bad_filter"] = BAD_FILTER
        status = 400
    return render(request, "web/problems.html", context, status=status)


# -- bulk actions ------------------------------------------------------------------------------

NOTHING_CHOSEN = "Tick the documents to act on, or choose every document in the list."


def _selection(request, organisation: Organisation):
    """The documents a bulk form names: the ticked ones, every one in the filtered list, or
    every one of a status code's group (``scope``); the filters ride along as hidden fields."""
    form = ProblemFilterForm(organisation, request.POST)
    if not form.is_valid():
        raise bulk.BulkError(BAD_FILTER)
    scope = request.POST.get("scope", "chosen")
    ids = None
    code = ""
    if scope == "chosen":
        try:
            ids = [int(pk) for pk in request.POST.getlist("document")]
        except ValueError:
            raise bulk.BulkError(NOTHING_CHOSEN) from None
        if not ids:
            raise bulk.BulkError(NOTHING_CHOSEN)
    elif scope.startswith("group:"):
        code = scope.removeprefix("group:")
        if code not in StatusCode.values:
            raise bulk.BulkError(NOTHING_CHOSEN)
    elif scope != "all":
        raise bulk.BulkError(NOTHING_CHOSEN)
    documents = problems.chosen(
        organisation, form.filters(), ids=ids, code=code, limit=bulk.MAX_DOCUMENTS
    )
    return documents, form


def _kind(request) -> BulkKind:
    kind = bulk.kind_of(request.POST.get("action", ""))
    require(request, bulk.PERMISSION[kind])
    return kind


def _refused(request, message: str) -> HttpResponse:
    return render(request, "web/bulk_preview.html", {"error": message}, status=400)


@login_required
@require_POST
def bulk_preview(request) -> HttpResponse:
    """What the chosen action would do to each chosen document (or its account), with a
    Confirm button carrying a fresh key: confirming twice makes one action."""
    require(request, Perm.VIEW_SYNC)
    organisation = organisation_of(request)
    try:
        kind = _kind(request)
        documents, form = _selection(request, organisation)
        plan = bulk.preview(organisation, kind, documents)
    except bulk.BulkError as exc:
        return _refused(request, str(exc))
    carried = [
        (name, value) for name in ("scope", *FILTER_NAMES) for value in request.POST.getlist(name)
    ] + [("document", str(d.pk)) for d in documents if request.POST.get("scope") == "chosen"]
    return render(
        request,
        "web/bulk_preview.html",
        {"plan": plan, "kind": kind, "carried": carried, "token": bulk.new_token()},
    )


@login_required
@require_POST
def bulk_start(request) -> HttpResponse:
    require(request, Perm.VIEW_SYNC)
    organisation = organisation_of(request)
    try:
        kind = _kind(request)
        documents, _ = _selection(request, organisation)
        action, _ = bulk.request(
            organisation, kind, documents, token=request.POST.get("token", ""), user=request.user
        )
    except bulk.BulkError as exc:
        return _refused(request, str(exc))
    return redirect("sync-bulk", pk=action.pk)


BULK_ITEMS_SHOWN = 1000


@login_required
@require_GET
def bulk_progress(request, pk: int) -> HttpResponse:
    """An action's progress and each item's outcome; polled every second while it works."""
    require(request, Perm.VIEW_SYNC)
    action = get_object_or_404(
        BulkAction.objects.for_org(organisation_of(request)).select_related("created_by"), pk=pk
    )
    items = action.items.select_related("document", "account", "supplier")
    context = {
        "action": action,
        "sentence": bulk.progress_sentence(action),
        "items": items[:BULK_ITEMS_SHOWN],
        "more": max(0, action.total - BULK_ITEMS_SHOWN),
        "percent": int(100 * action.done / action.total) if action.total else 100,
    }
    template = "web/bulk_progress.html#progress" if request.htmx else "web/bulk_progress.html"
    return render(request, template, context)


RESOLVED_DAYS = 30


@login_required
@require_GET
def resolved_page(request) -> HttpResponse:
    """Problems resolved in the last RESOLVED_DAYS days: which, when, by whom, and how often
    each had come."""
    require(request, Perm.VIEW_SYNC)
    organisation = organisation_of(request)
    since = timezone.now() - dt.timedelta(days=RESOLVED_DAYS)
    page = Paginator(problems.resolved(organisation, since), PROBLEMS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/problems_resolved.html", {"page": page, "days": RESOLVED_DAYS})
