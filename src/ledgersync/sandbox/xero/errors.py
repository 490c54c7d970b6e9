"""Xero's error answers, in its own shapes (reference/xero.md sections 1, 4 and 5).

::

    400  {"ErrorNumber": 10, "Type": "ValidationException", "Message": ..., "Elements": [...]}
    400  {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": ...}
    400  {"ErrorNumber": 16, "Type": "QueryParseException", "Message": ...}  (where / order)
    400  {"ErrorNumber": 17, "Type": "NoDataProcessedException", "Message": ...}
    401  {"Title": "Unauthorized", "Detail": "TokenExpired: ..." | "AuthenticationUnsuccessful"
          | "AuthorizationUnsuccessful", ...}
    403  {"Title": "Forbidden", "Detail": "AuthenticationUnsuccessful", ...}
    404  text/plain "The resource you're looking for cannot be found"
    429  X-Rate-Limit-Problem + Retry-After
    500  {"Title": "An error occurred", ...}
"""

from __future__ import annotations

import uuid
from datetime import datetime

from werkzeug.wrappers import Response

from ledgersync.sandbox.core.oauth import AccessProblem
from ledgersync.sandbox.core.wire import json_response

NOT_FOUND_TEXT = "The resource you're looking for cannot be found"
SERVER_ERROR_DETAIL = (
    "An error occurred in Xero. Check the API Status page "
    "http://status.developer.xero.com for current service status."
)
# X-Rate-Limit-Problem for each limit the sandbox enforces ("minute" and "day" are the
# values seen in the wild; "concurrent" is UNCONFIRMED).
LIMIT_PROBLEMS = {"per_minute": "minute", "per_day": "day", "concurrent": "concurrent"}


class XeroProblem(Exception):
    """A whole request refused with a 400 in Xero's exception shape."""

    number = 10
    kind = "ValidationException"

    def __init__(self, message: str, elements: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.elements = elements

    def response(self) -> Response:
        body: dict = {"ErrorNumber": self.number, "Type": self.kind, "Message": self.message}
        if self.elements is not None:
            body["Elements"] = self.elements
        return json_response(body, 400)


class ValidationFailed(XeroProblem):
    def __init__(self, elements: list[dict]) -> None:
        super().__init__("A validation exception occurred", elements)


class PostDataInvalid(XeroProblem):
    number = 14
    kind = "PostDataInvalidException"


class QueryParseFailed(XeroProblem):
    number = 16
    kind = "QueryParseException"


class QueryTooLong(QueryParseFailed):
    """A request whose query string is past MAX_QUERY_LENGTH: Xero's list filters are
    bounded by URL length (reference/xero.md section 2). How Xero words the refusal is not
    documented; it is answered here in the shape of its other refusals of a query."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The query string is too long: at most {limit} characters")


class NoDataProcessed(XeroProblem):
    number = 17
    kind = "NoDataProcessedException"

    def __init__(self, entity: str) -> None:
        super().__init__(
            "No data has been processed for this endpoint. This endpoint is expecting "
            f"{entity} data to be specifed in the request body."
        )


class NotFound(Exception):
    """The record or endpoint does not exist: Xero answers 404 with a text body."""


def problem(title: str, status: int, detail: str) -> Response:
    body: dict[str, object] = {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }
    return json_response(body, status)


def unauthorized(reason: AccessProblem, expired_at: datetime | None) -> Response:
    if reason is AccessProblem.EXPIRED and expired_at is not None:
        stamp = expired_at.strftime("%m/%d/%Y %H:%M:%S")
        return problem("Unauthorized", 401, f"TokenExpired: token expired at {stamp}")
    return problem("Unauthorized", 401, "AuthenticationUnsuccessful")


def missing_scope() -> Response:
    return problem("Unauthorized", 401, "AuthorizationUnsuccessful")


def forbidden() -> Response:
    return problem("Forbidden", 403, "AuthenticationUnsuccessful")


def throttled(limit: str) -> Response:
    # The 429 body is UNCONFIRMED; the headers are what clients read.
    response = problem("Too Many Requests", 429, "Rate limit exceeded")
    response.headers["X-Rate-Limit-Problem"] = LIMIT_PROBLEMS.get(limit, "minute")
    return response


def server_error() -> Response:
    body = {
        "Title": "An error occurred",
        "Detail": SERVER_ERROR_DETAIL,
        "Status": 500,
        "Instance": str(uuid.uuid4()),
    }
    return json_response(body, 500)


def not_found() -> Response:
    return Response(NOT_FOUND_TEXT, status=404, content_type="text/plain; charset=utf-8")


class ElementInvalid(Exception):
    """One element of a batch failed validation; the others go ahead."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)
