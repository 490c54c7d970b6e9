from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledgersync.sandbox.xero.app import XeroSandbox
from ledgersync.sandbox.xero.tests.spec import CheckingTransport

ROOT = "http://xero.sandbox.invalid"
API = "/api.xro/2.0"


class Xero:
    """An httpx client on the sandbox, signed in to the first organisation, whose every
    request and answer is checked against Xero's OpenAPI document."""

    def __init__(self, app: XeroSandbox) -> None:
        self.app = app
        self.transport = CheckingTransport(app.transport())
        self.http = httpx.Client(transport=self.transport, base_url=ROOT)
        tokens = self.http.post("/_sandbox/tokens", json={}).json()
        self.tokens = tokens
        self.tenant = tokens["company_id"]
        self.headers = {
            "Authorization": f"Bearer {tokens['access_token']}",
            "xero-tenant-id": self.tenant,
            "Accept": "application/json",
        }

    def call(
        self, method: str, path: str, *, headers: dict | None = None, **kwargs: Any
    ) -> httpx.Response:
        return self.http.request(
            method, API + path, headers={**self.headers, **(headers or {})}, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.call("PUT", path, json=body, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, json=body, **kwargs)

    def contact_id(self, name: str) -> str:
        rows = self.get("/Contacts", params={"where": f'Name=="{name}"'}).json()["Contacts"]
        return rows[0]["ContactID"]


@pytest.fixture
def app() -> XeroSandbox:
    return XeroSandbox()


@pytest.fixture
def xero(app) -> Iterator[Xero]:
    client = Xero(app)
    yield client
    client.http.close()


def invoice(contact_id: str, number: str = "S2001", **changes: Any) -> dict:
    """A sales invoice element: 2 x 75.00 on 4000 (OUTPUT2 by default), approved."""
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "InvoiceNumber": number,
        "Date": "2025-03-01",
        "DueDate": "2025-03-31",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {"Description": "Labour", "Quantity": 2, "UnitAmount": 75, "AccountCode": "4000"}
        ],
    }
    body.update(changes)
    return body
