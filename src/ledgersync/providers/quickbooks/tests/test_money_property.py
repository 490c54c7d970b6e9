"""QuickBooks books ledgersync's total, VAT and net to the penny (providers/tests/money_property.py)."""

from __future__ import annotations

from ledgersync.providers.tests.money_property import PackageBooksOurMoney


class TestQuickBooksBooksOurMoney(PackageBooksOurMoney):
    slug = "quickbooks"
