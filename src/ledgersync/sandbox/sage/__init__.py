"""The Sage Business Cloud Accounting v3.1 sandbox (reference/sage.md)."""
