"""Stored answers to idempotent writes (QuickBooks ``requestid``, Xero ``Idempotency-Key``,
Sage ``idempotency_id``): a repeat inside the provider's window gets the first answer again,
byte for byte, and nothing is written twice."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.wrappers import Response


@dataclass
class Reply:
    """A stored answer to an idempotency key: replayed byte for byte."""

    status: int
    body: bytes
    content_type: str
    at: float

    @classmethod
    def of(cls, response: Response, at: float) -> Reply:
        return cls(response.status_code, response.get_data(), response.content_type, at)

    def fresh(self, now: float, ttl: float | None) -> bool:
        """Still replayed at ``now``; ``ttl`` None keeps it for ever."""
        return ttl is None or now - self.at <= ttl

    def response(self) -> Response:
        return Response(self.body, status=self.status, content_type=self.content_type)
