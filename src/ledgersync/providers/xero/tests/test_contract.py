"""Xero against its sandbox: the shared contract, nothing else."""

from __future__ import annotations

from ledgersync.providers.contract import ConnectorContract, ContractFixtures

CONTACT_ID = "0B8A0743-25B6-5983-80D6-714A0CDD613D"


class TestXeroContract(ConnectorContract):
    slug = "xero"
    fixtures = ContractFixtures(
        bad_accs_id_message=(
            "AccountsID (abc) is not correct, Xero requires a contact ID such as "
            "297c2dc5-cc47-4afd-8ec8-74990b8761e9"
        ),
        good_accs_id=(f" {CONTACT_ID} ", CONTACT_ID.lower()),
        reference_data_calls=2,  # GET /Accounts and GET /TaxRates
        push_method="PUT",
        push_path="/Invoices",
    )
