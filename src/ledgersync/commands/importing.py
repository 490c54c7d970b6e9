"""`ledgersync import`: accounts, suppliers and documents from CSV or JSON (docs/import.md)."""

from __future__ import annotations

import sys

from ledgersync.commands.common import CommandError, organisation, run_command

KINDS = ("account", "supplier", "document")


def _counts(counter) -> str:
    return (
        ", ".join(f"{counter[k]} {k}{'s' if counter[k] != 1 else ''}" for k in KINDS if counter[k])
        or "nothing"
    )


def cmd_import(args) -> int:
    from ledgersync.records.importing import ImportFileError, import_file

    org = organisation(args.org)
    try:
        report = import_file(
            org, args.file, dry_run=args.dry_run, partial=args.partial, encoding=args.encoding
        )
    except ImportFileError as exc:
        raise CommandError(f"{args.file}: {exc} Nothing was imported.") from None
    for error in report.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    verb = "Would create" if args.dry_run else "Created" if report.kept else "Would have created"
    print(f"{report.records} records checked in {args.file}.")
    print(
        f"{verb}: {_counts(report.created)}. Updated: {_counts(report.updated)}. "
        f"Unchanged: {_counts(report.unchanged)}."
    )
    if report.errors and not report.kept:
        print(
            f"Nothing imported: {len(report.errors)} problem(s) above. Fix them and import again, "
            "or add --partial to import the good rows."
        )
        return 1
    if report.errors:
        print(f"Imported the good rows; {len(report.errors)} problem(s) above were skipped.")
        return 1
    if args.dry_run:
        print("Dry run: nothing was saved.")
    return 0


def register(sub) -> None:
    parser = sub.add_parser(
        "import", help="import accounts, suppliers and documents from CSV or JSON"
    )
    parser.add_argument("file", help="a .csv or .json file (docs/import.md)")
    parser.add_argument("--org", required=True, help="organisation slug")
    parser.add_argument("--dry-run", action="store_true", help="check everything, save nothing")
    parser.add_argument(
        "--partial", action="store_true", help="import the good rows even if some are bad"
    )
    parser.add_argument("--encoding", help="the file's text encoding when not UTF-8, e.g. cp1252")
    parser.set_defaults(func=lambda args: run_command(cmd_import, args))
