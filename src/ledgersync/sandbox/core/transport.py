"""An httpx transport that runs a sandbox in-process, with the wire's failure modes.

Unlike ``httpx.WSGITransport`` it reproduces what a socket would show the client:
a dropped connection raises ``httpx.RemoteProtocolError``, and a request that takes longer
than the client's read timeout raises ``httpx.ReadTimeout`` while the sandbox carries on
(and commits) in the background, as a real server would.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import httpx

from ledgersync.sandbox.core import wsgi
from ledgersync.sandbox.core.faults import ConnectionDropped, WriteHeld

if TYPE_CHECKING:
    from ledgersync.sandbox.core.app import SandboxApp


class SandboxTransport(httpx.BaseTransport):
    def __init__(self, app: SandboxApp) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        environ = _environ(request, body)
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                outcome["response"] = _call(self.app, environ)
            except BaseException as exc:  # handed to the caller's thread below
                outcome["error"] = exc
            finally:
                done.set()

        timeout = (request.extensions.get("timeout") or {}).get("read")
        if timeout is None:
            run()
        else:
            # A daemon thread, so a sandbox still sleeping on a "slow" fault never blocks exit.
            threading.Thread(target=run, daemon=True, name="sandbox-request").start()
            if not done.wait(timeout):
                raise httpx.ReadTimeout("timed out waiting for the sandbox", request=request)
        error = outcome.get("error")
        if isinstance(error, WriteHeld):
            # The write is held past any timeout the client set: it gives up waiting.
            raise httpx.ReadTimeout("timed out waiting for the sandbox", request=request)
        if isinstance(error, ConnectionDropped):
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if error is not None:
            raise error
        status, headers, content = outcome["response"]
        return httpx.Response(status, headers=headers, content=content, request=request)


def _call(app: SandboxApp, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    status, headers, content = wsgi.call(app, environ)
    return int(status.split(" ", 1)[0]), headers, content


def _environ(request: httpx.Request, body: bytes) -> dict:
    url = request.url
    return wsgi.environ(
        request.method,
        url.path.encode("utf-8").decode("latin-1"),
        url.query.decode("ascii"),
        request.headers.multi_items(),
        body,
        server=(url.host or "sandbox", url.port or (443 if url.scheme == "https" else 80)),
        scheme=url.scheme or "http",
    )
