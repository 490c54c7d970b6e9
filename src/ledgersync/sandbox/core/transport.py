"""An httpx transport that runs a sandbox in-process, with the wire's failure modes.

Unlike ``httpx.WSGITransport`` it reproduces what a socket would show the client:
a dropped connection raises ``httpx.RemoteProtocolError``, and a request that takes longer
than the client's read timeout raises ``httpx.ReadTimeout`` while the sandbox carries on
(and commits) in the background, as a real server would.
"""

from __future__ import annotations

import io
import sys
import threading
from typing import TYPE_CHECKING, Any

import httpx

from ledgersync.sandbox.core.faults import ConnectionDropped

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
        if isinstance(error, ConnectionDropped):
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if error is not None:
            raise error
        status, headers, content = outcome["response"]
        return httpx.Response(status, headers=headers, content=content, request=request)


def _call(app: SandboxApp, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = headers
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return started["status"], started["headers"], content


def _environ(request: httpx.Request, body: bytes) -> dict:
    url = request.url
    environ = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": url.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": url.query.decode("ascii"),
        "SERVER_NAME": url.host or "sandbox",
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in request.headers.multi_items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    return environ
