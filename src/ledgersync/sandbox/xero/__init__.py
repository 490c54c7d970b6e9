"""The Xero sandbox: Xero's identity service, the Accounting API (api.xro/2.0) and a
read-only web view, on one loopback root (see docs/sandboxes.md)."""
