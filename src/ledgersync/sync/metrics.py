"""What ``GET /metrics`` exposes to Prometheus, read from the database at scrape time.

One custom collector on its own registry (not prometheus_client's global one, so nothing
else a library registers leaks out): a few aggregate queries per scrape, none per document.

========================================  =====  =============================================
metric                                    type   labels
========================================  =====  =============================================
ledgersync_documents                    gauge  provider, doc_type, status_code
ledgersync_push_attempts_total          count  provider, state, status_code
ledgersync_api_calls_total              count  provider (calls sync runs made)
ledgersync_rate_limit_waits_total       count  provider (429s sync runs waited out)
ledgersync_rate_limit_wait_seconds_total  count  provider
ledgersync_sync_runs                    gauge  provider, state
ledgersync_sync_run_duration_seconds    hist.  provider (finished runs, start to finish)
ledgersync_connections                  gauge  provider, status
ledgersync_queue_up                     gauge  (1 when the queue answers, else 0)
ledgersync_queue_pending_tasks          gauge  (only while the queue answers)
========================================  =====  =============================================

Rate-limit waits are counted on each run (``SyncRun.rate_limit_waits`` and ``_seconds``):
the short ones the HTTP client sleeps through and the longer ones the run waits out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from ledgersync.records.models import Document
from ledgersync.sync.models import Attempt, Connection, SyncRun
from ledgersync.sync.status import NOT_CHECKED

# A document judged under no live connection has no provider; Prometheus labels need a value.
NONE = "none"
# Sync run durations, in seconds: a Sync press takes seconds, Auto Sync up to its limit.
RUN_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 1200.0, 3600.0)


def _documents() -> Metric:
    family = GaugeMetricFamily(
        "ledgersync_documents",
        "Documents by the provider they were last judged against, type and status code "
        "(SYNCED once in the package; NOT_CHECKED before any check).",
        labels=["provider", "doc_type", "status_code"],
    )
    rows = (
        Document.objects.values("sync_state__provider", "doc_type", "sync_state__status_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        family.add_metric(
            [
                row["sync_state__provider"] or NONE,
                row["doc_type"],
                row["sync_state__status_code"] or NOT_CHECKED,
            ],
            row["n"],
        )
    return family


def _attempts() -> Metric:
    family = CounterMetricFamily(
        "ledgersync_push_attempts",
        "Pushes of a document to a provider (the audit log of sends), by outcome and status "
        "code; RATE_LIMITED ones waited for the provider's rate limit.",
        labels=["provider", "state", "status_code"],
    )
    rows = Attempt.objects.values("provider", "state", "status_code").annotate(n=Count("pk"))
    for row in rows.order_by():
        family.add_metric([row["provider"], row["state"], row["status_code"] or NONE], row["n"])
    return family


def _runs() -> Iterator[Metric]:
    runs = GaugeMetricFamily(
        "ledgersync_sync_runs", "Sync runs by provider and state.", labels=["provider", "state"]
    )
    calls = CounterMetricFamily(
        "ledgersync_api_calls",
        "Calls to the provider's API made by sync runs (reference reads and pushes).",
        labels=["provider"],
    )
    waits = CounterMetricFamily(
        "ledgersync_rate_limit_waits",
        "Times sync runs waited for the provider's rate limit (a 429 and its Retry-After).",
        labels=["provider"],
    )
    waited = CounterMetricFamily(
        "ledgersync_rate_limit_wait_seconds",
        "Seconds sync runs spent waiting for the provider's rate limit.",
        labels=["provider"],
    )
    per_provider: dict[str, list[float]] = {}
    rows = SyncRun.objects.values("connection__provider", "state").annotate(
        n=Count("pk"),
        calls=Sum("api_calls"),
        waits=Sum("rate_limit_waits"),
        waited=Sum("rate_limit_seconds"),
    )
    for row in rows.order_by():
        provider = row["connection__provider"]
        runs.add_metric([provider, row["state"]], row["n"])
        totals = per_provider.setdefault(provider, [0, 0, 0.0])
        totals[0] += row["calls"] or 0
        totals[1] += row["waits"] or 0
        totals[2] += row["waited"] or 0.0
    for provider, (total, count, seconds) in sorted(per_provider.items()):
        calls.add_metric([provider], total)
        waits.add_metric([provider], count)
        waited.add_metric([provider], seconds)
    yield runs
    yield calls
    yield waits
    yield waited


def _durations() -> Metric:
    family = HistogramMetricFamily(
        "ledgersync_sync_run_duration_seconds",
        "How long finished sync runs took, from starting to finishing.",
        labels=["provider"],
    )
    took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    buckets = {
        f"le_{i}": Count("pk", filter=Q(took__lte=dt.timedelta(seconds=bound)))
        for i, bound in enumerate(RUN_BUCKETS)
    }
    rows = (
        SyncRun.objects.filter(started_at__isnull=False, finished_at__isnull=False)
        .annotate(took=took)
        .values("connection__provider")
        .annotate(n=Count("pk"), total=Sum("took"), **buckets)
        .order_by()
    )
    for row in rows:
        cumulative = [(str(bound), row[f"le_{i}"]) for i, bound in enumerate(RUN_BUCKETS)]
        total = row["total"] or dt.timedelta(0)
        family.add_metric(
            [row["connection__provider"]],
            [*cumulative, ("+Inf", row["n"])],
            sum_value=total.total_seconds(),
        )
    return family


def _connections() -> Metric:
    family = GaugeMetricFamily(
        "ledgersync_connections",
        "Connections to a provider by status (CONNECTED, RELINK_NEEDED, ...).",
        labels=["provider", "status"],
    )
    rows = Connection.objects.values("provider", "status").annotate(n=Count("pk")).order_by()
    for row in rows:
        family.add_metric([row["provider"], row["status"]], row["n"])
    return family


def _queue() -> Iterator[Metric]:
    from huey.contrib.djhuey import HUEY

    up = GaugeMetricFamily(
        "ledgersync_queue_up", "1 when the task queue answers, 0 when it cannot be reached."
    )
    try:
        pending = HUEY.pending_count()
    except Exception:  # any failure of the queue's storage means "down", not a failed scrape
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    yield up
    yield GaugeMetricFamily(
        "ledgersync_queue_pending_tasks",
        "Tasks waiting in the queue for a worker (sync steps, alerts, schedules).",
        value=pending,
    )


class LedgersyncCollector(Collector):
    """Reads every figure afresh from the database on each scrape. A database error is
    raised, not swallowed: /metrics then answers 503 through the outage middleware."""

    def collect(self) -> Iterator[Metric]:
        yield _documents()
        yield _attempts()
        yield from _runs()
        yield _durations()
        yield _connections()
        yield from _queue()


REGISTRY = CollectorRegistry()
REGISTRY.register(LedgersyncCollector())
