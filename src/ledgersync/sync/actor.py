"""Who is acting now, for records written far from the request that caused them (a
problem marked resolved deep inside a re-assessment): the signed-in user on the web
(web/middleware: ``ActingUser``), the user who asked for a bulk action while a worker does
it; nobody (None) for ledgersync's own work, a run on its schedule or an API key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_acting: ContextVar = ContextVar("ledgersync_acting_user", default=None)


def current():
    """The acting user, or None. A request's user is looked up only now, when something
    needs it (a health check with the database away never asks)."""
    found = _acting.get()
    user = found() if callable(found) else found
    return user if user is not None and user.is_authenticated else None


@contextmanager
def acting(user) -> Iterator[None]:
    """``user`` (or a callable answering it) acts for the code inside."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)
