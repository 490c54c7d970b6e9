"""The QuickBooks Online sandbox (see docs/sandboxes.md)."""

from __future__ import annotations

# The app class, imported by sandbox.registry on first use.
APP = "ledgersync.sandbox.quickbooks.app:QuickBooksSandbox"
