"""The sandbox's own clock: real time, optionally sped up, optionally pushed forward.

Token lifetimes, rate-limit windows and entity timestamps all read this clock, so a
benchmark can run an hour of "provider time" in a minute (``clock_speed``) and a test can
expire an access token without waiting (``advance``).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, speed: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._speed = speed
        self._anchor_real = time.monotonic()
        self._anchor_sandbox = time.time()

    @property
    def speed(self) -> float:
        return self._speed

    def time(self) -> float:
        """Seconds since the epoch, in sandbox time."""
        with self._lock:
            return self._anchor_sandbox + (time.monotonic() - self._anchor_real) * self._speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("clock_speed must be greater than 0")
        current = self.time()
        with self._lock:
            self._anchor_real = time.monotonic()
            self._anchor_sandbox = current
            self._speed = speed

    def advance(self, seconds: float) -> None:
        """Jump forward, e.g. to expire tokens in a test."""
        with self._lock:
            self._anchor_sandbox += seconds

    def after(self, seconds: float) -> datetime:
        return self.now() + timedelta(seconds=seconds)
