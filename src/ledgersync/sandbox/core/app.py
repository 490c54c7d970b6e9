"""The base every provider sandbox builds on: a WSGI app with routing, the OAuth
endpoints, the /_sandbox/ control plane, rate limits, faults and the request log.

A provider subclass supplies its routes, its seed data and the wire shapes of its
answers (token JSON, 401, 429, 500); everything on the path of an API call that is the
same for every provider lives here:

    request -> route -> [API] latency -> bearer token -> company check -> faults
            -> rate limits -> handler -> after-write faults -> response -> request log
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core import control, oauth_views, requestlog
from ledgersync.sandbox.core.clock import Clock
from ledgersync.sandbox.core.faults import (
    ConnectionDropped,
    Fault,
    FaultBook,
    FaultKind,
    LateWrites,
    WriteHeld,
)
from ledgersync.sandbox.core.limits import Limits, RateLimiter, Throttled
from ledgersync.sandbox.core.oauth import (
    AccessDenied,
    AccessProblem,
    Grant,
    Issued,
    OAuthError,
    TokenStore,
)
from ledgersync.sandbox.core.requestlog import RequestLog
from ledgersync.sandbox.core.settings import SandboxSettings
from ledgersync.sandbox.core.webhooks import WebhookConfig, Webhooks
from ledgersync.sandbox.core.wire import json_response

log = logging.getLogger(__name__)


class RouteKind(enum.StrEnum):
    API = "api"  # needs a bearer token, counts against limits, can be faulted
    OAUTH = "oauth"  # authorize / token / revoke: logged, faultable only by explicit path
    CONTROL = "control"  # /_sandbox/: not part of the provider
    WEB = "web"  # the read-only web view


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    rule: str
    handler: Handler
    methods: tuple[str, ...] = ("GET",)
    kind: RouteKind = RouteKind.API
    # API only: which extra rate-limit buckets a call uses, e.g. ("batch_per_minute",).
    buckets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Call:
    """What an API handler gets besides the request: the company and the caller's grant."""

    company_id: str
    grant: Grant


class Sleeper:
    """Sleeps that reset() and server shutdown can cut short."""

    def __init__(self) -> None:
        self._wake = threading.Event()

    def sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)

    def wake_all(self) -> None:
        self._wake.set()
        self._wake = threading.Event()


