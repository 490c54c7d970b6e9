"""`ledgersync sync` (a run with a progress bar and a summary), `ledgersync status`, and
`ledgersync void` (a synced document voided in the package: 0 voided, 1 refused, 2 bad
arguments).

Exit codes of `sync`: 0 everything marked for sync has synced; 1 documents are left with
status codes (the table says why; also when nothing was ready to send); 2 the run could not
start (not connected, a run already going, bad arguments); 3 the run itself failed.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time

from ledgersync.commands.common import CommandError, organisation, run_command, table
from ledgersync.sync.status import failure_for

BAR_WIDTH = 30
sleep = time.sleep  # tests replace it


def _doc_types(value: str | None):
    from ledgersync.records.models import DocType

    if not value:
        return list(DocType)
    try:
        return [DocType.from_slug(value)]
    except ValueError:
        names = ", ".join(t.slug for t in DocType)
        raise CommandError(f"--type must be one of {names}, not {value!r}") from None


def _progress(run, total: int, out) -> None:
    done = run.synced_count + run.failed_count
    total = max(total, done, 1)
    filled = int(BAR_WIDTH * min(done, total) / total)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    line = (
        f"[{bar}] {done}/{total}  synced {run.synced_count}  failed {run.failed_count}  {run.state}"
    )
    if out.isatty():
        print(f"\r{line}", end="", file=out, flush=True)
    else:
        print(line, file=out, flush=True)


def work(run, *, out=None):
    """Work a run in this process with the engine's runner, drawing progress after every
    step. An Auto Sync finishes once nothing is left for it to do (in the web app it would
    keep watching for newly marked documents until its time limit)."""
    from ledgersync.sync import engine

    out = out or sys.stdout
    total = run.left_count if run.auto else min(run.left_count, run.organisation.batch_size)
    run = engine.run_until_done(
        run,
        sleep=lambda seconds: sleep(seconds),  # looked up per call: tests replace it
        on_step=lambda current: _progress(current, total, out),
        max_steps=None,
    )
    if out.isatty():
        print(file=out)
    return run


@contextlib.contextmanager
def _quiet(verbose: bool):
    """Every HTTP call is logged at INFO; beside a progress bar that is noise."""
    loggers = [logging.getLogger(name) for name in ("ledgersync.providers", "huey")]
    levels = [logger.level for logger in loggers]
    if not verbose:
        for logger in loggers:
            logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def cmd_sync(args) -> int:
    with _quiet(args.verbose):
        return _sync(args)


def _sync(args) -> int:
    from ledgersync.sync import connections, engine
    from ledgersync.sync.models import Trigger

    org = organisation(args.org)
    runs: list = []
    waiting: list = []
    for doc_type in _doc_types(args.type):
        try:
            run = engine.start_run(org, doc_type, auto=args.auto, trigger=Trigger.CLI)
        except connections.NotConnected as exc:
            name = connections.provider_name(org)
            raise CommandError(f"{org.name}: {failure_for(exc, name).message}") from None
        except engine.RunInProgress as exc:
            raise CommandError(
                f"a sync is already running (run {exc.run.pk}); wait for it or stop it"
            ) from None
        except engine.NothingReady as exc:
            print(f"Sync of {doc_type.label}s: {exc.sentence}")
            waiting.append(doc_type)
            continue
        marked = engine.queue(org, doc_type).count()
        held = f", {marked - run.left_count} waiting for a fix" if marked > run.left_count else ""
        print(
            f"{'Auto Sync' if args.auto else 'Sync'} of {doc_type.label}s (run {run.pk}): "
            f"{marked} marked for sync{held}"
        )
        try:
            runs.append(work(run))
        except Exception as exc:  # the engine has marked the run failed; say so, not a traceback
            print(f"ledgersync sync: run {run.pk} failed: {type(exc).__name__}", file=sys.stderr)
            return 3
    return _summary(org, runs, waiting)


def _summary(org, runs, waiting=()) -> int:
    """The runs' table and every document left with a status code (of the types run, and of
    those where nothing was ready); the exit status."""
    from ledgersync.records.models import DocType
    from ledgersync.sync import engine
    from ledgersync.sync.models import RunState

    if runs:
        print()
        table(
            ["type", "synced", "failed", "left", "state", "message"],
            [
                [
                    DocType(r.doc_type).label,
                    r.synced_count,
                    r.failed_count,
                    r.left_count,
                    r.state,
                    r.message,
                ]
                for r in runs
            ],
        )
    stuck = []
    for doc_type in [DocType(r.doc_type) for r in runs] + list(waiting):
        for document in engine.queue(org, doc_type).select_related("sync_state"):
            state = getattr(document, "sync_state", None)
            if state is not None and state.status_code:
                stuck.append([document.number, state.status_code, state.message])
    if stuck:
        print(f"\n{len(stuck)} document(s) left with status codes:")
        table(["number", "status", "why"], stuck)
    if any(r.state == RunState.FAILED for r in runs):
        return 3
    return 1 if stuck else 0


def cmd_status(args) -> int:
    from ledgersync.records.models import DocType
    from ledgersync.sync import assess, connections, payments
    from ledgersync.sync.models import LIVE_RUN_STATES, SyncRun

    org = organisation(args.org)
    connection = connections.live_connection(org)
    print(f"Organisation: {org.name} ({org.slug})")
    if connection is None:
        print(f"Connection:   not connected ({org.get_provider_display()})")
    else:
        detail = f" - {connection.status_detail}" if connection.status_detail else ""
        company = connection.company_name or connection.company_id
        print(
            f"Connection:   {connection.get_provider_display()} company {company}: "
            f"{connection.get_status_display().lower()}{detail}"
        )
        pulled = payments.pull_sentence(connection)
        if pulled:
            print(f"Payments:     {pulled}")
    for run in SyncRun.objects.for_org(org).filter(state__in=LIVE_RUN_STATES):
        kind = "Auto Sync" if run.auto else "Sync"
        print(
            f"Running:      run {run.pk} ({kind} of {DocType(run.doc_type).label}s), "
            f"{run.synced_count} synced so far"
        )
    rows = []
    for doc_type in DocType:
        counts = assess.queue_counts(org, doc_type)
        if not counts:
            rows.append([doc_type.label, "-", 0])
        for code, count in sorted(counts.items()):
            rows.append([doc_type.label, code, count])
    print("\nMarked for sync, not yet synced:")
    table(["type", "status", "documents"], rows)
    owed = _still_owed(org)
    if owed:
        print("\nSynced, with money still owed in the package:")
        table(["number", "paid", "payments"], owed)
    return 0


def _still_owed(org) -> list[list[str]]:
    """Each synced document the package says is unpaid or part paid, oldest number first."""
    from ledgersync.records.formats import money
    from ledgersync.records.models import Document
    from ledgersync.sync import paid

    documents = paid.filter_documents(
        Document.objects.for_org(org).select_related("paid", "sync_state"), "unpaid"
    ).order_by("doc_type", "number")
    rows = []
    for document in documents.prefetch_related("paid__payments"):
        balance = paid.balance_of(document)
        if balance is None:
            continue
        paid_list = ", ".join(
            f"{p.paid_on:%d/%m/%Y} {p.reference or '-'} {money(p.amount, document.currency)}"
            for p in balance.payments.all()
        )
        rows.append([document.number, paid.describe(balance, document.currency), paid_list or "-"])
    return rows


def cmd_void(args) -> int:
    from ledgersync.records.models import Document
    from ledgersync.sync import voiding

    org = organisation(args.org)
    doc_type = _doc_types(args.type)[0]
    found = Document.objects.for_org(org).filter(doc_type=doc_type, number=args.number)
    if args.supplier:
        found = found.filter(supplier__number=args.supplier)
    documents = list(found[:2])
    if not documents:
        raise CommandError(f"No {doc_type.label.lower()} numbered {args.number!r} in {org.slug}")
    if len(documents) > 1:
        raise CommandError(
            f"Several suppliers have an invoice numbered {args.number!r}: give --supplier"
        )
    try:
        state = voiding.void(documents[0])
    except voiding.VoidRefused as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"{documents[0]}: {state.message}.")
    return 0


def register(sub) -> None:
    sync = sub.add_parser("sync", help="sync marked documents now, with a progress bar")
    sync.add_argument("--org", required=True, help="organisation slug")
    sync.add_argument(
        "--type", help="sales-invoice, sales-credit-note or supplier-invoice (default: all)"
    )
    sync.add_argument(
        "--auto", action="store_true", help="Auto Sync: batches until nothing is left"
    )
    sync.add_argument("--verbose", "-v", action="store_true", help="log every call to the package")
    sync.set_defaults(func=lambda args: run_command(cmd_sync, args))

    status = sub.add_parser("status", help="the connection and the sync queues by status code")
    status.add_argument("--org", required=True, help="organisation slug")
    status.set_defaults(func=lambda args: run_command(cmd_status, args))

    void = sub.add_parser("void", help="void a synced document in the accounting package")
    void.add_argument("--org", required=True, help="organisation slug")
    void.add_argument(
        "--type", required=True, help="sales-invoice, sales-credit-note or supplier-invoice"
    )
    void.add_argument("--supplier", help="the supplier's number, for a supplier invoice")
    void.add_argument("number", help="the document's number")
    void.set_defaults(func=lambda args: run_command(cmd_void, args))
