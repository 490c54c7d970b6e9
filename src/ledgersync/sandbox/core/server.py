"""A threaded loopback HTTP server for a sandbox: one thread per connection, HTTP/1.1
keep-alive, and a real dropped connection for the ``drop_after_write`` fault.

It is a small WSGI host on the standard library's ``ThreadingHTTPServer`` rather than
waitress because a fault must be able to close the socket without any response, which
general-purpose servers turn into a 500.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from ledgersync.sandbox.core import wsgi
from ledgersync.sandbox.core.faults import ConnectionDropped

if TYPE_CHECKING:
    from ledgersync.sandbox.core.app import SandboxApp

IDLE_TIMEOUT = 30  # seconds a keep-alive connection may sit idle


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ledgersync-sandbox"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the sandbox keeps its own request log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away mid-body (a killed worker): a real server never acts on a
            # request it did not receive whole, so nothing runs and no reply is kept.
            self.close_connection = True
            return
        try:
            status, headers, content = wsgi.call(self.server.app, self._environ(body))
        except ConnectionDropped:
            self._drop()
            return
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in {"content-length", "connection"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _environ(self, body: bytes) -> dict:
        path, _, query = self.path.partition("?")
        return wsgi.environ(
            self.command,
            unquote_to_bytes(path).decode("latin-1"),
            query,
            self.headers.items(),
            body,
            server=self.server.host_port,
            protocol=self.request_version,
            remote=self.client_address[0],
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    app: SandboxApp

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        # typeshed allows bytes for any address family; an AF_INET socket names its host as str.
        assert isinstance(host, str)
        return host, port


class SandboxServer:
    """A sandbox listening on a real socket; ``url``, ``app`` and ``stop()``."""

    def __init__(self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._httpd = _Server((host, port), _Handler)
        self._httpd.app = app
        self.host, self.port = self._httpd.host_port
        self.url = f"http://{self.host}:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name=f"sandbox-{self.app.slug}-{self.port}",
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self.app.sleeper.wake_all()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
