"""Sage Accounting against its sandbox: the shared contract, in-process and again with every
request on a real loopback socket."""

from __future__ import annotations

from ledgersync.providers.sage.connector import NO_TYPED_ID
from ledgersync.providers.sage.tests.paying import record_payment
from ledgersync.providers.tests.contract import ConnectorContract, ContractFixtures


class TestSageContract(ConnectorContract):
    slug = "sage"
    record_payment = staticmethod(record_payment)
    fixtures = ContractFixtures(
        bad_accs_id_message=NO_TYPED_ID,
        reference_data_calls=2,  # ledger_accounts and tax_rates: Sage has no batch
        push_path="/sales_invoices",
        calls_to_push_three=4,  # one search for the numbers' shared prefix, three POSTs
        calls_per_payments_pull=3,  # the three document lists, updated_or_created_since
    )


class TestSageContractOverHttp(TestSageContract):
    on_socket = True
