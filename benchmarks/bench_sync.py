"""How many API calls, and how long, a sync takes per document, against a sandbox.

    python benchmarks/bench_sync.py --provider quickbooks --documents 500

Runs in a temporary SQLite database with the provider's sandbox on a loopback socket, links
one customer, marks N invoices for sync, runs one Auto Sync to the end in this process and
prints a JSON line of figures (the numbers reported in docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", default="quickbooks")
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=30)
    parser.add_argument("--latency-ms", type=int, default=0, help="sandbox latency per request")
    parser.add_argument(
        "--clock-speed",
        type=float,
        default=60.0,
        help="sandbox minutes pass this many times faster (rate-limit windows)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database to use (emptied first); SQLite in a temporary file if not",
    )
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="ledgersync-bench-")
    os.environ.update(
        {
            "LEDGERSYNC_VAR_DIR": workdir,
            "DATABASE_URL": args.database_url,
            "LEDGERSYNC_QUEUE_URL": "",
            "LEDGERSYNC_LOG_LEVEL": "WARNING",
        }
    )
    from ledgersync.sandbox import start_server

    server = start_server(args.provider)
    os.environ[f"{args.provider.upper()}_SANDBOX_URL"] = server.url
    # The connector's own pacing (Sage) and rate-limit waits (Xero) keep to the same clock.
    os.environ[f"{args.provider.upper()}_SANDBOX_CLOCK_SPEED"] = str(args.clock_speed)
    import httpx

    httpx.put(
        f"{server.url}/_sandbox/limits",
        json={"latency_ms": args.latency_ms, "clock_speed": args.clock_speed},
    ).raise_for_status()
    from ledgersync.commands.common import setup_django

    setup_django()
    from django.core.management import call_command

    if args.database_url:
        _empty(args.database_url)
    call_command("migrate", verbosity=0)
    figures = run(server, args)
    # What the package answered, from the sandbox's own request log (its last 5,000 calls).
    log = httpx.get(f"{server.url}/_sandbox/requests", timeout=300).json()
    figures["answers_401"] = sum(1 for entry in log if entry.get("status") == 401)
    figures["answers_429"] = sum(1 for entry in log if entry.get("status") == 429)
    server.stop()
    print(json.dumps(figures))
    return 0


def _empty(url: str) -> None:
    """A PostgreSQL database as new: every table of an earlier run dropped."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def _rates(organisation) -> dict:
    """Documents a second over the first and the last thousand synced (by when each was
    written SYNCED): a run whose cost per batch grows shows it as a falling rate."""
    from ledgersync.sync.models import DocumentState

    times = list(
        DocumentState.objects.filter(document__organisation=organisation, synced_at__isnull=False)
        .order_by("synced_at")
        .values_list("synced_at", flat=True)
    )
    span = min(1000, len(times) // 2)
    if span < 2:
        return {}

    def rate(window) -> float:
        seconds = (window[-1] - window[0]).total_seconds()
        return round((len(window) - 1) / seconds, 1) if seconds > 0 else 0.0

    return {
        "first_thousand_per_second": rate(times[:span]),
        "last_thousand_per_second": rate(times[-span:]),
    }


def run(server, args) -> dict:
    import datetime as dt

    from django.utils import timezone

    from ledgersync.records.demo_data import seed_demo
    from ledgersync.records.models import Account, DocType, Document, Line, NominalCode
    from ledgersync.sync import engine, linking
    from ledgersync.sync.connections import connector_for_connection
    from ledgersync.sync.models import Connection, ConnectionStatus

    organisation = seed_demo()
    organisation.provider = args.provider
    organisation.batch_size = args.batch_size
    organisation.auto_sync_minutes = 24 * 60  # the whole queue is measured, not the time limit
    organisation.save()
    Document.objects.filter(organisation=organisation).update(marked_for_sync=False)
    import httpx

    tokens = httpx.post(f"{server.url}/_sandbox/tokens", json={}).json()
    connection = Connection.objects.create(
        organisation=organisation,
        provider=args.provider,
        company_id=tokens["company_id"],
        status=ConnectionStatus.CONNECTED,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        access_expires_at=timezone.now()
        + dt.timedelta(seconds=int(tokens.get("expires_in", 1800))),
        refreshed_at=timezone.now(),
    )
    harbour = Account.objects.get(organisation=organisation, number="A1001")
    connector = connector_for_connection(connection)
    match = linking.suggestions(connector, harbour).exact
    linking.link_existing(connection, connector, harbour, match.contact.id)

    labour = NominalCode.objects.get(organisation=organisation, code="4000")
    now = timezone.now()
    documents = Document.objects.bulk_create(
        Document(
            organisation=organisation,
            doc_type=DocType.SALES_INVOICE,
            number=f"B{n:06d}",
            account=harbour,
            issue_date=now.date(),
            sent_at=now,
            sent_via="email",
            marked_for_sync=True,
            marked_at=now,
        )
        for n in range(args.documents)
    )
    for document in documents:
        for position in (1, 2):
            Line(
                document=document,
                position=position,
                text=f"Work item {position}",
                quantity=Decimal(2),
                unit_price=Decimal("12.50"),
                nominal=labour,
                tax_code=labour.default_tax_code,
            ).save()

    started = time.perf_counter()
    run = engine.start_run(organisation, DocType.SALES_INVOICE, auto=True)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        # The engine waits as the package asks; the sandbox clock runs clock_speed times
        # faster, so the same wait passes in 1/clock_speed of the time here.
        waits.append(seconds)
        time.sleep(seconds / args.clock_speed)

    run = engine.run_until_done(run, sleep=sleep, max_steps=10_000)
    elapsed = time.perf_counter() - started
    return {
        "database": "postgresql" if args.database_url else "sqlite",
        "provider": args.provider,
        "documents": args.documents,
        "batch_size": args.batch_size,
        "latency_ms": args.latency_ms,
        "synced": run.synced_count,
        "api_calls": run.api_calls,
        "api_calls_per_document": round(run.api_calls / max(1, run.synced_count), 3),
        "seconds": round(elapsed, 2),
        "documents_per_second": round(run.synced_count / elapsed, 1),
        "waits": len(waits),
        "waited_provider_seconds": round(sum(waits), 1),
        "rate_limit_waits": run.rate_limit_waits,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **_rates(organisation),
    }


if __name__ == "__main__":
    sys.exit(main())
