"""What went wrong talking to a provider, said so the engine knows what to do next.

::

    ProviderError           kind          the engine ...
    ├── PermanentError      PERMANENT     shows REJECTED with the message; the input must change
    │   └── InvalidAccsId   ACCS_ID       shows ACCOUNT_ID_INVALID; the typed id has the wrong shape
    ├── RetriableError      RETRIABLE     tries again later; nothing was written
    │   └── RateLimited     RATE_LIMITED  waits ``retry_after`` seconds, then tries again
    ├── UncertainError      UNCERTAIN     looks the document up by number before sending it again
    └── AuthError           AUTH          shows RELINK_NEEDED; the connection must be made again

The class is the decision: callers branch on ``error.kind`` (or ``isinstance``), never on
the message text. Which class an HTTP status becomes is decided in one place,
``ledgersync.providers.http.error_for_status``. Messages are the provider's reason in plain
words and never contain tokens or secrets.
"""

from __future__ import annotations

import enum


class ErrorKind(enum.StrEnum):
    PERMANENT = "permanent"
    ACCS_ID = "accs_id"
    RETRIABLE = "retriable"
    RATE_LIMITED = "rate_limited"
    UNCERTAIN = "uncertain"
    AUTH = "auth"


class ProviderError(Exception):
    """Base of every error a connector raises or returns in a PushResult.

    ``message`` is fit to show a person; ``code`` is the provider's own error code when it
    gave one (QuickBooks ``6140``); ``status`` the HTTP status when there was a response.
    """

    kind = ErrorKind.PERMANENT

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, status={self.status})"

    def __eq__(self, other: object) -> bool:
        # Value equality lets tests and PushResult comparisons be exact.
        if not isinstance(other, ProviderError) or type(other) is not type(self):
            return NotImplemented
        return (self.message, self.code, self.status) == (other.message, other.code, other.status)

    def __hash__(self) -> int:
        return hash((type(self), self.message, self.code, self.status))


class PermanentError(ProviderError):
    """The provider refused the request as it stands (validation, duplicate, unknown id)."""

    kind = ErrorKind.PERMANENT


class InvalidAccsId(PermanentError):
    """A typed AccsID does not have the shape the provider uses for contact ids."""

    kind = ErrorKind.ACCS_ID


class RetriableError(ProviderError):
    """Nothing was written; the same request can be sent again later."""

    kind = ErrorKind.RETRIABLE


class RateLimited(RetriableError):
    """The provider asked us to slow down; ``retry_after`` is in seconds."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(
        self, message: str, *, retry_after: float, code: str = "", status: int | None = 429
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class UncertainError(ProviderError):
    """The request may have reached the provider and no definite answer came back.

    Sending it again blindly could duplicate a document: reconcile by number first.
    """

    kind = ErrorKind.UNCERTAIN


class AuthError(ProviderError):
    """The connection's tokens are no longer accepted (even after a refresh): relink."""

    kind = ErrorKind.AUTH
