"""Xero against its sandbox: the shared contract, in-process and again over the sandbox's
real loopback socket. Every request the connector sends and every answer it gets on the
way is checked against xero-accounting.yaml."""

from __future__ import annotations

import httpx

from ledgersync.providers.tests.contract import ConnectorContract, ContractFixtures
from ledgersync.providers.xero.tests.paying import record_payment
from ledgersync.sandbox.xero.tests.spec import CheckingTransport

CONTACT_ID = "0B8A0743-25B6-5983-80D6-714A0CDD613D"


class TestXeroContract(ConnectorContract):
    slug = "xero"
    record_payment = staticmethod(record_payment)
    fixtures = ContractFixtures(
        bad_accs_id_message=(
            "AccountsID (abc) is not correct, Xero requires a contact ID such as "
            "297c2dc5-cc47-4afd-8ec8-74990b8761e9"
        ),
        good_accs_id=(f" {CONTACT_ID} ", CONTACT_ID.lower()),
        reference_data_calls=2,  # GET /Accounts and GET /TaxRates
        push_method="PUT",
        push_path="/Invoices",
        calls_per_payments_pull=2,  # GET /Invoices and GET /CreditNotes, If-Modified-Since
    )

    def build(self, credentials, saved, *, transport=None, root: str):
        checked = CheckingTransport(transport or httpx.HTTPTransport(), requests=True)
        return super().build(credentials, saved, transport=checked, root=root)


class TestXeroContractOverHttp(TestXeroContract):
    on_socket = True
