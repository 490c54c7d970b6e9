"""Sage Business Cloud Accounting v3.1 (reference/sage.md)."""
