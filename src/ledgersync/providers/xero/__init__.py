"""Xero behind the connector contract (reference/xero.md)."""
