"""Fault injection: make the next matching request fail the way networks and providers do.

A fault is registered with POST /_sandbox/faults and fires ``count`` times (default once)
or, with ``probability``, on that share of matching requests until cleared. Without a
``path`` it matches API calls only; with one it matches any provider request whose path
contains it (or matches it as a glob when it has ``*``), so the token endpoint can be hit too.

    error               500 in the provider's shape on any matching call, read or write
    error_before_write  500 in the provider's shape on a write; nothing is stored
    error_after_write   the write is committed, then 500
    drop_after_write    the write is committed, then the connection closes with no response
    late_write          the write is held past the client's timeout (it sees a timeout, or on a
                        socket a dropped connection), then committed ``delay`` sandbox seconds
                        later (default 100; a clock speed-up shortens it): the original lands
                        late, after the client may have looked for it and sent it again
    slow                the request sleeps ``seconds`` (default 30) before it runs
    rate_limit          the provider's 429
    revoke_token        the company's tokens stop working (401 on the API, invalid_grant on
                        refresh); without a path this happens at once when registered
"""

from __future__ import annotations

import enum
import fnmatch
import itertools
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


class FaultKind(enum.StrEnum):
    ERROR = "error"
    ERROR_BEFORE_WRITE = "error_before_write"
    ERROR_AFTER_WRITE = "error_after_write"
    DROP_AFTER_WRITE = "drop_after_write"
    SLOW = "slow"
    RATE_LIMIT = "rate_limit"
    REVOKE_TOKEN = "revoke_token"
    LATE_WRITE = "late_write"

    @property
    def needs_write(self) -> bool:
        return self in WRITE_KINDS


WRITE_KINDS = {
    FaultKind.ERROR_BEFORE_WRITE,
    FaultKind.ERROR_AFTER_WRITE,
    FaultKind.DROP_AFTER_WRITE,
    FaultKind.LATE_WRITE,
}
DEFAULT_SLOW_SECONDS = 30.0
DEFAULT_LATE_SECONDS = 100.0  # the proxy in issue 12 held Xero's PUTs this long


class ConnectionDropped(Exception):
    """Raised out of the WSGI app: the server closes the socket without answering."""


class WriteHeld(ConnectionDropped):
    """Raised out of the WSGI app for a ``late_write``: in-process the client times out; on a
    socket the connection closes. The write itself lands later (``LateWrites``)."""


@dataclass
class Fault:
    id: int
    kind: FaultKind
    count: int | None = 1
    probability: float | None = None
    path: str | None = None
    company: str | None = None
    seconds: float = DEFAULT_SLOW_SECONDS
    delay: float = DEFAULT_LATE_SECONDS

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
        if self.kind is FaultKind.LATE_WRITE:
            data["delay"] = self.delay
        return data


def parse_fault(body: object, fault_id: int) -> Fault:
    """A Fault from a POST /_sandbox/faults body, or ValueError saying what is wrong."""
    if not isinstance(body, dict):
        raise ValueError('send a JSON object like {"kind": "error_before_write"}')
    unknown = set(body) - {"kind", "count", "probability", "path", "company", "seconds", "delay"}
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
    seconds = _seconds(body, "seconds", DEFAULT_SLOW_SECONDS)
    delay = _seconds(body, "delay", DEFAULT_LATE_SECONDS)
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
        seconds=seconds,
        delay=delay,
    )


def _seconds(body: dict, name: str, default: float) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number >= 0")
    return float(value)


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


class LateWrites:
    """Writes held by ``late_write`` faults; each lands on its own timer, or all at once when
    ``land_all`` is called (tests and benchmarks choose the moment). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[int, tuple[threading.Timer, Callable[[], object]]] = {}
        self._ids = itertools.count(1)

    def hold(self, land: Callable[[], object], seconds: float) -> None:
        """Run ``land`` after ``seconds`` of real time, unless landed or cancelled first."""
        held_id = next(self._ids)
        timer = threading.Timer(seconds, self._land, args=(held_id,))
        timer.daemon = True  # a held write never keeps a test run or a server from exiting
        with self._lock:
            self._held[held_id] = (timer, land)
        timer.start()

    def count(self) -> int:
        with self._lock:
            return len(self._held)

    def land_all(self) -> int:
        """Land every held write now, oldest first; returns how many landed."""
        with self._lock:
            ids = sorted(self._held)
        return sum(self._land(held_id) for held_id in ids)

    def cancel_all(self) -> None:
        """Forget every held write (a reset): none of them lands."""
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for timer, _ in held:
            timer.cancel()

    def _land(self, held_id: int) -> bool:
        with self._lock:
            entry = self._held.pop(held_id, None)
        if entry is None:
            return False  # landed already, or cancelled by a reset
        timer, land = entry
        timer.cancel()
        try:
            land()
        except Exception:  # a late write that fails is lost, as on a real server
            log.exception("a late write failed to land")
        return True
