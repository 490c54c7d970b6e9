"""A request whose body never arrives whole (the client was killed mid-send) is not acted on:
no write, and no reply kept under its requestid to be replayed to the whole re-send."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

from ledgersync.sandbox.quickbooks.seed import DEMO_REALM
from ledgersync.sandbox.tests.loopback import loopback_fixtures

server, plane = loopback_fixtures("quickbooks")

BODY = json.dumps(
    {
        "BatchItemRequest": [
            {"bId": "1", "operation": "create", "Vendor": {"DisplayName": "Cut Short Ltd"}}
        ]
    }
).encode()


def _vendors(plane, token: str) -> list[dict]:
    query = "select * from Vendor where DisplayName = 'Cut Short Ltd'"
    answer = plane.get(
        f"/v3/company/{DEMO_REALM}/query",
        params={"query": query, "minorversion": "75"},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    answer.raise_for_status()
    return answer.json()["QueryResponse"].get("Vendor", [])


def test_a_body_cut_short_is_not_run_and_its_requestid_stays_unused(server, plane):
    token = plane.post("/_sandbox/tokens", json={}).json()["access_token"]
    path = f"/v3/company/{DEMO_REALM}/batch?minorversion=75&requestid=cut-1"
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port)) as sock:
        sock.sendall(head + BODY[: len(BODY) // 2])  # then the client dies
    time.sleep(0.3)
    assert _vendors(plane, token) == []

    whole = plane.post(
        path,
        content=BODY,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    assert whole.status_code == 200, whole.text
    assert "Fault" not in whole.json()["BatchItemResponse"][0]
    assert len(_vendors(plane, token)) == 1
