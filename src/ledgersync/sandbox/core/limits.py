"""Rate limits per company: requests per minute and per day, concurrent requests,
named extra per-minute buckets (QuickBooks counts batch calls separately), and a fixed
latency added to every API call.

Windows are measured on the sandbox clock, so a clock speed-up shortens them too.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from ledgersync.sandbox.core.clock import Clock

MINUTE = 60.0
DAY = 86400.0


class Throttled(Exception):
    """The company is over one of its limits; the provider answers with its 429."""

    def __init__(self, limit: str) -> None:
        super().__init__(f"over the {limit} limit")
        self.limit = limit


@dataclass
class Limits:
    per_minute: int | None = None
    per_day: int | None = None
    concurrent: int | None = None
    latency_ms: int = 0
    clock_speed: float = 1.0
    # Extra per-minute buckets a provider names, e.g. {"batch_per_minute": 40}.
    buckets: dict[str, int | None] = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(data.pop("buckets"))
        return data


class RateLimiter:
    """Admits or refuses API calls per company; thread-safe."""

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._minute: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._days: dict[str, tuple[int, int]] = {}
        self._in_flight: dict[str, int] = defaultdict(int)

    def update(self, changes: dict) -> Limits:
        """Apply a PUT /_sandbox/limits body; unknown keys raise ValueError."""
        known = {"per_minute", "per_day", "concurrent", "latency_ms", "clock_speed"}
        with self._lock:
            for key, value in changes.items():
                if key in known:
                    setattr(self.limits, key, _checked(key, value))
                elif key in self.limits.buckets:
                    self.limits.buckets[key] = _checked_count(key, value)
                else:
                    raise ValueError(f"unknown limit {key!r}")
        if "clock_speed" in changes:
            self._clock.set_speed(float(self.limits.clock_speed))
        return self.limits

    def pause(self) -> None:
        if self.limits.latency_ms:
            time.sleep(self.limits.latency_ms / 1000)

    @contextmanager
    def admit(self, company: str, buckets: tuple[str, ...] = ()) -> Iterator[None]:
        """Count one call against ``company``; raise Throttled when over a limit."""
        self._enter(company, buckets)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[company] -= 1

    def _enter(self, company: str, buckets: tuple[str, ...]) -> None:
        now = self._clock.time()
        limits = self.limits
        windows = [("per_minute", limits.per_minute)]
        windows += [(name, limits.buckets.get(name)) for name in buckets]
        with self._lock:
            if limits.concurrent is not None and self._in_flight[company] >= limits.concurrent:
                raise Throttled("concurrent")
            for name, allowed in windows:
                if allowed is not None and self._count(company, name, now) >= allowed:
                    raise Throttled(name)
            day = int(now // DAY)
            seen_day, used = self._days.get(company, (day, 0))
            used = used if seen_day == day else 0
            if limits.per_day is not None and used >= limits.per_day:
                raise Throttled("per_day")
            self._days[company] = (day, used + 1)
            for name, _allowed in windows:
                self._minute[(company, name)].append(now)
            self._in_flight[company] += 1

    def remaining(self, company: str) -> dict[str, int | None]:
        """Calls ``company`` has left: ``per_minute`` and ``per_day`` (None = unlimited)."""
        now = self._clock.time()
        limits = self.limits
        with self._lock:
            used_minute = self._count(company, "per_minute", now)
            seen_day, used_day = self._days.get(company, (int(now // DAY), 0))
            used_day = used_day if seen_day == int(now // DAY) else 0
        minute, day = limits.per_minute, limits.per_day
        return {
            "per_minute": None if minute is None else max(0, minute - used_minute),
            "per_day": None if day is None else max(0, day - used_day),
        }

    def calls_this_minute(self) -> int:
        """Calls in the last minute across every company (an app-wide limit's count)."""
        now = self._clock.time()
        with self._lock:
            companies = {company for company, name in self._minute if name == "per_minute"}
            return sum(self._count(company, "per_minute", now) for company in companies)

    def seconds_until_free(self, company: str, limit: str) -> float:
        """Sandbox seconds until ``limit`` admits ``company`` again (0 when it would now)."""
        now = self._clock.time()
        if limit == "per_day":
            return (int(now // DAY) + 1) * DAY - now
        if limit == "concurrent":
            return 1.0
        with self._lock:
            self._count(company, limit, now)
            stamps = self._minute.get((company, limit))
            return max(0.0, stamps[0] + MINUTE - now) if stamps else 0.0

    def _count(self, company: str, name: str, now: float) -> int:
        stamps = self._minute[(company, name)]
        while stamps and stamps[0] <= now - MINUTE:
            stamps.popleft()
        return len(stamps)


def _checked(key: str, value: object) -> int | float | None:
    if key == "clock_speed":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError("clock_speed must be a number greater than 0")
        return float(value)
    return _checked_count(key, value)


def _checked_count(key: str, value: object) -> int | None:
    if value is None and key != "latency_ms":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"{key} must be a whole number >= 0" + ("" if key == "latency_ms" else " or null")
        )
    return value
