"""A sandbox called as a WSGI app by its two hosts, the loopback server and the in-process
transport: one environ and one call, so a request looks the same to the app either way."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgersync.sandbox.core.app import SandboxApp


def environ(
    method: str,
    path_info: str,
    query: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    server: tuple[str, int | str],
    scheme: str = "http",
    protocol: str = "HTTP/1.1",
    remote: str = "127.0.0.1",
) -> dict:
    """The WSGI environ of one request; ``path_info`` is already the latin-1 text WSGI wants."""
    host, port = server
    result = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": str(host),
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": protocol,
        "REMOTE_ADDR": remote,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            result["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":  # the body's own length stands, whatever was sent
            result[f"HTTP_{key}"] = value
    return result


def call(app: SandboxApp, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the app: its status line (``"200 OK"``), headers and whole body."""
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
        started["status"], started["headers"] = status, headers
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return started["status"], started["headers"], content
