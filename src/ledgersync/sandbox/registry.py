"""The sandboxes, one per provider in ``providers.registry`` and keyed by the same slugs.

Each provider's emulator is the package ``ledgersync.sandbox.<slug>``, whose ``__init__``
names its app class as ``APP`` (``"module:Class"``). The classes are imported on first use,
so the CLI and the demo can list sandboxes and ports without loading any of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ledgersync.env import env_int
from ledgersync.providers.facts import load
from ledgersync.providers.registry import PROVIDERS

if TYPE_CHECKING:
    from ledgersync.sandbox.core.app import SandboxApp

DEFAULT_PORT_BASE = 8100


def sandbox_ports() -> dict[str, int]:
    """Each sandbox's default loopback port: ``LEDGERSYNC_SANDBOX_PORT_BASE`` plus the
    provider's offset (8101, 8102, 8103 by default); ConfigError for a bad base."""
    base = env_int("LEDGERSYNC_SANDBOX_PORT_BASE", DEFAULT_PORT_BASE, minimum=1)
    return {slug: base + facts.sandbox_port_offset for slug, facts in PROVIDERS.items()}


def factory(slug: str) -> type[SandboxApp]:
    try:
        facts = PROVIDERS[slug]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ValueError(f"no sandbox called {slug!r}; choose one of: {known}") from None
    return load(import_module(facts.sandbox_package).APP)


def make_app(slug: str, **options: Any) -> SandboxApp:
    """A freshly seeded, in-memory sandbox app for one provider."""
    return factory(slug)(**options)
