"""Bearer API keys, their scopes, and a per-key request budget.

Two instances guard the operations: ``READ`` accepts any active key of the organisation,
``WRITE`` also refuses read-only keys (403). The organisation every query is filtered by
comes from the key, never from the request.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from ninja.security import HttpBearer

from ledgersync.api.errors import ApiError, not_found
from ledgersync.api.keys import authenticate
from ledgersync.api.models import ApiKey
from ledgersync.env import env_int
from ledgersync.records.models import Organisation

# Requests per key per minute; a fixed window kept in Django's cache (per process with the
# default local-memory cache, shared when a shared cache is configured).
REQUESTS_PER_MINUTE = env_int("LEDGERSYNC_API_REQUESTS_PER_MINUTE", 600, minimum=1)


class ApiKeyAuth(HttpBearer):
    def __init__(self, *, write: bool) -> None:
        super().__init__()
        self.write = write

    def authenticate(self, request, token: str) -> ApiKey | None:
        key = authenticate(token.strip())
        if key is None:
            return None
        _spend(key)
        if self.write and key.read_only:
            raise ApiError(
                403,
                "read_only_key",
                f"The API key '{key.name}' is read-only; use a read-write key to change data.",
            )
        return key


def _spend(key: ApiKey) -> None:
    window = int(time.time() // 60)
    slot = f"ledgersync:api:{key.prefix}:{window}"
    cache.add(slot, 0, timeout=120)
    try:
        used = cache.incr(slot)
    except ValueError:  # evicted between add and incr
        cache.set(slot, 1, timeout=120)
        used = 1
    if used > REQUESTS_PER_MINUTE:
        wait = max(1, 60 - int(time.time()) % 60)
        raise ApiError(
            429,
            "rate_limited",
            f"More than {REQUESTS_PER_MINUTE} requests this minute with this key; "
            f"try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )


READ = ApiKeyAuth(write=False)
WRITE = ApiKeyAuth(write=True)


def organisation_of(request) -> Organisation:
    return request.auth.organisation


def owned(request, rows, pk: int, what: str):
    """Row ``pk`` of ``rows`` (a manager or queryset offering ``for_org``) if it belongs to
    the caller's organisation, else a 404 naming ``what``: another tenant's ids look absent."""
    found = rows.for_org(organisation_of(request)).filter(pk=pk).first()
    if found is None:
        raise not_found(what)
    return found
