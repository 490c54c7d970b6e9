from __future__ import annotations

import httpx
import pytest

from ledgersync.sandbox import make_app, start_server

ROOT = "http://sandbox.test"
REALM = "9341452168453012"


class Wire:
    """One sandbox reached either in-process or over a real loopback socket."""

    def __init__(self, app, base_url: str, transport=None) -> None:
        self.app = app
        self.plane = httpx.Client(base_url=base_url, transport=transport, timeout=5)
        token = self.plane.post("/_sandbox/tokens", json={}).json()["access_token"]
        self.api = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=5,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def fault(self, **body) -> httpx.Response:
        response = self.plane.post("/_sandbox/faults", json=body)
        assert response.status_code == 201, response.text
        return response

    def create_vendor(self, name: str, **kwargs) -> httpx.Response:
        return self.api.post(f"/v3/company/{REALM}/vendor", json={"DisplayName": name}, **kwargs)

    def vendors_named(self, name: str) -> list[dict]:
        query = f"select * from Vendor where DisplayName = '{name}'"
        body = self.api.get(f"/v3/company/{REALM}/query", params={"query": query}).json()
        return body["QueryResponse"].get("Vendor", [])


@pytest.fixture
def server():
    running = start_server("quickbooks")
    yield running
    running.stop()


@pytest.fixture(params=["in-process", "socket"])
def wire(request) -> Wire:
    if request.param == "in-process":
        app = make_app("quickbooks")
        return Wire(app, ROOT, app.transport())
    running = start_server("quickbooks")
    request.addfinalizer(running.stop)
    return Wire(running.app, running.url)
