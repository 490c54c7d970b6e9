"""Soak: exactly once under faults, kill -9, edits during pushes and concurrent refreshes.

    python benchmarks/soak.py --documents 600 --minutes 12 --kill-every 30

The production pieces on loopback: PostgreSQL (its own database, dropped and created), one
`ledgersync sandbox <slug>` process per provider, two `ledgersync worker` processes on a
Redis queue, one organisation per provider connected through /_sandbox/tokens. Faults are
injected by probability (about 10 % in all, spread over the kinds), a worker is killed with
SIGKILL every K seconds and restarted, documents are edited while they are in flight (the
edit must be refused or end up in the package) and another process forces token refreshes.
At the end it counts from each sandbox's own books (soak_books.py), prints a table and a
JSON line, and exits 1 if any of the four counts is above 0. Every process it starts is
stopped on the way out, also on Ctrl-C or an error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import soak_books  # noqa: E402
import soak_setup  # noqa: E402

PROVIDERS = ("quickbooks", "xero", "sage")
FAULT_KINDS = ("late_write", "drop_after_write", "error_after_write", "slow", "rate_limit")
SLOW_SECONDS = 3.0
LATE_SECONDS = 35.0  # past the client's 30 s timeout, so the write lands after "no answer"
MAX_RUNS_PER_TYPE = 30
# A killed worker's lease runs 5 minutes; a run not renewed for this long after a kill is
# taken to be the dead worker's and its lease is lapsed (what the revive task does later).
STALE_LEASE_SECONDS = 20
REFRESHER = """
import json, sys, time
from ledgersync.commands.common import setup_django
setup_django()
from ledgersync.sync.connections import refresh_if_due
from ledgersync.sync.models import Connection
done = {"refreshes": 0, "refused": 0}
deadline = time.monotonic() + float(sys.argv[1])
for _ in range(10_000):
    if time.monotonic() > deadline:
        break
    for connection in Connection.objects.all():
        try:
            refresh_if_due(connection, force=True)
            done["refreshes"] += 1
        except Exception:
            done["refused"] += 1
    print(json.dumps(done), flush=True)
    time.sleep(float(sys.argv[2]))
