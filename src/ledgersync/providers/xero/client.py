"""Xero paths and request conventions on top of the shared ApiClient.

Every Accounting API call goes to ``/api.xro/2.0/...`` with the ``xero-tenant-id`` header;
every write carries an ``Idempotency-Key``; lists are read page by page. ``RateGate``
reads the remaining-limit headers Xero puts on every answer and holds the next call back
before Xero would answer 429, rather than after.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ledgersync.providers.errors import AuthError, RateLimited
from ledgersync.providers.http import ApiClient, Reply

API_ROOT = "/api.xro/2.0"
PAGE_SIZE = 100
MINUTE = 60.0
DAY_LIMIT_WAIT = 3600.0  # Xero does not say when its daily window resets


class RateGate:
    """Xero's limits as its headers report them: 60 calls a minute and 5,000 a day per
    organisation, 10,000 a minute per app. When a header says none are left, the next
    call waits for the minute to roll over (or is handed back as RateLimited when that
    would block longer than ``max_wait``). ``speed`` is the sandbox's clock speed-up
    (providers/config.py ``clock_speed``): its minute is ``60 / speed`` real seconds; a wait
    handed back is in the provider's seconds, as a Retry-After would be."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, speed: float = 1.0) -> None:
        self.clock = clock
        self.speed = speed
        self.minute = MINUTE / speed
        self.minute_left: int | None = None
        self.day_left: int | None = None
        self.app_minute_left: int | None = None
        self._sent: deque[float] = deque()

    def observe(self, response: httpx.Response) -> None:
        headers = response.headers
        for attribute, header in (
            ("minute_left", "X-MinLimit-Remaining"),
            ("day_left", "X-DayLimit-Remaining"),
            ("app_minute_left", "X-AppMinLimit-Remaining"),
        ):
            value = headers.get(header)
            if value is not None and value.strip().isdigit():
                setattr(self, attribute, int(value))

    def before_call(self, sleep: Callable[[float], None], max_wait: float) -> None:
        now = self.clock()
        while self._sent and self._sent[0] <= now - self.minute:
            self._sent.popleft()
        if self.day_left == 0:
            raise RateLimited(
                "Xero's daily call limit for this organisation is used up",
                retry_after=DAY_LIMIT_WAIT,
                status=None,
            )
        if self.minute_left == 0 or self.app_minute_left == 0:
            # Our own oldest call in the window is the best guess at when one frees up.
            wait = self._sent[0] + self.minute - now if self._sent else self.minute
            if wait * self.speed > max_wait:
                raise RateLimited(
                    "Xero's per-minute call limit is reached",
                    retry_after=wait * self.speed,
                    status=None,
                )
            sleep(max(wait, 0.0))
            self.minute_left = self.app_minute_left = None
        self._sent.append(self.clock())


class XeroClient:
    def __init__(self, api: ApiClient, gate: RateGate) -> None:
        self.api = api
        self.gate = gate

    @property
    def tenant(self) -> str:
        if self.api.credentials is None or not self.api.credentials.company_id:
            raise AuthError("Not connected to Xero")
        return self.api.credentials.company_id

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        key: str | None = None,
        tenant: bool = True,
        modified_since: str | None = None,
    ) -> Reply:
        headers = {"xero-tenant-id": self.tenant} if tenant else {}
        if modified_since is not None:
            headers["If-Modified-Since"] = modified_since
        if key is not None:
            headers["Idempotency-Key"] = key
        self.gate.before_call(self.api.sleep, self.api.retry.max_rate_limit_wait)
        return self.api.request(
            method, path, params=params, json_body=body, headers=headers, idempotent=key is not None
        )

    def get(
        self,
        resource: str,
        params: Mapping[str, str] | None = None,
        modified_since: str | None = None,
    ) -> Any:
        path = f"{API_ROOT}/{resource}"
        return self.request("GET", path, params=params, modified_since=modified_since).body

    def get_all(
        self,
        collection: str,
        params: Mapping[str, str] | None = None,
        modified_since: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every element of a paged list (only those changed since ``modified_since``, an
        ``If-Modified-Since`` value, when given)."""
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.get(
                collection,
                {**(params or {}), "page": str(page), "pageSize": str(PAGE_SIZE)},
                modified_since,
            )
            found = answer.get(collection) or []
            rows.extend(found)
            if len(found) < PAGE_SIZE:
                return rows
            page += 1

    def write(
        self, method: str, collection: str, body: Any, key: str, *, unitdp: bool = False
    ) -> Reply:
        """PUT (create) or POST (create or update) a batch; the reply carries one answer
        element per input."""
        params = {"summarizeErrors": "false"}
        if unitdp:
            params["unitdp"] = "4"
        reply = self.request(method, f"{API_ROOT}/{collection}", params=params, body=body, key=key)
        return reply.with_body(list(reply.body.get(collection) or []))

    def connections(self) -> list[dict[str, Any]]:
        """The tenants the current token may use (identity service, no tenant header)."""
        answer = self.request("GET", "/connections", tenant=False).body
        return answer if isinstance(answer, list) else []
