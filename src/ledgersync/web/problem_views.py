"""Needs attention (issue #18's error centre): every queued document that cannot sync, across
the three types, grouped by status code with counts, oldest first, filterable by type,
account, supplier and date. The list itself is sync/problems.py's; this module reads the
filter form and shows one page of it. Needs VIEW_SYNC, like the Sync pages.
"""

from __future__ import annotations

from itertools import groupby

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ledgersync.records.models import Account, DocType, Organisation, Perm, Supplier
from ledgersync.sync import assess, problems
from ledgersync.sync.status import REMEDIES, StatusCode
from ledgersync.web.access import organisation_of, require
from ledgersync.web.sync_support import MENU_LABELS, add_totals

PROBLEMS_PAGE_SIZE = 50
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
    for row in shown:
        row.failed_count = failed.get(row.pk, 0)
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
            groups=_groups(page, counts),
            counts=[(code, StatusCode(code).label, n) for code, n in counts.items()],
            query=query.urlencode(),
        )
    else:
        context["bad_filter"] = BAD_FILTER
        status = 400
    return render(request, "web/problems.html", context, status=status)
