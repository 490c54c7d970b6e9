"""The QuickBooks Online sandbox (see docs/sandboxes.md)."""