"""


class Processes:
    """Every process the soak starts, so all of them are stopped however it ends."""

    def __init__(self, env: dict[str, str], logdir: str) -> None:
        self.env, self.logdir, self.running = env, logdir, {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(os.path.join(self.logdir, f"{name}.log"), "ab")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603 (argv is built here, never from input)
            argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.kill()  # SIGKILL: no cleanup of any kind
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.running.clear()


COUNTING_LIMITS = {"per_minute": 100_000, "per_day": 1_000_000}


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workdir = tempfile.mkdtemp(prefix="ledgersync-soak-")
    chosen = _free_ports(3) if args.base_port == 0 else [args.base_port + i for i in range(3)]
    ports = dict(zip(PROVIDERS, chosen, strict=True))
    urls = {slug: f"http://127.0.0.1:{port}" for slug, port in ports.items()}
    env = {
        **os.environ,
        "LEDGERSYNC_VAR_DIR": workdir,
        "DATABASE_URL": args.database,
        "LEDGERSYNC_QUEUE_URL": args.queue,
        "LEDGERSYNC_LOG_LEVEL": "WARNING",
        **{f"{slug.upper()}_SANDBOX_URL": url for slug, url in urls.items()},
    }
    os.environ.update(env)
    processes = Processes(env, workdir)
    try:
        figures = _soak(args, processes, urls, ports)
    finally:
        processes.stop_all()
    print(json.dumps(figures))
    bad = sum(figures["counts"][k] for k in ("duplicates", "lost", "silent_divergences"))
    return 1 if bad + figures["counts"]["false_relinks"] else 0


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100, help="per provider")
    parser.add_argument("--minutes", type=float, default=12.0, help="wall-time limit")
    parser.add_argument("--kill-every", type=float, default=30.0, help="seconds between kills")
    parser.add_argument("--max-kills", type=int, default=100)
    parser.add_argument("--min-kills", type=int, default=1, help="do not finish before these")
    parser.add_argument("--fault-probability", type=float, default=0.10, help="all kinds")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/soak_soak")
    parser.add_argument("--queue", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--base-port", type=int, default=18612, help="0: any free ports")
    parser.add_argument("--seed", type=int, default=12)
    return parser.parse_args(argv)


def _soak(args, processes: Processes, urls: dict, ports: dict) -> dict:
    random.seed(args.seed)
    started = time.monotonic()
    soak_setup.recreate_database(args.database)
    if args.queue.startswith("redis"):
        import redis

        redis.Redis.from_url(args.queue).flushdb()  # the soak's own queue database
    ledgersync = [sys.executable, "-m", "ledgersync"]
    migrate = [*ledgersync, "migrate"]
    subprocess.run(migrate, env=processes.env, check=True, capture_output=True)  # noqa: S603
    for slug, port in ports.items():
        processes.start(f"sandbox-{slug}", [*ledgersync, "sandbox", slug, "--port", str(port)])
    for url in urls.values():
        _wait_for(url)
    from ledgersync.commands.common import setup_django

    setup_django()
    orgs = {
        slug: soak_setup.seed_organisation(slug, urls[slug], args.documents) for slug in PROVIDERS
    }
    faults = {slug: _inject_faults(url, args.fault_probability) for slug, url in urls.items()}
    budget = args.minutes * 60 - (time.monotonic() - started) - 45  # leave time to count
    for n in (1, 2):
        processes.start(f"worker-{n}", [*ledgersync, "worker", "--workers", "2"])
    refresher = processes.start(
        "refresher", [sys.executable, "-c", REFRESHER, str(max(10.0, budget * 0.6)), "4"]
    )
    faulted = {
        kind
        for kinds in faults.values()
        for kind, share in kinds.items()
        if isinstance(share, float)
    }
    figures = _drive(args, processes, orgs, dict(urls), budget, ledgersync, faulted)
    for name in [n for n in processes.running if n.startswith("worker")]:
        processes.kill(name)
    refresher.kill()
    figures["refreshes"] = _last_json_line(Path(processes.logdir) / "refresher.log")
    figures["faults"] = faults
    figures["fault_evidence"] = {slug: _fault_evidence(url) for slug, url in urls.items()}
    # Counting reads every document back through the connectors: 3,334 Xero numbers are more
    # calls than its minute allows, so the books are read with the limits lifted (the workers
    # are stopped by now; what they met is in the fault evidence above).
    for url in urls.values():
        httpx.put(f"{url}/_sandbox/limits", json=COUNTING_LIMITS, timeout=5).raise_for_status()
    figures["counts"], figures["by_provider"] = _count(orgs)
    figures["seconds"] = round(time.monotonic() - started, 1)
    figures["documents_per_provider"] = args.documents
    return figures


def _wait_for(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(f"{url}/_sandbox/companies", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"the sandbox at {url} did not start")


def _inject_faults(url: str, probability: float) -> dict[str, float | str]:
    """One probability-based fault per kind, sharing ``probability`` between them; a kind
    this sandbox does not know (late_write before it lands) is skipped with a note."""
    share = round(probability / len(FAULT_KINDS), 4)
    injected: dict[str, float | str] = {}
    for kind in FAULT_KINDS:
        body = {"kind": kind, "probability": share}
        if kind == "slow":
            body["seconds"] = SLOW_SECONDS
        if kind == "late_write":
            body["delay"] = LATE_SECONDS
        answer = httpx.post(f"{url}/_sandbox/faults", json=body, timeout=5)
        if answer.status_code == 400 and kind == "late_write":
            print(f"note: {url} does not accept late_write ({answer.text}); skipped")
            injected[kind] = "not supported by this sandbox"
            continue
        answer.raise_for_status()
        injected[kind] = share
    return injected


def _fault_evidence(url: str) -> dict[str, int]:
    """What the faults did, read from the sandbox's request log: a dropped write has no
    status, error_after_write is the only 500 injected, a 429 is rate_limit (or a real
    limit). ``slow`` leaves no mark of its own."""
    entries = httpx.get(f"{url}/_sandbox/requests", timeout=60).json()
    api = [e for e in entries if not e["path"].startswith("/_sandbox")]
    return {
        "requests": len(api),
        "no_answer": sum(e["status"] is None for e in api),
        "status_500": sum(e["status"] == 500 for e in api),
        "status_429": sum(e["status"] == 429 for e in api),
    }


def _drive(args, processes, orgs, urls, budget: float, ledgersync, faulted: set) -> dict:
    """Runs, kills, edits and revivals until every document has settled or time is up."""
    from ledgersync.records.models import DocType

    figures = {"kills": 0, "runs": 0, "edits_applied": 0, "edits_refused": 0}
    end = time.monotonic() + budget
    faults_until = time.monotonic() + budget * 0.6
    next_kill = time.monotonic() + args.kill_every
    for tick in range(int(budget * 2) + 1):
        if time.monotonic() > end:
            print("note: time limit reached before every document settled")
            break
        if time.monotonic() > faults_until and urls:
            _clear_faults(urls, late=False)
            urls = {}
        if _kill_due(next_kill, args) and figures["kills"] < args.max_kills:
            _kill_and_restart(processes, figures, ledgersync)
            next_kill = time.monotonic() + args.kill_every
        _revive()
        if tick % 2 == 0:
            _edit_one_in_flight(figures)
        pending = [
            _keep_running(org, conn, t, figures)
            for org, conn in orgs.values()
            for t in (DocType.SALES_INVOICE, DocType.SUPPLIER_INVOICE)
        ]
        if not any(pending) and figures["kills"] >= args.min_kills:
            if not urls:
                break
            _clear_faults(urls, late="late_write" in faulted)
            urls = {}
        time.sleep(0.5)
    return figures


def _clear_faults(urls: dict, *, late: bool) -> None:
    """The outage is over: let everything settle cleanly. With late writes about, first
    wait out the longest a held write can take to land, so the last copies are in the books
    (and the engine's later reconciliation has had its chance) before the final settle."""
    for url in urls.values():
        httpx.delete(f"{url}/_sandbox/faults", timeout=5)
    if late:
        time.sleep(LATE_SECONDS + 15)


def _kill_due(next_kill: float, args) -> bool:
    """Due, and best in the middle of a push; a kill late by a whole period goes anyway."""
    from ledgersync.sync.models import Attempt, AttemptState

    now = time.monotonic()
    if now < next_kill:
        return False
    in_flight = Attempt.objects.filter(state=AttemptState.IN_FLIGHT).exists()
    return in_flight or now > next_kill + args.kill_every


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _kill_and_restart(processes: Processes, figures: dict, ledgersync) -> None:
    name = f"worker-{figures['kills'] % 2 + 1}"
    processes.kill(name)
    figures["kills"] += 1
    processes.start(name, [*ledgersync, "worker", "--workers", "2"])


def _revive() -> None:
    """Lapse the lease of a run no worker has renewed lately, then hand every revivable run
    to the queue (what the once-a-minute revive task does, sooner)."""
    import datetime as dt

    from django.utils import timezone

    from ledgersync.sync import engine, tasks
    from ledgersync.sync.models import RunState, SyncRun

    stale = timezone.now() + engine.LEASE - dt.timedelta(seconds=STALE_LEASE_SECONDS)
    SyncRun.objects.filter(state=RunState.RUNNING, lease_until__lt=stale).update(
        lease_until=timezone.now()
    )
    for run in engine.revivable():
        tasks.run_step(run.pk)


def _keep_running(organisation, connection, doc_type, figures) -> int:
    """Documents of this type still to settle; starts an Auto Sync when none is live."""
    from django.db.models import Q

    from ledgersync.sync import engine, tasks
    from ledgersync.sync.models import LIVE_RUN_STATES, SyncRun
    from ledgersync.sync.status import StatusCode

    # Being checked is not settled either: a document waits there until the package's data
    # it needs is read (and judged), which kills must not stop for good.
    waiting = ["", StatusCode.UNCERTAIN, StatusCode.RATE_LIMITED, StatusCode.CHECKING]
    unsettled = engine.queue(organisation, doc_type).filter(
        Q(sync_state__isnull=True) | Q(sync_state__status_code__in=waiting)
    )
    pending = unsettled.count()
    live = SyncRun.objects.filter(connection=connection, state__in=LIVE_RUN_STATES).first()
    if live is not None and live.doc_type == doc_type and not pending:
        # Auto Sync waits for newly marked documents until its deadline: this type is done,
        # so stop it and let the connection's next type have its turn.
        engine.request_stop(live)
        return 1
    if live is not None or not pending:
        return pending
    runs = SyncRun.objects.filter(organisation=organisation, doc_type=doc_type).count()
    if runs >= MAX_RUNS_PER_TYPE:
        return 0
    try:
        run = engine.start_run(organisation, doc_type, auto=True)
    except engine.RunInProgress:
        return pending
    tasks.enqueue(run)
    figures["runs"] += 1
    return pending


def _edit_one_in_flight(figures: dict) -> None:
    """Edit a document while a push of it is unanswered: refused (409 in the API) or, if the
    push ended meanwhile and it is not synced yet, applied and then sent with the new total."""
    from ledgersync.records import services
    from ledgersync.sync.models import Attempt, AttemptState

    attempt = (
        Attempt.objects.filter(state=AttemptState.IN_FLIGHT).select_related("document").first()
    )
    if attempt is None:
        return
    document = attempt.document
    line = document.lines.select_related("nominal", "tax_code").first()
    change = {
        "text": line.text,
        "quantity": "1",
        "unit_price": str(line.unit_price + 1),
        "nominal": line.nominal.code,
        "tax_code": line.tax_code.code if line.tax_code else None,
    }
    try:
        services.update_document(document, {"lines": [change]})
    except services.DocumentLocked:
        figures["edits_refused"] += 1
    else:
        figures["edits_applied"] += 1


def _count(orgs: dict) -> tuple[dict, list]:
    rows = []
    for slug, (organisation, connection) in orgs.items():
        row = {"provider": slug, **soak_books.count_organisation(organisation, connection)}
        row["false_relinks"] = soak_books.false_relink(connection)
        rows.append(row)
    soak_books.print_table(rows, sys.stderr)
    keys = ("documents", "waiting", "duplicates", "lost", "silent_divergences", "false_relinks")
    return {k: sum(r[k] for r in rows) for k in keys}, rows


def _last_json_line(path: Path) -> dict:
    lines = [line for line in path.read_text().splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


if __name__ == "__main__":
    sys.exit(main())
