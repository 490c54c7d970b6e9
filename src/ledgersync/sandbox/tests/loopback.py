"""A sandbox on a real loopback socket for tests that drive it with a provider's public SDK
(which brings its own HTTP client): one server per test module, reset before each test."""

from __future__ import annotations

import httpx
import pytest

from ledgersync.sandbox import start_server


def loopback_fixtures(slug: str):
    """``server, plane = loopback_fixtures("xero")`` in a test module: ``server`` is the
    ``slug`` sandbox on a loopback port for the module, ``plane`` its control plane, reset
    before each test."""

    @pytest.fixture(scope="module")
    def server():
        running = start_server(slug)
        yield running
        running.stop()

    @pytest.fixture
    def plane(server):
        with httpx.Client(base_url=server.url, timeout=10) as client:
            client.post("/_sandbox/reset").raise_for_status()
            yield client

    return server, plane
