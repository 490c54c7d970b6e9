"""Every API error is JSON: ``{"error": {"code", "message", "field", "details"}}``.

``code`` is stable (clients branch on it), ``message`` says what to fix in a person's words
("Unit price on line 2 must be a number, for example 12.50", from records/wording.py, the
same words the web form and the importer use), ``field`` names the input at fault
(``lines[2].unit_price``; positions count from 1) or is null. One place maps each failure to
its HTTP status; views raise ``ApiError`` and never build error bodies.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ledgersync.providers.errors import ProviderError
from ledgersync.records import wording
from ledgersync.records.services import DocumentLocked
from ledgersync.sync import connections
from ledgersync.sync.status import NotConnected, failure_for, rule_for, wait_seconds


class FieldError(Schema):
    field: str | None
    message: str


class Problem(TypedDict):
    """One entry of an error's ``details`` (``FieldError`` in the OpenAPI document)."""

    field: str | None
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    details: list[FieldError] = []


class ErrorOut(Schema):
    error: ErrorBody


# Statuses every operation may answer with; operations that talk to the package add 502.
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)
ERRORS: dict[int, type[Schema]] = dict.fromkeys(ERROR_STATUSES, ErrorOut)
PROVIDER_ERRORS: dict[int, type[Schema]] = {**ERRORS, 502: ErrorOut}


class ApiError(Exception):
    """An answer other than success: status, stable code, what to fix, and which field."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        *,
        details: list[Problem] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "field": self.field,
                "details": self.details,
            }
        }


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No {what} with that id in your organisation.")


def invalid(errors: dict[str, list[str]]) -> ApiError:
    """422 from a Django ValidationError's message_dict (records/services.py)."""
    return invalid_input(
        [
            Problem(field=field, message=message)
            for field, messages in errors.items()
            for message in messages
        ]
    )


def invalid_input(details: list[Problem]) -> ApiError:
    """422 listing every problem, the first one's words and field on top."""
    if not details:
        return ApiError(422, "invalid", "The input is not valid.")
    first = details[0]
    return ApiError(422, "invalid", first["message"], first["field"], details=details)


def package_failure(error: ProviderError | NotConnected, provider_name: str) -> ApiError:
    """Trouble with the package as an API answer: status, code and words from status.RULES."""
    rule = rule_for(error)
    wait = wait_seconds(error)
    return ApiError(
        rule.http_status,
        rule.api_code,
        failure_for(error, provider_name).message,
        headers={"Retry-After": str(wait)} if wait else None,
    )


def _provider_name(request) -> str:
    organisation = request.auth.organisation
    return connections.provider_name(organisation, connections.live_connection(organisation))


def _field_of(loc: tuple | list) -> str | None:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
        if parts and parts[0] in ("data", "payload", "filters", "body"):
            parts = parts[1:]
    return wording.field_path(parts)


def install(api) -> None:
    """Route every exception the API can meet to a JSON answer (never a 500 page)."""

    def respond(request, error: ApiError):
        response = api.create_response(request, error.body(), status=error.status)
        for name, value in error.headers.items():
            response[name] = value
        return response

    def on_api_error(request, exc: ApiError):
        return respond(request, exc)

    def on_schema_error(request, exc: NinjaValidationError):
        fields = [_field_of(e.get("loc", ())) for e in exc.errors]
        details = [
            Problem(field=field, message=wording.explain(e, field))
            for e, field in zip(exc.errors, fields, strict=True)
        ]
        return respond(request, invalid_input(details))

    def on_django_validation(request, exc: DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return respond(request, invalid(errors))

    def on_auth(request, exc: AuthenticationError):
        error = ApiError(
            401,
            "unauthenticated",
            "Send an API key as 'Authorization: Bearer <key>'; an Administrator creates keys "
            "under Settings > API keys.",
            headers={"WWW-Authenticate": "Bearer"},
        )
        return respond(request, error)

    def on_http(request, exc: HttpError):
        codes = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            429: "rate_limited",
        }
        message = "The request body is not valid JSON." if exc.status_code == 400 else str(exc)
        return respond(
            request, ApiError(exc.status_code, codes.get(exc.status_code, "error"), message)
        )

    def on_404(request, exc: Http404):
        return respond(
            request, ApiError(404, "not_found", "Nothing here: check the path and the id.")
        )

    def on_too_big(request, exc: RequestDataTooBig):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
        return respond(
            request,
            ApiError(
                413,
                "payload_too_large",
                f"The request body is over the {limit_mb:g} MB limit; send fewer records "
                "per request.",
            ),
        )

    def on_package(request, exc: ProviderError | NotConnected):
        return respond(request, package_failure(exc, _provider_name(request)))

    def on_locked(request, exc: DocumentLocked):
        return respond(request, ApiError(409, exc.reason.value, exc.message))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_schema_error)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(DocumentLocked, on_locked)
    api.add_exception_handler(ProviderError, on_package)
    api.add_exception_handler(NotConnected, on_package)
