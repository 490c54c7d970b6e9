"""The Xero sandbox: Xero's identity service, the Accounting API (api.xro/2.0) and a
read-only web view, on one loopback root (see docs/sandboxes.md)."""

from __future__ import annotations

# The app class, imported by sandbox.registry on first use.
APP = "ledgersync.sandbox.xero.app:XeroSandbox"
