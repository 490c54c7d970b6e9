"""Accounting packages behind one connector contract (see base.py)."""
