"""The one HTTP client every connector talks through.

It owns the base URL, timeouts, retries (backoff with jitter), 429 / Retry-After, token
refresh (before expiry, and once on a 401) and the mapping of HTTP outcomes onto the error
tree in ``errors.py`` (``error_for_status`` / ``error_for_transport``: the only place a
status code becomes an exception class). Connectors supply paths, bodies and a function that
reads the provider's error body into an ``ErrorDetail``.

Writes are retried only when ``idempotent=True`` (the provider dedupes on the key the
connector put in the request) or when the failure proves nothing was sent.

Every refresh goes through ``refresh_with`` when the caller gives one (``sync.connections``
takes the connection's row lock, so one refresh token is spent once across processes); a
refresh whose answer is lost is retried once with the same refresh token (``_spend``).

One client may serve several threads (Sage pushes a few documents at a time): tokens are
refreshed under the client's own lock, at most once per expiry, the call count is guarded by
a lock, and what a caller needs to know about one request comes back in its ``Reply``, never
in a flag on the client that another thread's request could reset.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from authlib import deprecate as _authlib_deprecate  # noqa: F401  (installs its filter first)
from authlib.common.security import generate_token

from ledgersync.providers.base import (
    AuthorizationRequest,
    Credentials,
    TokenCallback,
    TokenRefresher,
)
from ledgersync.providers.config import ProviderConfig
from ledgersync.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    RetriableError,
    UncertainError,
)

with warnings.catch_warnings():
    # Authlib prefers the "httpx2" fork and warns that plain httpx is deprecated; httpx is
    # our chosen client (DESIGN.md stack) and Authlib still supports it.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.httpx_client import OAuth2Client

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
REFRESH_LEEWAY_SECONDS = 120
_SECRET_PARAMS = frozenset(
    {"code", "state", "token", "access_token", "refresh_token", "client_secret", "code_verifier"}
)
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_RELINK_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})
# Where each provider puts its own id for a request (quoted in support tickets): QuickBooks
# intuit_tid, Xero Xero-Correlation-Id, Sage X-Request-Id.
REQUEST_ID_HEADERS = ("intuit_tid", "xero-correlation-id", "x-request-id")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff: float = 0.5  # first wait in seconds; doubles per attempt, with jitter
    max_backoff: float = 8.0
    # A longer Retry-After is handed to the engine as RateLimited instead of blocking a worker.
    max_rate_limit_wait: float = 10.0


@dataclass(frozen=True)
class ErrorDetail:
    """A provider's error body in plain words. ``status`` overrides the HTTP status where the
    provider dresses one outcome as another (QuickBooks throttles with 403 + code 3001)."""

    message: str
    code: str = ""
    status: int | None = None


@dataclass(frozen=True)
class Reply:
    """What one ``ApiClient.request`` got back: the decoded JSON ``body``, the HTTP
    ``status``, the provider's ``request_id`` for it (empty when it sent none), whether a
    write was ``resent_after_uncertain`` (an earlier attempt may have landed, so a
    "duplicate" refusal may be our own document) and how many ``attempts`` it took."""

    body: Any
    status: int
    request_id: str = ""
    resent_after_uncertain: bool = False
    attempts: int = 1

    def with_body(self, body: Any) -> Reply:
        """The same reply carrying ``body`` read further (e.g. a batch's items by id)."""
        return replace(self, body=body)


def request_id_of(response: httpx.Response) -> str:
    """The provider's id for the request ``response`` answers, or ""."""
    return next((response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), "")


def error_for_status(
    status: int, detail: ErrorDetail, *, write: bool, retry_after: float | None = None
) -> ProviderError:
    """The one mapping of an HTTP status onto the error tree."""
    status = detail.status or status
    message, code = detail.message, detail.code
    if status in (401, 403):
        return AuthError(message, code=code, status=status)
    if status == 429:
        return RateLimited(message, retry_after=retry_after or 60.0, code=code, status=status)
    if status == 503:
        # Unavailable: the service turned the request away before doing anything.
        return RetriableError(message, code=code, status=status)
    if status >= 500 or status == 408:
        return (UncertainError if write else RetriableError)(message, code=code, status=status)
    return PermanentError(message, code=code, status=status)


def error_for_transport(exc: httpx.TransportError, provider: str, *, write: bool) -> ProviderError:
    """No response: retriable if the request provably never left, else uncertain for writes."""
    if isinstance(exc, _NOT_SENT):
        return RetriableError(f"Could not reach {provider} ({type(exc).__name__})")
    reason = "timed out" if isinstance(exc, httpx.TimeoutException) else "dropped the connection"
    if write:
        return UncertainError(f"{provider} {reason} before answering; the document may exist")
    return RetriableError(f"{provider} {reason} before answering")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def redact_url(url: str | httpx.URL) -> str:
    """The URL with OAuth codes, states and tokens in its query replaced by ***."""
    parts = urlsplit(str(url))
    query = [(k, "***" if k in _SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def decode_json(content: bytes) -> Any:
    """Provider JSON with every non-integer number as Decimal (money is never float)."""
    return json.loads(content, parse_float=Decimal)


def wire_number(value: Decimal) -> int | float:
    """A JSON number. Amounts are 2 dp, unit prices at most 4 and quantities short, so
    float's shortest repr keeps them exact; the one place money leaves Decimal, for the wire."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def credentials_from_token(
    token: Mapping[str, Any], company_id: str, now: datetime | None = None
) -> Credentials:
    """Credentials from a token-endpoint response (as Authlib holds it)."""
    now = now or datetime.now(UTC)
    if token.get("expires_at"):
        access_expires = datetime.fromtimestamp(int(token["expires_at"]), UTC)
    else:
        access_expires = now + timedelta(seconds=int(token.get("expires_in", 0)))
    # QuickBooks names the refresh lifetime x_refresh_token_expires_in, Sage
    # refresh_token_expires_in; Xero gives none (60 days unused).
    refresh_in = token.get("x_refresh_token_expires_in") or token.get("refresh_token_expires_in")
    refresh_expires = now + timedelta(seconds=int(refresh_in)) if refresh_in else None
    return Credentials(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        access_expires_at=access_expires,
        refresh_expires_at=refresh_expires,
        company_id=company_id,
    )


def lost_refresh_message(provider: str, reason: str) -> str:
    """What a connection marked "relink needed" says when a refresh's answer was lost and
    the provider then refused the old refresh token (Sage retires it at once)."""
    return (
        f"The answer to a token refresh was lost and {provider} no longer accepts the "
        f"previous refresh token ({reason}); connect again"
    )


def _as_token(credentials: Credentials) -> dict[str, Any]:
    return {
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token,
        "token_type": "Bearer",
        "expires_at": int(credentials.access_expires_at.timestamp()),
    }


class ApiClient:
    """One connection's HTTP session, shared by the threads of one run (never between
    runs): refreshes are serialised and each request's outcome comes back in its ``Reply``."""

    def __init__(
        self,
        *,
        provider: str,
        config: ProviderConfig,
        credentials: Credentials | None,
        describe_error: Callable[[httpx.Response], ErrorDetail],
        on_token_refresh: TokenCallback | None = None,
        refresh_with: TokenRefresher | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        pkce: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        on_response: Callable[[httpx.Response], None] | None = None,
        client_auth: str = "client_secret_basic",
    ) -> None:
        self.provider = provider
        self.config = config
        self.credentials = credentials
        self.describe_error = describe_error
        self.on_token_refresh = on_token_refresh
        # The caller's locked path (one per connection, across processes); without it the
        # client spends its refresh token itself.
        self.refresh_with = refresh_with
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self._api_calls = 0
        self._rate_limit_waits = (0, 0.0)  # how many times it waited out a 429, and how long
        self._count_lock = threading.Lock()
        # Held while tokens are checked or refreshed: a provider that rotates refresh tokens
        # spends one on first use, so a second thread refreshing too would lose the link.
        # Reentrant because ``on_token_refresh`` runs inside it.
        self._refresh_lock = threading.RLock()
        # How the client authenticates to the token and revoke endpoints: HTTP Basic, or
        # "client_secret_post" (client_id and client_secret in the form body).
        self.client_auth = client_auth
        # Sees every response (e.g. to read a provider's remaining-limit headers).
        self.on_response = on_response
        self._oauth = OAuth2Client(
            client_id=config.client_id,
            client_secret=config.client_secret,
            token_endpoint_auth_method=client_auth,
            token=_as_token(credentials) if credentials else None,
            # No token_endpoint and no leeway: refreshing before expiry is done here, under
            # the lock; Authlib's own refresh takes none.
            leeway=0,
            code_challenge_method="S256" if pkce else None,
            base_url=config.api_url,
            timeout=DEFAULT_TIMEOUT,
            transport=transport,
            headers={"Accept": "application/json"},
            event_hooks={"request": [self._count], "response": [self._log]},
        )
        for hook in ("access_token_response", "refresh_token_response"):
            self._oauth.register_compliance_hook(hook, self._check_token_response)

    @property
    def api_calls(self) -> int:
        """Every HTTP request this client sent, token calls included."""
        with self._count_lock:
            return self._api_calls

    @property
    def rate_limit_waits(self) -> tuple[int, float]:
        """How many times this client waited out the provider's rate limit, and the seconds."""
        with self._count_lock:
            return self._rate_limit_waits

    def close(self) -> None:
        self._oauth.close()

    # --- API requests ----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        write: bool | None = None,
        idempotent: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one API request and return its ``Reply``, retrying what is safe to retry.

        ``write`` defaults to "not a GET"; ``idempotent`` says the request carries the
        provider's idempotency key (in ``params``, ``json_body`` or ``headers``, which are
        sent unchanged on every attempt). Raises the errors of ``errors.py``.
        """
        write = method.upper() != "GET" if write is None else write
        maybe_written = resent = refreshed = False
        attempt = sends = 0
        while True:
            attempt, sends = attempt + 1, sends + 1
            sent_with = self._fresh_credentials()
            try:
                response = self._send(method, path, params, json_body, headers)
            except AuthError:
                raise
            except httpx.TransportError as exc:
                error = error_for_transport(exc, self.provider, write=write)
            else:
                if response.status_code == 401 and not refreshed and sent_with is not None:
                    refreshed = True
                    self._refresh_unless_done(sent_with)
                    attempt -= 1  # the token was stale, not the request: not a retry
                    continue
                if response.is_success:
                    body = self._decode(response, write=write)
                    request_id = request_id_of(response)
                    return Reply(body, response.status_code, request_id, resent, sends)
                error = self._error_for(response, write=write)
            maybe_written = maybe_written or isinstance(error, UncertainError)
            if not self._should_retry(error, attempt, write=write, idempotent=idempotent):
                if maybe_written and not isinstance(error, UncertainError | AuthError):
                    # An earlier attempt may have landed; a later refusal does not undo that.
                    raise UncertainError(error.message, code=error.code, status=error.status)
                raise error
            wait = self._wait(error, attempt)
            if isinstance(error, RateLimited):
                with self._count_lock:
                    waits, seconds = self._rate_limit_waits
                    self._rate_limit_waits = (waits + 1, seconds + wait)
            self.sleep(wait)
            resent = resent or maybe_written

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return self._oauth.request(method, path, params=params, json=json_body, headers=headers)
        except OAuthError as exc:
            raise self._oauth_failure(exc) from None

    def _decode(self, response: httpx.Response, *, write: bool) -> Any:
        if response.status_code == 204:
            return None  # No Content (e.g. Sage's answer to a DELETE)
        try:
            return decode_json(response.content)
        except ValueError:
            message = (
                f"{self.provider} answered {response.status_code} with a body that is not JSON"
            )
            raise (UncertainError if write else RetriableError)(
                message, status=response.status_code
            ) from None

    def _error_for(self, response: httpx.Response, *, write: bool) -> ProviderError:
        detail = self.describe_error(response)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error_for_status(response.status_code, detail, write=write, retry_after=retry_after)

    def _should_retry(
        self, error: ProviderError, attempt: int, *, write: bool, idempotent: bool
    ) -> bool:
        if attempt >= self.retry.attempts:
            return False
        if isinstance(error, RateLimited):
            return error.retry_after <= self.retry.max_rate_limit_wait
        if isinstance(error, RetriableError):
            return True
        return isinstance(error, UncertainError) and write and idempotent

    def _wait(self, error: ProviderError, attempt: int) -> float:
        if isinstance(error, RateLimited):
            return error.retry_after
        base = min(self.retry.max_backoff, self.retry.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)  # jitter spreads workers that failed together

    # --- OAuth -----------------------------------------------------------------------------

    def authorization_url(
        self, redirect_uri: str, state: str | None, scope: str, *, pkce: bool = False
    ) -> AuthorizationRequest:
        verifier = generate_token(64) if pkce else None
        url, state = self._oauth.create_authorization_url(
            self.config.authorize_url,
            state=state,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            scope=scope,
        )
        return AuthorizationRequest(url=url, state=state, code_verifier=verifier)

    def exchange_code(
        self, code: str, redirect_uri: str, company_id: str, code_verifier: str | None = None
    ) -> Credentials:
        """Trade an authorization code for tokens and adopt them."""
        extra = {"code_verifier": code_verifier} if code_verifier else {}
        try:
            token = self._oauth.fetch_token(
                self.config.token_url,
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri,
                **extra,
            )
        except OAuthError as exc:
            raise self._oauth_failure(exc) from None
        except httpx.TransportError as exc:
            raise error_for_transport(exc, self.provider, write=False) from None
        self.credentials = credentials_from_token(token, company_id)
        return self.credentials

    def refresh(self) -> Credentials:
        """Refresh now (through ``refresh_with`` when given, which may hand back newer stored
        credentials instead); ``on_token_refresh`` receives them before this returns."""
        with self._refresh_lock:
            return self._refresh_locked()

    def _fresh_credentials(self) -> Credentials | None:
        """The credentials the next request goes out with, refreshed first (by whichever
        thread gets here first) when the access token is about to expire."""
        with self._refresh_lock:
            credentials = self.credentials
            if credentials is not None and credentials.access_expires_within(
                REFRESH_LEEWAY_SECONDS
            ):
                return self._refresh_locked()
            return credentials

    def _refresh_unless_done(self, stale: Credentials) -> None:
        """Refresh after ``stale`` was refused, unless another thread already has (its
        refresh token is spent: using it again would be refused)."""
        with self._refresh_lock:
            if self.credentials is stale:
                self._refresh_locked()

    def _refresh_locked(self) -> Credentials:
        held = self.credentials
        if held is None:
            raise AuthError(f"Not connected to {self.provider}")
        if self.refresh_with is None:
            fresh = self._spend(held)
        else:
            fresh = self.refresh_with(held, self._spend)
        self._adopt(fresh)
        return fresh

    def _spend(self, credentials: Credentials) -> Credentials:
        """Spend ``credentials``' refresh token at the provider; adopt nothing.

        An answer lost after the provider may have rotated the token (dropped connection,
        timeout, 5xx) is asked for once more with the same token: Xero keeps the old one for
        30 minutes and QuickBooks hands back the same one for about a day, so the retry
        carries the current tokens. Sage retires it at once: the retry's invalid_grant then
        says the answer was lost, since only a new connection can mend that.
        """
        try:
            return self._spend_once(credentials)
        except RateLimited:
            raise
        except RetriableError as lost:
            log.warning("%s token refresh got no answer (%s); retrying once", self.provider, lost)
        try:
            return self._spend_once(credentials)
        except AuthError as refused:
            message = lost_refresh_message(self.provider, refused.code)
            raise AuthError(message, code=refused.code) from None

    def _spend_once(self, credentials: Credentials) -> Credentials:
        try:
            token = self._oauth.refresh_token(
                self.config.token_url, refresh_token=credentials.refresh_token
            )
        except OAuthError as exc:
            raise self._oauth_failure(exc) from None
        except httpx.TransportError as exc:
            raise error_for_transport(exc, self.provider, write=False) from None
        return credentials_from_token(token, credentials.company_id)

    def _adopt(self, credentials: Credentials) -> None:
        """Send requests with ``credentials`` from now on and hand them to the caller."""
        self.credentials = credentials
        self._oauth.token = _as_token(credentials)
        log.info("%s tokens refreshed for company %s", self.provider, credentials.company_id)
        if self.on_token_refresh is not None:
            self.on_token_refresh(credentials)

    def token_service_post(
        self, url: str, *, json_body: Any = None, form: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """POST to an OAuth endpoint (e.g. revoke) with the client's credentials, sent the
        way ``client_auth`` says."""
        auth: httpx.Auth | None = httpx.BasicAuth(self.config.client_id, self.config.client_secret)
        if self.client_auth == "client_secret_post" and json_body is None:
            form = {**(form or {}), "client_id": self.config.client_id}
            form["client_secret"] = self.config.client_secret
            auth = None
        try:
            # An explicit auth keeps Authlib from attaching the bearer token.
            response = self._oauth.post(url, json=json_body, data=form, auth=auth)
        except httpx.TransportError as exc:
            raise error_for_transport(exc, self.provider, write=False) from None
        if not response.is_success:
            raise self._error_for(response, write=False)
        return response

    def _check_token_response(self, response: httpx.Response) -> httpx.Response:
        # Authlib would raise a bare HTTPStatusError here; say what it means instead.
        if response.status_code >= 500 or response.status_code == 429:
            detail = ErrorDetail(f"{self.provider} sign-in service answered {response.status_code}")
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise error_for_status(
                response.status_code, detail, write=False, retry_after=retry_after
            )
        return response

    def _oauth_failure(self, exc: OAuthError) -> ProviderError:
        # Only the OAuth error code is quoted: descriptions may echo a token back.
        reason = exc.error or "error"
        if reason in _RELINK_ERRORS or reason == "access_denied":
            return AuthError(
                f"{self.provider} no longer accepts this connection ({reason}); connect again",
                code=reason,
            )
        return PermanentError(f"{self.provider} refused the sign-in ({reason})", code=reason)

    # --- bookkeeping -----------------------------------------------------------------------

    def _count(self, request: httpx.Request) -> None:
        with self._count_lock:
            self._api_calls += 1

    def _log(self, response: httpx.Response) -> None:
        if self.on_response is not None:
            self.on_response(response)
        request = response.request
        log.info(
            "%s %s %s -> %s",
            self.provider,
            request.method,
            redact_url(request.url),
            response.status_code,
        )
