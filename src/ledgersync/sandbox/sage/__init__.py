"""The Sage Business Cloud Accounting v3.1 sandbox (reference/sage.md)."""

from __future__ import annotations

# The app class, imported by sandbox.registry on first use.
APP = "ledgersync.sandbox.sage.app:SageSandbox"
