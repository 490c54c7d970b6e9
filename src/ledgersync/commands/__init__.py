"""The `ledgersync` subcommands beyond the lead's core set, each module registering its own."""

from __future__ import annotations

import argparse

from ledgersync.commands import apikey, auditlog, importing, syncing


def register(sub: argparse._SubParsersAction) -> None:
    for module in (apikey, syncing, importing, auditlog):
        module.register(sub)
