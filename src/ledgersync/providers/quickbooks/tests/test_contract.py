"""QuickBooks Online against its sandbox: the shared contract, nothing else."""

from __future__ import annotations

import pytest

from ledgersync.providers.contract import ConnectorContract, ContractFixtures

# Until the QuickBooks sandbox lands (sandbox/quickbooks/app.py); removed once it has.
pytest.importorskip("ledgersync.sandbox.quickbooks.app")


class TestQuickBooksContract(ConnectorContract):
    slug = "quickbooks"
    fixtures = ContractFixtures(
        bad_accs_id_message="AccountsID (abc) is not correct, QuickBooks requires a number",
    )
