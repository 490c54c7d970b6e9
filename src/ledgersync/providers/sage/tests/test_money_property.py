"""Sage books ledgersync's total, VAT and net to the penny (providers/tests/money_property.py)."""

from __future__ import annotations

from ledgersync.providers.pacing import Pace
from ledgersync.providers.tests.money_property import PackageBooksOurMoney


class TestSageBooksOurMoney(PackageBooksOurMoney):
    slug = "sage"

    def unpace(self, connector):
        connector.client.pace = Pace(200, sleep=lambda seconds: None)
