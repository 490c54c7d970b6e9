"""Fault injection: make the next matching request fail the way networks and providers do.

A fault is registered with POST /_sandbox/faults and fires ``count`` times (default once)
or, with ``probability``, on that share of matching requests until cleared. Without a
``path`` it matches API calls only; with one it matches any provider request whose path
contains it (or matches it as a glob when it has ``*``), so the token endpoint can be hit too.

    error               500 in the provider's shape on any matching call, read or write
    error_before_write  500 in the provider's shape on a write; nothing is stored
    error_after_write   the write is committed, then 500
    drop_after_write    the write is committed, then the connection closes with no response
    slow                the request sleeps ``seconds`` (default 30) before it runs
    rate_limit          the provider's 429
    revoke_token        the company's tokens stop working (401 on the API, invalid_grant on
                        refresh); without a path this happens at once when registered
"""

from __future__ import annotations

import enum
import fnmatch
import itertools
import random
import threading
from dataclasses import dataclass


class FaultKind(enum.StrEnum):
    ERROR = "error"
    ERROR_BEFORE_WRITE = "error_before_write"
    ERROR_AFTER_WRITE = "error_after_write"
    DROP_AFTER_WRITE = "drop_after_write"
    SLOW = "slow"
    RATE_LIMIT = "rate_limit"
    REVOKE_TOKEN = "revoke_token"

    @property
    def needs_write(self) -> bool:
        return self in WRITE_KINDS


WRITE_KINDS = {
    FaultKind.ERROR_BEFORE_WRITE,
    FaultKind.ERROR_AFTER_WRITE,
    FaultKind.DROP_AFTER_WRITE,
}
DEFAULT_SLOW_SECONDS = 30.0


class ConnectionDropped(Exception):
    """Raised out of the WSGI app: the server closes the socket without answering."""


@dataclass
class Fault:
    id: int
    kind: FaultKind
    count: int | None = 1
    probability: float | None = None
    path: str | None = None
    company: str | None = None
    seconds: float = DEFAULT_SLOW_SECONDS

    def matches(self, path: str, *, is_api: bool, is_write: bool, company: str | None) -> bool:
        if self.kind.needs_write and not is_write:
            return False
        if self.company is not None and self.company != company:
            return False
        if self.path is None:
            return is_api
        if "*" in self.path or "?" in self.path:
            return fnmatch.fnmatchcase(path, self.path)
        return self.path in path

    def as_dict(self) -> dict:
        data: dict[str, object] = {
            "id": self.id,
            "kind": self.kind.value,
            "path": self.path,
            "company": self.company,
        }
        if self.probability is not None:
            data["probability"] = self.probability
        else:
            data["count"] = self.count
        if self.kind is FaultKind.SLOW:
            data["seconds"] = self.seconds
        return data


def parse_fault(body: object, fault_id: int) -> Fault:
    """A Fault from a POST /_sandbox/faults body, or ValueError saying what is wrong."""
    if not isinstance(body, dict):
        raise ValueError('send a JSON object like {"kind": "error_before_write"}')
    unknown = set(body) - {"kind", "count", "probability", "path", "company", "seconds"}
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    try:
        kind = FaultKind(body.get("kind", ""))
    except ValueError:
        kinds = ", ".join(k.value for k in FaultKind)
        raise ValueError(f"kind must be one of: {kinds}") from None
    count, probability = body.get("count"), body.get("probability")
    if count is not None and probability is not None:
        raise ValueError("give count or probability, not both")
    if probability is not None:
        if (
            isinstance(probability, bool)
            or not isinstance(probability, int | float)
            or not 0 < probability <= 1
        ):
            raise ValueError("probability must be a number in (0, 1]")
        count = None
    elif count is None:
        count = 1
    elif isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError("count must be a whole number >= 1")
    seconds = body.get("seconds", DEFAULT_SLOW_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError("seconds must be a number >= 0")
    for name in ("path", "company"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise ValueError(f"{name} must be a string")
    return Fault(
        id=fault_id,
        kind=kind,
        count=count,
        probability=float(probability) if probability is not None else None,
        path=body.get("path"),
        company=body.get("company"),
        seconds=float(seconds),
    )


class FaultBook:
    """The registered faults; thread-safe. ``take`` consumes the first one that fires."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._rng = rng or random.Random()

    def add(self, body: object) -> Fault:
        with self._lock:
            fault = parse_fault(body, next(self._ids))
            self._faults.append(fault)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, path: str, *, is_api: bool, is_write: bool, company: str | None) -> list[Fault]:
        """The faults that fire for this request: at most one of each kind."""
        fired: dict[FaultKind, Fault] = {}
        with self._lock:
            for fault in list(self._faults):
                if fault.kind in fired:
                    continue
                if not fault.matches(path, is_api=is_api, is_write=is_write, company=company):
                    continue
                if fault.probability is not None:
                    if self._rng.random() >= fault.probability:
                        continue
                else:
                    assert fault.count is not None  # parse_fault sets count or probability
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                fired[fault.kind] = fault
        return list(fired.values())
