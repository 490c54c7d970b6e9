"""Sage Accounting against its sandbox: the shared contract, in-process and again with every
request on a real loopback socket."""

from __future__ import annotations

import httpx
import pytest

from ledgersync.providers.contract import ConnectorContract, ContractFixtures
from ledgersync.providers.sage.connector import NO_TYPED_ID


class TestSageContract(ConnectorContract):
    slug = "sage"
    fixtures = ContractFixtures(
        bad_accs_id_message=NO_TYPED_ID,
        reference_data_calls=2,  # ledger_accounts and tax_rates: Sage has no batch
        push_path="/sales_invoices",
        calls_to_push_three=4,  # one search for the numbers' shared prefix, three POSTs
    )


class LoopbackTransport(httpx.BaseTransport):
    """Real HTTP to the sandbox's socket, whatever host the request names."""

    def __init__(self, url: str) -> None:
        self.target = httpx.URL(url)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = self.target
        request.url = request.url.copy_with(
            scheme=target.scheme, host=target.host, port=target.port
        )
        return self.inner.handle_request(request)


class _OnSocket:
    """Stands in for the in-process app: the same sandbox, reached through its socket."""

    def __init__(self, url: str) -> None:
        self.url = url

    def transport(self) -> httpx.BaseTransport:
        return LoopbackTransport(self.url)


class TestSageContractOverHttp(TestSageContract):
    @pytest.fixture
    def app(self, server):
        server.app.reset()
        return _OnSocket(server.url)
