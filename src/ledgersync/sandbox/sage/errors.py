"""Sage error bodies: a JSON array of ``{"$severity", "$dataCode", "$message", "$source"}``
(reference/sage.md section 4). Validation failures are 422 ``RecordInvalid`` and list every
problem found; unknown records are ``RecordNotFound``.

Messages Sage documents are used word for word ("This field is required.", "Couldn't find
Supplier."); the rest are plain sentences in the same style (their exact wording is
UNCONFIRMED in the reference).
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from ledgersync.sandbox.core.oauth import AccessProblem
from ledgersync.sandbox.core.wire import json_response

REQUIRED = "This field is required."


def item(data_code: str, message: str, source: str = "") -> dict[str, str]:
    return {"$severity": "error", "$dataCode": data_code, "$message": message, "$source": source}


class SageError(Exception):
    """One answer made of one or more error items."""

    def __init__(self, status: int, items: list[dict[str, str]]) -> None:
        super().__init__("; ".join(i["$message"] for i in items))
        self.status = status
        self.items = items

    def response(self, headers: dict[str, str] | None = None) -> Response:
        return json_response(self.items, self.status, headers)


class Problems:
    """Collects validation problems so one 422 can name them all, as Sage does."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, message: str, source: str, data_code: str = "RecordInvalid") -> None:
        self.items.append(item(data_code, message, source))

    def required(self, source: str) -> None:
        self.add(REQUIRED, source)

    def text(self, data: dict, key: str, limit: int, source: str | None = None) -> str:
        """A string field of at most ``limit`` characters ("" when absent)."""
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.add("is invalid", source or key)
            return ""
        if len(value) > limit:
            self.add(f"is too long (maximum is {limit} characters)", source or key)
        return value

    def wrapped(self, data: object, key: str) -> dict:
        """The record in a ``{key: {...}}`` request body; a 422 naming ``key`` when absent."""
        record = data.get(key) if isinstance(data, dict) else None
        if not isinstance(record, dict):
            self.required(key)
            raise SageError(422, self.items)
        return record

    def raise_any(self) -> None:
        if self.items:
            raise SageError(422, self.items)


def invalid(message: str, source: str = "") -> SageError:
    return SageError(422, [item("RecordInvalid", message, source)])


def not_found(source: str = "") -> SageError:
    return SageError(404, [item("RecordNotFound", "Couldn't find record.", source)])


def no_route(method: str, path: str) -> SageError:
    return SageError(404, [item("RouteNotFound", f'No route matches [{method}] "{path}"')])


def bad_body(message: str) -> SageError:
    return SageError(400, [item("InvalidJSON", message)])


def unauthorized(problem: AccessProblem) -> SageError:
    # The exact 401 body for a bad or expired token is UNCONFIRMED (sage.md section 4).
    message = {
        AccessProblem.MISSING: "No access token was sent.",
        AccessProblem.MALFORMED: "The Authorization header must be a Bearer token.",
        AccessProblem.EXPIRED: "The access token has expired.",
        AccessProblem.INVALID: "The access token is not valid.",
    }[problem]
    return SageError(401, [item("AuthorizationFailure", message)])


def forbidden() -> SageError:
    return SageError(
        403,
        [item("AccessDenied", "The current user has no access to that business.", "X-Business")],
    )


def throttled() -> SageError:
    return SageError(429, [item("TooManyRequests", "Rate limit exceeded. Please try again later.")])


def unexpected() -> SageError:
    return SageError(500, [item("UnexpectedError", "An unexpected error occurred.")])