class SandboxApp:
    """Base class for one provider's emulator. Subclasses fill in the hooks below."""

    slug: ClassVar[str]
    display_name: ClassVar[str]
    settings_class: ClassVar[type[SandboxSettings]] = SandboxSettings
    # Paths not written to the request log besides /_sandbox/ (e.g. the web view).
    unlogged_prefixes: ClassVar[tuple[str, ...]] = ("/_sandbox",)
    # The consent page's approve button, in the provider's own word.
    consent_allow_label: ClassVar[str] = "Connect"
    # The header a provider that sends webhooks signs them in; its settings then have a
    # ``webhook`` group (core/webhooks.py).
    webhook_header: ClassVar[str | None] = None

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.clock = Clock()
        self.sleeper = Sleeper()
        self.faults = FaultBook()
        self.late_writes = LateWrites()
        self.log = RequestLog()
        self.webhooks = (
            Webhooks(self.webhook_header, self._webhook_config) if self.webhook_header else None
        )
        self._build_state(options)
        rules, self._routes = [], {}
        for index, route in enumerate([*self.routes(), *control.routes(self)]):
            endpoint = f"r{index}"
            self._routes[endpoint] = route
            rules.append(Rule(route.rule, endpoint=endpoint, methods=list(route.methods)))
        self.url_map = Map(rules, strict_slashes=False)

    # ---- hooks a provider implements -------------------------------------------------

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def default_limits(self) -> Limits:
        return Limits()

    def seed(self, options: dict[str, Any]) -> None:
        """Build the freshly seeded data for every company."""
        raise NotImplementedError

    def companies(self) -> list[dict[str, str]]:
        """``[{"id", "name"}]``, the default company first."""
        raise NotImplementedError

    def company_of(self, args: dict[str, str], request: Request) -> str | None:
        """The company an API call addresses (from its URL or headers)."""
        raise NotImplementedError

    def token_json(self, issued: Issued) -> dict[str, Any]:
        raise NotImplementedError

    def oauth_error(self, error: OAuthError) -> Response:
        body = {"error": error.error}
        if error.description:
            body["error_description"] = error.description
        return json_response(body, error.status)

    def callback_params(
        self, code: str, state: str | None, company_id: str
    ) -> list[tuple[str, str]]:
        params = [("code", code)]
        if state is not None:
            params.append(("state", state))
        return params

    def unauthorized(self, problem: AccessProblem) -> Response:
        raise NotImplementedError

    def forbidden(self, company_id: str | None) -> Response:
        raise NotImplementedError

    def throttled(self) -> Response:
        raise NotImplementedError

    def over_limit(self, limit: str) -> Response:
        """The 429 for a call over ``limit`` (``per_minute``, ``per_day``, ``concurrent``, a
        bucket name; a ``rate_limit`` fault counts as ``per_minute``)."""
        return self.throttled()

    def api_response(self, request: Request, response: Response) -> Response:
        """Last touch on every API answer, with its request (e.g. rate-limit headers)."""
        return response

    def server_error(self) -> Response:
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        return json_response({"error": f"no such endpoint: {request.method} {request.path}"}, 404)

    def finish(self, response: Response) -> Response:
        """Last touch on every provider answer (API and OAuth), e.g. a trace header."""
        return response

    def canonical_path(self, path: str) -> str:
        """The path as the routes spell it, for a provider whose paths ignore case."""
        return path

    def is_write(self, request: Request) -> bool:
        return request.method in {"POST", "PUT", "PATCH", "DELETE"}

    # ---- the Python API the rest of ledgersync uses ----------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport that calls this app in-process (no socket)."""
        from ledgersync.sandbox.core.transport import SandboxTransport

        return SandboxTransport(self)

    def mint_tokens(self, company_id: str | None = None, client_id: str | None = None) -> dict:
        """Tokens without the browser dance, as POST /_sandbox/tokens returns them."""
        company_id = company_id or self.companies()[0]["id"]
        if company_id not in {c["id"] for c in self.companies()}:
            raise KeyError(f"no company {company_id!r} in the {self.display_name} sandbox")
        issued = self.tokens.mint(
            company_id, client_id or self.settings.oauth.client_id, self.default_scope()
        )
        return {**self.token_json(issued), "company_id": company_id}

    def default_scope(self) -> str:
        return ""

    def reset(self, options: dict[str, Any] | None = None) -> None:
        """Back to the freshly seeded state: data, tokens, faults, limits, settings, log."""
        self.sleeper.wake_all()
        self.late_writes.cancel_all()
        self.faults.clear()
        self.log.clear()
        if self.webhooks is not None:
            self.webhooks.clear()
        self._build_state({**self.options, **(options or {})})

    def _build_state(self, options: dict[str, Any]) -> None:
        self.settings = self.settings_class()
        self.tokens = TokenStore(self.settings.oauth, self.clock)
        self.limiter = RateLimiter(self.default_limits(), self.clock)
        self.clock.set_speed(self.limiter.limits.clock_speed)
        self.seed(options)

    def _webhook_config(self) -> WebhookConfig:
        config = getattr(self.settings, "webhook", None)
        return config if isinstance(config, WebhookConfig) else WebhookConfig()

    # ---- WSGI ------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        canonical = self.canonical_path(path)
        if canonical != path:
            environ = {**environ, "PATH_INFO": canonical}
        request = Request(environ)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return self.not_found(request)(environ, start_response)
        except MethodNotAllowed as exc:
            return exc.get_response(environ)(environ, start_response)
        route = self._routes[endpoint]
        logged = not request.path.startswith(self.unlogged_prefixes)
        if logged:
            request.get_data(cache=True)  # keep the body for the log; form parsing reuses it
        try:
            response = self._dispatch(request, route, dict(args))
        except ConnectionDropped:
            if logged:
                self._record(request, None)
            raise
        except Exception:
            # A sandbox bug must still look like a provider failure, not a hung client.
            log.exception("sandbox %s failed on %s %s", self.slug, request.method, request.path)
            response = self.server_error()
        if logged:
            self._record(request, response)
        return response(environ, start_response)

    def _dispatch(self, request: Request, route: Route, args: dict[str, str]) -> Response:
        if route.kind is RouteKind.API:
            return self.finish(self.api_response(request, self._api_call(request, route, args)))
        if route.kind is RouteKind.OAUTH:
            run = lambda: route.handler(request, **args)  # noqa: E731
            return self.finish(self._with_faults(request, None, is_api=False, run=run))
        return route.handler(request, **args)

    def _api_call(self, request: Request, route: Route, args: dict[str, str]) -> Response:
        self.limiter.pause()
        company_id = self.company_of(args, request)
        try:
            grant = self.tokens.authenticate(request.headers.get("Authorization"))
        except AccessDenied as denied:
            return self.unauthorized(denied.problem)
        if company_id is None or company_id != grant.company_id:
            return self.forbidden(company_id)
        call = Call(company_id=company_id, grant=grant)
        run = lambda: route.handler(request, call, **args)  # noqa: E731
        try:
            # Admitted first, so a slow call holds its concurrency slot while it sleeps.
            with self.limiter.admit(company_id, route.buckets):
                return self._with_faults(request, company_id, is_api=True, run=run)
        except Throttled as over:
            return self.over_limit(over.limit)

    def _with_faults(
        self, request: Request, company_id: str | None, *, is_api: bool, run: Callable[[], Response]
    ) -> Response:
        fired = {
            f.kind: f
            for f in self.faults.take(
                request.path, is_api=is_api, is_write=self.is_write(request), company=company_id
            )
        }
        if FaultKind.RATE_LIMIT in fired:
            return self.over_limit("per_minute")
        if FaultKind.REVOKE_TOKEN in fired:
            self.tokens.revoke_company(company_id or fired[FaultKind.REVOKE_TOKEN].company)
            if is_api:
                return self.unauthorized(AccessProblem.INVALID)
        slow: Fault | None = fired.get(FaultKind.SLOW)
        if slow is not None:
            self.sleeper.sleep(slow.seconds)
        if FaultKind.ERROR_BEFORE_WRITE in fired or FaultKind.ERROR in fired:
            return self.server_error()
        late: Fault | None = fired.get(FaultKind.LATE_WRITE)
        if late is not None:
            request.get_data(cache=True)  # the handler reads the body after the socket is gone
            self.late_writes.hold(run, late.delay / self.clock.speed)
            raise WriteHeld(request.path)
        response = run()
        if FaultKind.DROP_AFTER_WRITE in fired:
            raise ConnectionDropped(request.path)
        if FaultKind.ERROR_AFTER_WRITE in fired:
            return self.server_error()
        return response

    def _record(self, request: Request, response: Response | None) -> None:
        self.log.add(
            {
                "method": request.method,
                "path": request.path,
                "query": requestlog.parse_query(request.query_string.decode("latin-1")),
                "status": response.status_code if response is not None else None,
                "request_body": requestlog.parse_body(
                    request.get_data(cache=True), request.content_type or ""
                ),
                "response_body": (
                    requestlog.parse_body(response.get_data(), response.content_type or "")
                    if response is not None and not response.is_streamed
                    else None
                ),
                "at": self.clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
        )

    # ---- OAuth endpoints a provider mounts at its own paths ---------------------------

    def oauth_routes(self, *, authorize: str, token: str, revoke: str) -> list[Route]:
        return oauth_views.routes(self, authorize=authorize, token=token, revoke=revoke)
