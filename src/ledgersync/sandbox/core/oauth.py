"""The authorization-code server every sandbox shares: codes, access and refresh tokens,
rotation with a configurable grace window for the old refresh token, and revocation.

Providers decide the wire shapes (token JSON, error bodies, callback parameters); this
module only keeps the state and says what happened. PKCE (RFC 7636, S256 only) is checked
whenever the authorize request carried a ``code_challenge``; with ``public_pkce_clients`` a
client may then leave its secret out, as a PKCE app without a secret does. Tokens are opaque
random strings and are never written to a log or an error message.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ledgersync.providers.facts import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ledgersync.sandbox.core.clock import Clock

DAY = 86400


class Rotation(enum.StrEnum):
    ALWAYS = "always"  # every refresh returns a new refresh token
    DAILY = "daily"  # a new one at most once a day (QuickBooks' documented habit)
    NEVER = "never"


# The harshest rule any provider might apply, for tests (PUT /_sandbox/settings takes it):
# every refresh rotates and the old refresh token dies at once, as Sage's does.
STRICT_ROTATION = {"oauth": {"rotation": Rotation.ALWAYS.value, "refresh_grace_seconds": 0}}


class ClientAuth(enum.StrEnum):
    """Where the token and revoke endpoints look for the client id and secret."""

    EITHER = "either"  # HTTP Basic, else the form
    BASIC = "basic"  # HTTP Basic only
    FORM = "form"  # client_id and client_secret form fields only


class RedirectPolicy(enum.StrEnum):
    LOOPBACK_HTTP = "loopback"  # https anywhere, http only to this machine
    ANY_HTTP = "any"


class OAuthError(Exception):
    """An RFC 6749 error the token endpoint answers with."""

    def __init__(self, error: str, description: str | None = None, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        self.status = status


class AccessProblem(enum.StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    INVALID = "invalid"
    EXPIRED = "expired"


class AccessDenied(Exception):
    def __init__(self, problem: AccessProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class OAuthConfig:
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = SANDBOX_CLIENT_SECRET
    access_ttl: int = 3600
    refresh_ttl: int = 8726400
    code_ttl: int = 600
    rotation: Rotation = Rotation.ALWAYS
    refresh_grace_seconds: int = 0
    redirect_policy: RedirectPolicy = RedirectPolicy.LOOPBACK_HTTP
    access_prefix: str = ""
    refresh_prefix: str = ""
    public_pkce_clients: bool = False  # a PKCE code may be exchanged without the secret
    client_auth: ClientAuth = ClientAuth.EITHER


@dataclass
class Grant:
    """One connection: a client authorised for one company."""

    company_id: str
    client_id: str
    scope: str
    refresh_token: str
    refresh_expires_at: float
    rotated_at: float
    retired: dict[str, float] = field(default_factory=dict)  # old refresh token -> grace end
    access: dict[str, float] = field(default_factory=dict)  # access token -> expiry
    revoked: bool = False
    public: bool = False  # made through PKCE without a secret: refreshes need none either


@dataclass(frozen=True)
class Issued:
    """What a successful token call hands out; the provider shapes the JSON."""

    grant: Grant
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


@dataclass
class _Code:
    company_id: str
    client_id: str
    redirect_uri: str
    scope: str
    expires_at: float
    code_challenge: str | None = None


PKCE_METHODS = ("S256",)


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge for a verifier: BASE64URL(SHA256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redirect_uri_allowed(uri: str, policy: RedirectPolicy) -> bool:
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if policy is RedirectPolicy.ANY_HTTP:
        return True
    host = parts.hostname
    return host in {"localhost", "::1"} or host.startswith("127.") or host.endswith(".localhost")


class TokenStore:
    """All grants of one sandbox; thread-safe."""

    def __init__(self, config: OAuthConfig, clock: Clock) -> None:
        self.config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._by_access: dict[str, Grant] = {}
        self._by_refresh: dict[str, Grant] = {}

    def check_client(self, client_id: str | None, client_secret: str | None) -> str:
        """The client id, once it and the secret match the app's; invalid_client if not."""
        ok_id = secrets.compare_digest(client_id or "", self.config.client_id)
        ok_secret = secrets.compare_digest(client_secret or "", self.config.client_secret)
        if not (ok_id and ok_secret):
            raise OAuthError("invalid_client", status=401)
        return client_id or ""

    def issue_code(
        self,
        company_id: str,
        client_id: str,
        redirect_uri: str,
        scope: str,
        code_challenge: str | None = None,
    ) -> str:
        """A one-time code; ``code_challenge`` is the S256 PKCE challenge, when one was sent."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(
                company_id,
                client_id,
                redirect_uri,
                scope,
                self._clock.time() + self.config.code_ttl,
                code_challenge,
            )
        return code

    def exchange_code(
        self,
        code: str,
        client_id: str,
        redirect_uri: str | None,
        code_verifier: str | None = None,
        *,
        public: bool = False,
    ) -> Issued:
        """Tokens for a code. ``public`` means the client sent no secret, which only a PKCE
        code allows (and only when ``public_pkce_clients`` is on)."""
        with self._lock:
            pending = self._codes.pop(code, None)  # a code works once
            if pending is None or pending.expires_at < self._clock.time():
                raise OAuthError("invalid_grant")
            if pending.client_id != client_id or pending.redirect_uri != redirect_uri:
                raise OAuthError("invalid_grant")
            if public and (pending.code_challenge is None or not self.config.public_pkce_clients):
                raise OAuthError("invalid_client", status=401)
            if pending.code_challenge is not None and not (
                code_verifier
                and secrets.compare_digest(pkce_challenge(code_verifier), pending.code_challenge)
            ):
                raise OAuthError("invalid_grant", "The code_verifier does not match")
            issued = self._new_grant(pending.company_id, client_id, pending.scope)
            issued.grant.public = public
            return issued

    def mint(self, company_id: str, client_id: str, scope: str) -> Issued:
        with self._lock:
            return self._new_grant(company_id, client_id, scope)

    def refresh(self, refresh_token: str, client_id: str, *, public: bool = False) -> Issued:
        now = self._clock.time()
        with self._lock:
            grant = self._by_refresh.get(refresh_token)
            if grant is None or grant.revoked or grant.client_id != client_id:
                raise OAuthError("invalid_grant", "Incorrect or invalid refresh token")
            if public and not grant.public:
                raise OAuthError("invalid_client", status=401)
            retired_until = grant.retired.get(refresh_token)
            if retired_until is not None and retired_until < now:
                raise OAuthError("invalid_grant", "Incorrect or invalid refresh token")
            if grant.refresh_expires_at < now:
                raise OAuthError("invalid_grant", "Incorrect or invalid refresh token")
            if retired_until is None and self._should_rotate(grant, now):
                self._rotate(grant, now)
            # The refresh token's life is rolling: every use extends it.
            grant.refresh_expires_at = now + self.config.refresh_ttl
            return self._issue_access(grant, now)

    def authenticate(self, authorization: str | None) -> Grant:
        """The grant behind a ``Bearer`` header, or AccessDenied."""
        if not authorization:
            raise AccessDenied(AccessProblem.MISSING)
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AccessDenied(AccessProblem.MALFORMED)
        with self._lock:
            grant = self._by_access.get(token)
            if grant is None or grant.revoked:
                raise AccessDenied(AccessProblem.INVALID)
            if grant.access[token] < self._clock.time():
                raise AccessDenied(AccessProblem.EXPIRED)
            return grant

    def revoke(self, token: str) -> bool:
        """Revoke the whole grant behind an access or refresh token."""
        with self._lock:
            grant = self._by_access.get(token) or self._by_refresh.get(token)
            if grant is None:
                return False
            self._drop(grant)
            return True

    def revoke_company(self, company_id: str | None) -> int:
        """Revoke every grant of a company (all companies when None)."""
        with self._lock:
            grants = {id(g): g for g in self._by_refresh.values()}.values()
            chosen = [g for g in grants if company_id is None or g.company_id == company_id]
            for grant in chosen:
                self._drop(grant)
            return len(chosen)

    def _should_rotate(self, grant: Grant, now: float) -> bool:
        if self.config.rotation is Rotation.ALWAYS:
            return True
        if self.config.rotation is Rotation.DAILY:
            return now - grant.rotated_at >= DAY
        return False

    def _rotate(self, grant: Grant, now: float) -> None:
        old = grant.refresh_token
        grant.retired[old] = now + self.config.refresh_grace_seconds
        grant.refresh_token = self._token(self.config.refresh_prefix)
        grant.rotated_at = now
        self._by_refresh[grant.refresh_token] = grant
        if self.config.refresh_grace_seconds <= 0:
            del self._by_refresh[old]
            del grant.retired[old]

    def _new_grant(self, company_id: str, client_id: str, scope: str) -> Issued:
        now = self._clock.time()
        grant = Grant(
            company_id=company_id,
            client_id=client_id,
            scope=scope,
            refresh_token=self._token(self.config.refresh_prefix),
            refresh_expires_at=now + self.config.refresh_ttl,
            rotated_at=now,
        )
        self._by_refresh[grant.refresh_token] = grant
        return self._issue_access(grant, now)

    def _issue_access(self, grant: Grant, now: float) -> Issued:
        token = self._token(self.config.access_prefix, 48)
        # ``expires_in`` is counted by the client in its own (real) seconds, so under a clock
        # speed-up the token lasts that long in real time, as it says; else a fast-clock run
        # is refused mid-step with a token it was told is good for minutes.
        grant.access[token] = now + self.config.access_ttl * self._clock.speed
        self._by_access[token] = grant
        return Issued(
            grant=grant,
            access_token=token,
            expires_in=self.config.access_ttl,
            refresh_token=grant.refresh_token,
            refresh_expires_in=int(round(grant.refresh_expires_at - now)),
        )

    def _drop(self, grant: Grant) -> None:
        grant.revoked = True
        for token in grant.access:
            self._by_access.pop(token, None)
        for token in [grant.refresh_token, *grant.retired]:
            self._by_refresh.pop(token, None)

    @staticmethod
    def _token(prefix: str, size: int = 32) -> str:
        return prefix + secrets.token_urlsafe(size)
