"""`ledgersync export-log` and `ledgersync prune-log`: the audit log out, and trimmed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys

from ledgersync.commands.common import CommandError, organisation, run_command

# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...), +cmd|...),
# and a detail or document name comes from users and packages. Such a cell is written with a
# leading apostrophe, which spreadsheets show as text and do not display.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cmd_export(args) -> int:
    from django.utils import timezone

    from ledgersync.sync.auditlog import COLUMNS, audit_rows

    since = None
    if args.since:
        try:
            since = timezone.make_aware(dt.datetime.fromisoformat(args.since))
        except ValueError:
            raise CommandError(
                f"--since must be a date like 2026-11-01, not {args.since!r}"
            ) from None
    rows = audit_rows(organisation(args.org), since)
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "csv":
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
        else:
            for row in rows:
                out.write(json.dumps(row) + "\n")
    finally:
        if args.output:
            out.close()
    return 0


def cmd_prune(args) -> int:
    from ledgersync.sync.auditlog import prune

    try:
        pruned = prune(organisation(args.org), args.older_than, dry_run=args.dry_run)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    verb = "Would delete" if args.dry_run else "Deleted"
    print(
        f"{verb} {pruned.attempts} push attempt(s) and {pruned.events} event(s) older than "
        f"{args.older_than} days; kept {pruned.kept_attempts} older attempt(s) of documents "
        "not yet synced."
    )
    return 0


def register(sub) -> None:
    export = sub.add_parser(
        "export-log", help="the audit log (pushes and changes) as CSV or JSON lines"
    )
    export.add_argument("--org", required=True, help="organisation slug")
    export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    export.add_argument("--since", help="only entries from this date (2026-11-01)")
    export.add_argument("--output", "-o", help="write to this file instead of the screen")
    export.set_defaults(func=lambda args: run_command(cmd_export, args))

    prune = sub.add_parser(
        "prune-log", help="delete old audit log entries (keeps unsynced documents' pushes)"
    )
    prune.add_argument("--org", required=True, help="organisation slug")
    prune.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    prune.add_argument("--dry-run", action="store_true", help="say what would go, delete nothing")
    prune.set_defaults(func=lambda args: run_command(cmd_prune, args))
