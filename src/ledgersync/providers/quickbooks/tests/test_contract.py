"""QuickBooks Online against its sandbox: the shared contract, nothing else."""

from __future__ import annotations

import pytest

from ledgersync.providers.errors import AuthError
from ledgersync.providers.quickbooks.tests.paying import record_payment
from ledgersync.providers.tests.contract import REDIRECT_URI, ConnectorContract, ContractFixtures


class TestQuickBooksContract(ConnectorContract):
    slug = "quickbooks"
    record_payment = staticmethod(record_payment)
    fixtures = ContractFixtures(
        bad_accs_id_message="AccountsID (abc) is not correct, QuickBooks requires a number",
    )

    @pytest.mark.parametrize(
        "realm", ["123/../../admin", "12 34", "1" * 33, "abc", "1?minorversion=1", "\uff11\uff12"]
    )
    def test_a_callback_realm_id_that_is_not_a_number_is_refused_before_use(
        self, connector, sandbox, realm
    ):
        with pytest.raises(AuthError, match="not a QuickBooks company number"):
            connector.exchange_code(
                {"code": "c", "state": "s", "realmId": realm}, REDIRECT_URI, expected_state="s"
            )
        assert sandbox.requests("POST", "token") == []  # the code was never traded
