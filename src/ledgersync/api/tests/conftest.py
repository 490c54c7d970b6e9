"""API test fixtures: an organisation with keys, a client that sends them, and the sync
fixtures (a provider sandbox on a real socket, the demo organisation connected to it)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.records.tests.factories import make_org
from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401 (fixtures)


class ApiClient:
    """Django's test client speaking JSON with a bearer key."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def call(self, method: str, path: str, body=None, **query):
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        kwargs = {"headers": self._headers()}
        if body is not None:
            kwargs.update(
                data=json.dumps(body) if not isinstance(body, str | bytes) else body,
                content_type="application/json",
            )
        elif query:
            kwargs["data"] = query
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, path, **query):
        return self.call("GET", path, **query)

    def post(self, path, body=None):
        return self.call("POST", path, body if body is not None else {})

    def patch(self, path, body):
        return self.call("PATCH", path, body)

    def put(self, path, body):
        return self.call("PUT", path, body)

    def delete(self, path):
        return self.call("DELETE", path)


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def api(org):
    return ApiClient(create_key(org, "job system")[1])


@pytest.fixture
def read_only_api(org):
    return ApiClient(create_key(org, "reports", read_only=True)[1])


@pytest.fixture
def other_api(db):
    return ApiClient(create_key(make_org("other", "Other Trades Ltd"), "theirs")[1])
