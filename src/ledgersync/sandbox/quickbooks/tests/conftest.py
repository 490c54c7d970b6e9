from __future__ import annotations

import httpx
import pytest

from ledgersync.sandbox import make_app
from ledgersync.sandbox.quickbooks.seed import DEMO_REALM, SECOND_REALM

ROOT = "http://qbo.sandbox.test"


class Api:
    """A bearer-authenticated client for one realm of an in-process sandbox."""

    def __init__(self, app, realm: str = DEMO_REALM) -> None:
        self.app = app
        self.realm = realm
        self.tokens = app.mint_tokens(company_id=realm)
        self.http = httpx.Client(
            transport=app.transport(),
            base_url=ROOT,
            headers={
                "Authorization": f"Bearer {self.tokens['access_token']}",
                "Accept": "application/json",
            },
        )

    def url(self, path: str) -> str:
        return f"/v3/company/{self.realm}/{path.lstrip('/')}"

    def get(self, path: str, **params) -> httpx.Response:
        return self.http.get(self.url(path), params={"minorversion": "75", **params})

    def post(self, path: str, body, **params) -> httpx.Response:
        return self.http.post(self.url(path), json=body, params={"minorversion": "75", **params})

    def query(self, text: str) -> httpx.Response:
        return self.get("query", query=text)

    def rows(self, text: str, entity: str) -> list[dict]:
        response = self.query(text)
        assert response.status_code == 200, response.text
        return response.json()["QueryResponse"].get(entity, [])

    def one(self, entity: str, field: str, value: str) -> dict:
        found = self.rows(f"select * from {entity} where {field} = '{value}'", entity)
        assert len(found) == 1, found
        return found[0]


@pytest.fixture
def app():
    return make_app("quickbooks")


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def us_api() -> Api:
    return Api(make_app("quickbooks", second_company_country="US"), SECOND_REALM)


def fault_of(response: httpx.Response) -> dict:
    body = response.json()
    assert set(body) == {"Fault", "time"}, body
    return body["Fault"]
