"""Loopback proxies the production smoke test puts between ledgersync and the world.

``TcpProxy`` stands between ledgersync and PostgreSQL or Redis: ``cut()`` drops every open
connection and stops listening (the service is unreachable, as when its machine goes away),
``restore()`` listens on the same port again. ``TlsProxy`` is the HTTPS front a deployment
has (Caddy, nginx): it terminates TLS and passes each request on with the
``X-Forwarded-Proto/For/Host`` headers such a proxy adds, one request per connection.

Each runs its own asyncio loop in a daemon thread, so a test drives it from plain code.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Coroutine

HEAD_LIMIT = 64 * 1024
DROPPED = (b"connection", b"keep-alive", b"x-forwarded-proto", b"x-forwarded-for")
DROPPED += (b"x-forwarded-host", b"forwarded", b"proxy-connection")


class _Loop:
    """An asyncio loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coroutine: Coroutine, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class _Server:
    """A listening socket on a fixed loopback port whose connections can all be dropped."""

    def __init__(self, port: int = 0, ssl_context: ssl.SSLContext | None = None) -> None:
        self._loop = _Loop()
        self.port = port
        self.ssl_context = ssl_context
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.restore()

    async def _handle(self, reader, writer) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def _tracked(self, reader, writer) -> None:
        self.writers.add(writer)
        try:
            await self._handle(reader, writer)
        finally:
            self.writers.discard(writer)

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(
            self._tracked, "127.0.0.1", self.port, ssl=self.ssl_context, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self.writers.clear()

    def restore(self) -> None:
        if self.server is None:
            self._loop.call(self._listen())

    def cut(self) -> None:
        self._loop.call(self._cut())

    def close(self) -> None:
        self.cut()
        self._loop.close()


class TcpProxy(_Server):
    """Bytes both ways between a client and ``target_port`` on loopback."""

    def __init__(self, target_port: int, port: int = 0) -> None:
        self.target_port = target_port
        super().__init__(port)

    async def _handle(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.writers.add(up_writer)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self.writers.discard(up_writer)


class TlsProxy(_Server):
    """HTTPS in, HTTP to ``target_port`` out, with the forwarding headers a proxy adds."""

    def __init__(self, target_port: int, ssl_context: ssl.SSLContext, port: int = 0) -> None:
        self.target_port = target_port
        super().__init__(port, ssl_context)

    async def _handle(self, reader, writer) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.transport.abort()
            return
        if len(head) > HEAD_LIMIT:
            writer.transport.abort()
            return
        request_line, *header_lines = head[:-4].split(b"\r\n")
        host = b""
        kept = []
        for line in header_lines:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"host":
                host = value.strip()
            if name.strip().lower() not in DROPPED:
                kept.append(line)
        peer = writer.get_extra_info("peername")[0].encode()
        kept += [
            b"X-Forwarded-Proto: https",
            b"X-Forwarded-For: " + peer,
            b"X-Forwarded-Host: " + host,
            b"Connection: close",
        ]
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        up_writer.write(b"\r\n".join([request_line, *kept]) + b"\r\n\r\n")
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
