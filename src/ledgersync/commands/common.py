"""What the subcommands share: Django set-up, finding the organisation, plain tables."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


class CommandError(Exception):
    """A message for the user; the command exits with status 2."""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledgersync.settings")
    import django

    django.setup()


def organisation(slug: str):
    from ledgersync.records.models import Organisation

    found = Organisation.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"no organisation with slug {slug!r}")
    return found


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], out=None) -> None:
    out = out or sys.stdout
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=out,
        )
        if index == 0:
            print("  ".join("-" * width for width in widths), file=out)


def run_command(func, args) -> int:
    try:
        setup_django()
        return func(args)
    except CommandError as exc:
        print(f"ledgersync {args.command}: {exc}", file=sys.stderr)
        return 2
