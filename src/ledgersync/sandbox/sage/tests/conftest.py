from __future__ import annotations

import httpx
import pytest

from ledgersync.sandbox import make_app
from ledgersync.sandbox.sage.seed import DEMO_ID

ROOT = "http://sage.sandbox.test"


class Api:
    """A bearer-authenticated client for one business of an in-process Sage sandbox."""

    def __init__(self, app, business: str = DEMO_ID) -> None:
        self.app = app
        self.business = business
        self.tokens = app.mint_tokens(company_id=business)
        self.http = httpx.Client(
            transport=app.transport(),
            base_url=ROOT,
            headers={
                "Authorization": f"Bearer {self.tokens['access_token']}",
                "X-Business": business,
            },
        )

    def get(self, path: str, **params) -> httpx.Response:
        return self.http.get(f"/v3.1{path}", params=params)

    def post(self, path: str, body) -> httpx.Response:
        return self.http.post(f"/v3.1{path}", json=body)

    def items(self, path: str, **params) -> list[dict]:
        response = self.get(path, items_per_page=200, attributes="all", **params)
        assert response.status_code == 200, response.text
        return response.json()["$items"]

    def one(self, path: str, field: str, value) -> dict:
        found = [row for row in self.items(path) if row[field] == value]
        assert len(found) == 1, found
        return found[0]

    def account(self, code: int) -> str:
        return self.one("/ledger_accounts", "nominal_code", code)["id"]

    def contact(self, name: str) -> str:
        return self.one("/contacts", "name", name)["id"]


@pytest.fixture
def app():
    return make_app("sage")


@pytest.fixture
def api(app) -> Api:
    return Api(app)


def invoice_body(api: Api, **changes) -> dict:
    line = {
        "description": "Labour, 2 hours",
        "ledger_account_id": api.account(4000),
        "quantity": 2,
        "unit_price": 75.0,
        "tax_rate_id": "GB_STANDARD",
        "tax_amount": 30.0,
    }
    line.update(changes.pop("line", {}))
    body = {
        "contact_id": api.contact("Harbour Cafe"),
        "date": "2025-03-01",
        "reference": "S2001",
        "invoice_lines": [line],
    }
    body.update(changes)
    return {"sales_invoice": body}
