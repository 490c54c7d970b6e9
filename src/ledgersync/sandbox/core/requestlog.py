"""The request log behind GET /_sandbox/requests.

Each entry: method, path, query, status, request_body, response_body, at. Headers are never
kept, and token-bearing fields in bodies are masked, so the log can be printed in a test
failure or shown in the demo without leaking credentials.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any
from urllib.parse import parse_qsl

from ledgersync.sandbox.core import wire

MASK = "[redacted]"
SECRET_KEYS = frozenset(
    {"access_token", "refresh_token", "id_token", "code", "client_secret", "token", "password"}
)
MAX_TEXT = 4000
MAX_ENTRIES = 5000


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK if k in SECRET_KEYS else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def parse_body(raw: bytes, content_type: str) -> Any:
    """A loggable form of a body: JSON and forms parsed and masked, other text trimmed."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return redact(wire.loads(text))
        except ValueError:
            pass
    if "x-www-form-urlencoded" in content_type:
        return redact(dict(parse_qsl(text, keep_blank_values=True)))
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


def parse_query(query_string: str) -> dict[str, str]:
    return redact(dict(parse_qsl(query_string, keep_blank_values=True)))


class RequestLog:
    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=limit)

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
