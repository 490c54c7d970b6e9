"""An httpx transport that keeps what was said, with secrets removed, for the audit log."""

from __future__ import annotations

import re

import httpx

from ledgersync.providers.http import request_id_of

MAX_BODY = 20_000
_SECRET_FIELDS = re.compile(
    r'("?(?:access_token|refresh_token|id_token|client_secret|code|password|token)"?\s*[:=]\s*"?)'
    r'([^"&,\s}]+)',
    re.IGNORECASE,
)


def redact(text: str) -> str:
    return _SECRET_FIELDS.sub(r"\1[removed]", text)[:MAX_BODY]


class RecordingTransport(httpx.BaseTransport):
    """Wraps a transport; ``take()`` returns and clears the exchanges seen since last time;
    ``request_id`` is the provider's id of the latest answer that carried one."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self._exchanges: list[tuple[str, str]] = []
        self.request_id = ""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = redact(request.content.decode(errors="replace"))
        sent = f"{request.method} {request.url.copy_with(query=None)}\n{body}"
        response = self.inner.handle_request(request)
        response.read()
        received = f"{response.status_code}\n{redact(response.text)}"
        self.request_id = request_id_of(response) or self.request_id
        self._exchanges.append((sent, received))
        return response

    def take(self) -> tuple[str, str]:
        exchanges, self._exchanges = self._exchanges, []
        return (
            "\n\n".join(s for s, _ in exchanges)[:MAX_BODY],
            "\n\n".join(r for _, r in exchanges)[:MAX_BODY],
        )

    def close(self) -> None:
        self.inner.close()
