"""What the Sync page shows, read in as few queries as the page needs.

The grid is paged (GRID_PAGE_SIZE rows) so 10,000 queued documents cost one COUNT, one
page of rows and one totals aggregate over that page, never a scan of every line. A row
whose status was judged against another connection (or never judged) is judged again
before it is shown (sync/assess.py ``heal``), from the package's data already read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from ledgersync.providers.base import Connector
from ledgersync.records.models import DocType, Line, Organisation
from ledgersync.records.money import ZERO, to_money
from ledgersync.sync import assess, connections, engine, queues, reference
from ledgersync.sync.models import (
    LIVE_RUN_STATES,
    Connection,
    ConnectionStatus,
    FetchState,
    SyncRun,
)
from ledgersync.sync.status import READING_NOW, data_age, failure_for
from ledgersync.web.access import organisation_of

GRID_PAGE_SIZE = 50

# The Sync page's left menu: the guide's words for each type, in its order.
MENU_LABELS = {
    DocType.SALES_INVOICE: "Sales Invoices",
    DocType.SALES_CREDIT_NOTE: "Sales Credit Notes",
    DocType.SUPPLIER_INVOICE: "Supplier Invoices",
}


def doc_type_from_slug(slug: str) -> DocType:
    try:
        return DocType.from_slug(slug)
    except ValueError:
        raise Http404(f"No document type {slug!r}") from None


def type_menu(organisation: Organisation, current: DocType) -> list[dict]:
    return [
        {
            "slug": doc_type.slug,
            "label": label,
            "current": doc_type == current,
            "count": engine.queue(organisation, doc_type).count(),
        }
        for doc_type, label in MENU_LABELS.items()
    ]


def grid_page(organisation: Organisation, doc_type: DocType, number) -> Page:
    """One page of the queue with each row's gross total on ``row.total``."""
    documents = engine.queue(organisation, doc_type).select_related(
        "account", "supplier", "care_of", "sync_state"
    )
    page = Paginator(documents, GRID_PAGE_SIZE).get_page(number)
    rows = list(page.object_list)
    if assess.heal(organisation, rows):
        rows = list(documents[page.start_index() - 1 : page.end_index()])
    add_totals(rows)
    page.object_list = rows
    return page


def add_totals(rows: list) -> None:
    """Each row's gross total on ``row.total``, in one aggregate over those rows' lines
    (never a scan of every line)."""
    totals = {
        item["document_id"]: to_money((item["net"] or ZERO) + (item["tax"] or ZERO))
        for item in Line.objects.filter(document__in=[d.pk for d in rows])
        .values("document_id")
        .annotate(net=Sum("net"), tax=Sum("tax"))
    }
    for row in rows:
        row.total = totals.get(row.pk, ZERO)


def open_connector(connection: Connection | None) -> Connector:
    """A connector for a web request; raises NotConnected, AuthError or ProviderError."""
    if connection is None:
        raise connections.NotConnected("Not connected")
    return connections.connector_for_connection(connection)


@dataclass(frozen=True)
class Package:
    """A request's organisation, its live connection (or None) and the package's name."""

    organisation: Organisation
    connection: Connection | None
    name: str

    @classmethod
    def of(cls, request) -> Package:
        organisation = organisation_of(request)
        connection = connections.live_connection(organisation)
        return cls(organisation, connection, connections.provider_name(organisation, connection))

    def problem(self, exc: Exception) -> str:
        """The words for trouble reaching the package (status.py's, never a token)."""
        return failure_for(exc, self.name).message


@dataclass(frozen=True)
class Progress:
    """A run as the progress bar shows it."""

    run: SyncRun
    done: int
    failed: int
    left: int
    time_left: dt.timedelta | None

    @classmethod
    def of(cls, run: SyncRun, now: dt.datetime | None = None) -> Progress:
        now = now or timezone.now()
        handled = run.synced_count + run.failed_count
        time_left = None
        if run.is_live:
            estimate = None
            if run.started_at and handled:
                per_document = (now - run.started_at) / handled
                estimate = per_document * run.left_count
            limit = run.deadline - now if run.deadline else None
            candidates = [t for t in (estimate, limit) if t is not None]
            time_left = max(min(candidates), dt.timedelta(0)) if candidates else None
        return cls(run, run.synced_count, run.failed_count, run.left_count, time_left)

    @property
    def total(self) -> int:
        return self.done + self.failed + self.left

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if not self.run.is_live else 0
        return int(Decimal(100) * (self.done + self.failed) / self.total)

    @property
    def waiting(self) -> bool:
        """An Auto Sync with nothing left, watching for new documents (its message says
        until when) rather than counting down."""
        return self.run.is_live and self.run.auto and not self.left and bool(self.run.message)

    @property
    def stalled(self) -> str:
        return engine.stalled_sentence(self.run)

    @property
    def handled(self) -> int:
        return self.done + self.failed

    @property
    def time_left_text(self) -> str:
        if self.time_left is None:
            return "working it out" if self.run.is_live else ""
        seconds = int(self.time_left.total_seconds())
        return f"{seconds // 60}:{seconds % 60:02d}"


def latest_run(organisation: Organisation, doc_type: DocType) -> SyncRun | None:
    """The live run of the organisation if any, else the last run of this type."""
    live = SyncRun.objects.for_org(organisation).filter(state__in=LIVE_RUN_STATES).first()
    if live is not None:
        return live
    return SyncRun.objects.for_org(organisation).filter(doc_type=doc_type).first()


def first_fix(
    organisation: Organisation,
    doc_type: DocType,
    connection: Connection | None,
    run: SyncRun | None = None,
) -> queues.NothingReady | None:
    """What to fix first when nothing queued is ready to sync (while connected and no run
    is working), else None."""
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        return None
    if run is not None and run.is_live:
        return None
    return queues.nothing_ready(organisation, doc_type, connection)


def readiness(
    organisation: Organisation, doc_type: DocType, connection: Connection | None
) -> queues.Readiness | None:
    """How many queued documents Sync may send now and how many wait for a fix."""
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        return None
    return queues.Readiness.of(organisation, doc_type, connection)


@dataclass(frozen=True)
class PackageData:
    """What the Sync page says about the package's data behind the grid's status codes:
    how old it is, whether it is being read now ("" if not), and the last read's trouble."""

    age: str
    reading: str
    problem: str

    @classmethod
    def of(cls, connection: Connection | None, now: dt.datetime | None = None):
        """None unless connected (a refused connection has its own panel)."""
        if connection is None or connection.status != ConnectionStatus.CONNECTED:
            return None
        now = now or timezone.now()
        cache = reference.cache_of(connection)
        name = connection.get_provider_display()
        failed = cache is not None and cache.state == FetchState.FAILED
        return cls(
            age=data_age(name, cache.fetched_at if cache else None, now),
            reading=READING_NOW.format(provider=name) if reference.is_reading(cache, now) else "",
            problem=cache.error if cache is not None and failed else "",
        )
