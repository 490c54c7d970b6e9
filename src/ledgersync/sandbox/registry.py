"""The one list of sandboxes, keyed by provider slug (the same slugs as providers.registry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledgersync.sandbox.core.app import SandboxApp
from ledgersync.sandbox.quickbooks.app import QuickBooksSandbox
from ledgersync.sandbox.sage.app import SageSandbox
from ledgersync.sandbox.xero.app import XeroSandbox

SANDBOXES: dict[str, Callable[..., SandboxApp]] = {
    "quickbooks": QuickBooksSandbox,
    "sage": SageSandbox,
    "xero": XeroSandbox,
}


def factory(slug: str) -> Callable[..., SandboxApp]:
    try:
        return SANDBOXES[slug]
    except KeyError:
        known = ", ".join(sorted(SANDBOXES))
        raise ValueError(f"no sandbox called {slug!r}; choose one of: {known}") from None


def make_app(slug: str, **options: Any) -> SandboxApp:
    """A freshly seeded, in-memory sandbox app for one provider."""
    return factory(slug)(**options)
