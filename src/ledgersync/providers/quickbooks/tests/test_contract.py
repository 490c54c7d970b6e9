"""QuickBooks Online against its sandbox: the shared contract, nothing else."""

from __future__ import annotations

from ledgersync.providers.tests.contract import ConnectorContract, ContractFixtures


class TestQuickBooksContract(ConnectorContract):
    slug = "quickbooks"
    fixtures = ContractFixtures(
        bad_accs_id_message="AccountsID (abc) is not correct, QuickBooks requires a number",
    )
