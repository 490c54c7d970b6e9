"""Calls to a provider spaced so that no window of its limit holds more than it allows.

Sage allows "200 calls in any 60 second period": a sliding window, so a token bucket that
refills at the limit and also allows a burst lets 220 through in some minute and collects
429s. A Pace instead spaces calls ``interval`` apart on average, the limit less a small
margin (MARGIN), and lets a few go at once after a quiet spell (``burst``, what the margin
leaves room for): a generic cell rate, so any 60 seconds hold at most
1 + 60 / interval + burst calls, 199 of Sage's 200, however the calls fall. Threads pushing
with one connector share its Pace.

Where the pace stands (``next_slot``, wall-clock seconds) outlives the connector: the
engine keeps it on the connection after each batch (sync/connections.py ``touch``) and the
next step's connector resumes from it, so a new step starts where the last one stopped
rather than with a fresh allowance.

``speed`` is the sandbox's clock speed-up (providers/config.py ``clock_speed``): its minute
passes ``speed`` times faster, so the spacing shrinks to match. It is 1 against a real
provider.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MARGIN = 0.97  # pace at 97 % of the limit: 194 calls a minute where 200 are allowed


class Pace:
    def __init__(
        self,
        per_minute: int,
        *,
        speed: float = 1.0,
        margin: float = MARGIN,
        burst: int | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / (per_minute * margin) / speed
        # What the margin leaves of the limit, less one for the window's edge and one spare.
        self.burst = max(0, int(per_minute * (1 - margin)) - 2) if burst is None else burst
        self.next_slot = 0.0  # when the next call is due if calls kept to the pace
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    def resume(self, next_slot: float | None) -> None:
        """Carry on from a pace kept elsewhere (a later slot than ours wins)."""
        if next_slot:
            with self._lock:
                self.next_slot = max(self.next_slot, next_slot)

    def take(self) -> None:
        """Wait, if need be, until this call keeps to the pace (at most ``burst`` calls
        ahead of it), and count it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self.next_slot - self.burst * self.interval)
            self.next_slot = max(self.next_slot, slot) + self.interval
        if slot > now:
            self._sleep(slot - now)
