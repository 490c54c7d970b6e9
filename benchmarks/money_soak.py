"""The money soak: random documents through the engine into each package, counting mismatches.

    python benchmarks/money_soak.py --documents 2000

Each provider's sandbox runs in its own process (``ledgersync sandbox``, on loopback) with
its rate limits lifted. In a temporary SQLite database (or ``--database``), one organisation
per provider gets ``--documents`` random documents made the way every caller makes them
(``records.services.create_document``): sales invoices, credit notes and supplier invoices
of 1-30 lines, quantities and unit prices with up to 4 decimals, every UK rate (20 %, 5 %,
zero, exempt), prices exclusive or inclusive of VAT, either VAT rounding rule (or the
package's own), and on a third of the supplier invoices a supplier's VAT a few pennies off
the lines'. Auto Sync sends them all. Then every document is read back from the package (its
list reads, in chunks, as ``soak_books.py`` does; not the engine's own record) and its
total, VAT and net compared with ledgersync's to the penny. Sage's connector paces itself to
Sage's 200 calls a minute, so a Sage run of 2,000 takes about ten minutes.

Prints one JSON line (the figures in docs/PERFORMANCE.md) and exits 1 when a document is
missing from the package, differs from ledgersync unexplained, or has a status that does not
agree with the comparison (a difference not marked TOTAL_MISMATCH, or a match not SYNCED).
``--supplied-tax recompute`` switches the sandboxes to book their own VAT instead of the
amounts sent: then a document worked out by the package's own rule (and without a
supplier's VAT) must still match, and every other difference must be TOTAL_MISMATCH.
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
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import soak_setup  # noqa: E402  (benchmarks/ sits beside it, not on the package path)

PROVIDERS = ("quickbooks", "xero", "sage")
RATES = ("S", "R", "Z", "E")
RULES = ("", "per_line", "per_rate")  # "": as the package does


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workdir = tempfile.mkdtemp(prefix="ledgersync-money-")
    ports = dict(zip(PROVIDERS, _free_ports(len(PROVIDERS)), strict=True))
    urls = {slug: f"http://127.0.0.1:{port}" for slug, port in ports.items()}
    env = {
        **os.environ,
        "LEDGERSYNC_VAR_DIR": workdir,
        "DATABASE_URL": args.database,
        "LEDGERSYNC_QUEUE_URL": "",
        "LEDGERSYNC_LOG_LEVEL": "WARNING",
        **{f"{slug.upper()}_SANDBOX_URL": url for slug, url in urls.items()},
    }
    os.environ.update(env)
    sandboxes = []
    try:
        for slug, port in ports.items():
            log = open(os.path.join(workdir, f"sandbox-{slug}.log"), "ab")  # noqa: SIM115
            sandboxes.append(
                subprocess.Popen(  # noqa: S603 (argv built here, never from input)
                    [sys.executable, "-m", "ledgersync", "sandbox", slug, "--port", str(port)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for url in urls.values():
            _prepare_sandbox(url, args.supplied_tax)
        figures = _soak(args, urls)
    finally:
        for process in sandboxes:
            process.terminate()
        for process in sandboxes:
            process.wait(timeout=10)
    print(json.dumps(figures))
    bad = sum(
        p["missing"] + p["duplicates"] + p["unexplained_mismatches"] + p["unexpected_status"]
        for p in figures["providers"].values()
    )
    return 1 if bad else 0


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000, help="per provider")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--database", default="", help="DATABASE_URL (default: SQLite)")
    parser.add_argument("--batch-size", type=int, default=30)
    parser.add_argument(
        "--supplied-tax",
        choices=("accept", "recompute", "tolerance"),
        default="accept",
        help="what the sandboxes do with the VAT they are sent (docs/sandboxes.md)",
    )
    return parser.parse_args(argv)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _prepare_sandbox(url: str, supplied_tax: str) -> None:
    for _ in range(200):
        try:
            limits = httpx.get(f"{url}/_sandbox/limits", timeout=1).raise_for_status().json()
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        raise SystemExit(f"the sandbox at {url} did not start")
    unlimited = {key: None for key in limits if key.endswith(("per_minute", "per_day"))}
    httpx.put(f"{url}/_sandbox/limits", json=unlimited).raise_for_status()
    httpx.put(f"{url}/_sandbox/settings", json={"supplied_tax": supplied_tax}).raise_for_status()


def _soak(args, urls: dict[str, str]) -> dict:
    from ledgersync.commands.common import setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    rng = random.Random(args.seed)
    providers = {}
    for slug in PROVIDERS:
        organisation, connection = soak_setup.seed_organisation(slug, urls[slug], 0)
        organisation.batch_size = args.batch_size
        organisation.save()
        providers[slug] = _one_provider(organisation, connection, args, rng)
    return {
        "documents_per_provider": args.documents,
        "supplied_tax": args.supplied_tax,
        "seed": args.seed,
        "providers": providers,
        "seconds": round(time.monotonic() - started, 1),
    }


def _one_provider(organisation, connection, args, rng: random.Random) -> dict:
    from ledgersync.records.models import DocType, Document
    from ledgersync.sync import engine

    started = time.monotonic()
    made = Counter()
    for n in range(1, args.documents + 1):
        made.update(_random_document(organisation, rng, n))
    created = time.monotonic() - started
    for doc_type in DocType:
        run = engine.start_run(organisation, doc_type, auto=True)
        engine.run_until_done(run, sleep=lambda seconds: None, max_steps=None)
    documents = list(
        Document.objects.for_org(organisation)
        .select_related("sync_state", "account", "supplier")
        .prefetch_related("lines")
        .order_by("pk")
    )
    figures = _compare(organisation, connection, documents, args.supplied_tax)
    figures.update(
        made=dict(made),
        seconds_to_create=round(created, 1),
        seconds=round(time.monotonic() - started, 1),
    )
    return figures


def _random_document(organisation, rng: random.Random, n: int) -> list[str]:
    from ledgersync.records.money import document_money
    from ledgersync.records.services import create_document

    doc_type = rng.choice(("sales_invoice", "sales_credit_note", "supplier_invoice"))
    supplier = doc_type == "supplier_invoice"
    organisation.vat_rounding = rng.choice(RULES)
    inclusive = rng.random() < 0.5
    lines = [
        {
            "text": f"Item {i}",
            "quantity": str(_decimal(rng, 1, 1000)),
            "unit_price": str(_decimal(rng, 0, 5000)),
            "nominal": "5000" if supplier else "4000",
            "tax_code": rng.choice(RATES),
        }
        for i in range(1, rng.randint(1, 30) + 1)
    ]
    data = {
        "type": doc_type,
        "lines": lines,
        "prices_include_vat": inclusive,
        "mark_for_sync": True,
        "sent_via": "email",
    }
    tags = [doc_type, "inclusive" if inclusive else "exclusive", organisation.vat_rounding or "own"]
    if supplier:
        data.update(number=f"M{n:06d}", supplier=_supplier_number(organisation))
        taxed = sum(1 for line in lines if line["tax_code"] in ("S", "R"))
        if taxed and rng.random() < 1 / 3:
            money = document_money(
                [_money_line(organisation, line) for line in lines],
                rounding=organisation.effective_rounding,
                inclusive=inclusive,
            )
            offset = Decimal(rng.randint(-taxed, taxed)) / 100
            data["supplier_vat"] = str(money.tax + offset)
            tags.append("supplier_vat")
    else:
        data["account"] = soak_setup.CUSTOMER
    create_document(organisation, data)
    return tags


def _supplier_number(organisation) -> str:
    from ledgersync.records.models import Supplier

    return Supplier.objects.for_org(organisation).values_list("number", flat=True).get()


def _money_line(organisation, line: dict):
    from ledgersync.records.models import TaxCode
    from ledgersync.records.money import MoneyLine

    tax = TaxCode.objects.get(organisation=organisation, code=line["tax_code"])
    return MoneyLine(Decimal(line["quantity"]), Decimal(line["unit_price"]), tax.rate, tax.code)


def _decimal(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount with up to 4 decimals (more small ones than large)."""
    places = rng.choice((0, 1, 2, 3, 4))
    scale = 10**places
    top = high if rng.random() < 0.3 else max(low + 1, high // 100)
    value = Decimal(rng.randint(max(1, low * scale), top * scale)) / scale
    return value


def _compare(organisation, connection, documents, supplied_tax: str) -> dict:
    from ledgersync.records.money import to_money
    from ledgersync.sync.checks import link_key, links_for
    from ledgersync.sync.connections import connector_for_connection
    from ledgersync.sync.status import StatusCode

    connector = connector_for_connection(connection)
    links = links_for(connection, {d.party for d in documents})
    copies = _package_copies(connector, documents, links, link_key)
    own = organisation.package_rounding
    counts: Counter = Counter()
    examples = []
    for document in documents:
        state = getattr(document, "sync_state", None)
        status = state.status_code if state else "NONE"
        counts[f"status_{status}"] += 1
        found = copies.get((document.doc_type, document.number.casefold()), [])
        if len(found) != 1:
            counts["missing" if not found else "duplicates"] += 1
            continue
        remote = found[0]
        ours = (document.gross_total, document.tax_total, document.net_total)
        tax = to_money(remote.tax_total) if remote.tax_total is not None else None
        theirs = (to_money(remote.total), tax, to_money(remote.total) - (tax or 0))
        matches = theirs == ours
        counts["matching_in_package" if matches else "mismatched_in_package"] += 1
        expected_status = StatusCode.SYNCED if matches else StatusCode.TOTAL_MISMATCH
        if status != expected_status:
            counts["unexpected_status"] += 1
        if not matches:
            # A package booking its own VAT may differ where the document did not follow its
            # rule (or carried a supplier's VAT); the engine must then have said so.
            follows_package = document.rounding == own and document.supplier_vat is None
            if supplied_tax == "accept" or follows_package:
                counts["unexplained"] += 1
            if len(examples) < 5:
                examples.append(
                    {"number": document.number, "ours": str(ours), "theirs": str(theirs)}
                )
    result = {
        "tried": len(documents),
        "missing": counts["missing"],
        "duplicates": counts["duplicates"],
        "matching_in_package": counts["matching_in_package"],
        "mismatched_in_package": counts["mismatched_in_package"],
        "unexplained_mismatches": counts["unexplained"],
        "flagged_total_mismatch": counts["status_TOTAL_MISMATCH"],
        "synced": counts["status_SYNCED"],
        "unexpected_status": counts["unexpected_status"],
        "lookups": connector.api_calls,
    }
    if examples:
        result["examples"] = examples
    return result


def _package_copies(connector, documents, links, link_key) -> dict[tuple[str, str], list]:
    """Every live copy in the package of these documents' numbers, read in chunks over the
    package's API (benchmarks/soak_books.py), by (type, number)."""
    import soak_books

    wanted: dict[tuple[str, str | None], list[str]] = {}
    for document in documents:
        contact = None
        if document.doc_type == "supplier_invoice":
            contact = links[link_key(document.party)].remote_id
        wanted.setdefault((document.doc_type, contact), []).append(document.number)
    copies: dict[tuple[str, str], list] = {}
    for (doc_type, contact), numbers in wanted.items():
        for remote in soak_books.remote_documents(connector, doc_type, numbers, contact):
            copies.setdefault((doc_type, remote.number.casefold()), []).append(remote)
    return copies


if __name__ == "__main__":
    sys.exit(main())
