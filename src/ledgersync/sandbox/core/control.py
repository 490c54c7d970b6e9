"""The /_sandbox/ control plane: not part of any provider, the same on every sandbox.

    GET    /_sandbox/companies   [{"id", "name"}]
    POST   /_sandbox/reset       back to the seeded state (optional body: seed options)
    POST   /_sandbox/tokens      {"client_id"?, "company"?} -> provider token JSON + company_id
    GET    /_sandbox/faults      the active faults
    POST   /_sandbox/faults      {"kind", "count"? | "probability"?, "path"?, "company"?,
                                  "seconds"?}
    DELETE /_sandbox/faults      clear every fault
    GET    /_sandbox/late_writes {"held": N}: writes a late_write fault is holding
    POST   /_sandbox/late_writes land them all now -> {"landed": N}
    GET    /_sandbox/limits      the current limits
    PUT    /_sandbox/limits      {"per_minute"?, "per_day"?, "concurrent"?, "latency_ms"?,
                                  "clock_speed"?, provider buckets?}
    GET    /_sandbox/requests    the request log; DELETE clears it
    GET    /_sandbox/settings    behaviour switches; PUT changes some of them
    POST   /_sandbox/clock       {"advance_seconds": N} moves sandbox time forward
    GET    /_sandbox/webhooks    deliveries sent (QuickBooks, Xero); DELETE clears them

Errors are ``{"error": "..."}`` with 400 (bad body) or 404 (unknown company).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.faults import FaultKind
from ledgersync.sandbox.core.settings import settings_dict, update_settings
from ledgersync.sandbox.core.wire import BadJson, json_response

if TYPE_CHECKING:
    from ledgersync.sandbox.core.app import Route, SandboxApp


def routes(app: SandboxApp) -> list[Route]:
    from ledgersync.sandbox.core.app import Route, RouteKind

    views = ControlViews(app)
    plane = [
        ("/_sandbox/companies", views.companies, ("GET",)),
        ("/_sandbox/reset", views.reset, ("POST",)),
        ("/_sandbox/tokens", views.tokens, ("POST",)),
        ("/_sandbox/faults", views.faults, ("GET", "POST", "DELETE")),
        ("/_sandbox/late_writes", views.late_writes, ("GET", "POST")),
        ("/_sandbox/limits", views.limits, ("GET", "PUT")),
        ("/_sandbox/requests", views.requests, ("GET", "DELETE")),
        ("/_sandbox/settings", views.settings, ("GET", "PUT")),
        ("/_sandbox/clock", views.clock, ("POST",)),
    ]
    if app.webhooks is not None:
        plane.append(("/_sandbox/webhooks", views.webhooks, ("GET", "DELETE")))
    return [Route(rule, handler, methods, RouteKind.CONTROL) for rule, handler, methods in plane]


def _error(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


def _body(request: Request, *, optional: bool = False) -> dict:
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadJson("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise BadJson("send a JSON object")
    return body


class ControlViews:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app

    def companies(self, request: Request) -> Response:
        return json_response(self.app.companies())

    def reset(self, request: Request) -> Response:
        try:
            options = _body(request, optional=True)
            self.app.reset(options)
        except (BadJson, ValueError) as exc:
            return _error(str(exc))
        return json_response({"status": "reset", "companies": self.app.companies()})

    def tokens(self, request: Request) -> Response:
        try:
            body = _body(request, optional=True)
        except BadJson as exc:
            return _error(str(exc))
        company = body.get("company", body.get("company_id"))
        client_id = body.get("client_id")
        if client_id is not None and client_id != self.app.settings.oauth.client_id:
            return _error(f"unknown client_id {client_id!r}")
        try:
            return json_response(self.app.mint_tokens(company_id=company, client_id=client_id))
        except KeyError:
            return _error(f"no company {company!r}; see GET /_sandbox/companies", 404)

    def faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.app.faults.clear()
            return json_response([])
        if request.method == "GET":
            return json_response([f.as_dict() for f in self.app.faults.active()])
        try:
            body = _body(request)
            company = body.get("company")
            if company is not None and company not in {c["id"] for c in self.app.companies()}:
                return _error(f"no company {company!r}; see GET /_sandbox/companies", 404)
            if body.get("kind") == FaultKind.REVOKE_TOKEN and body.get("path") is None:
                # Without a path there is nothing to wait for: revoke now.
                revoked = self.app.tokens.revoke_company(company)
                return json_response(
                    {"kind": "revoke_token", "company": company, "revoked": revoked}, 201
                )
            fault = self.app.faults.add(body)
        except (BadJson, ValueError) as exc:
            return _error(str(exc))
        return json_response(fault.as_dict(), 201)

    def late_writes(self, request: Request) -> Response:
        if request.method == "POST":
            return json_response({"landed": self.app.late_writes.land_all()})
        return json_response({"held": self.app.late_writes.count()})

    def limits(self, request: Request) -> Response:
        if request.method == "PUT":
            try:
                self.app.limiter.update(_body(request))
            except (BadJson, ValueError) as exc:
                return _error(str(exc))
        return json_response(self.app.limiter.limits.as_dict())

    def requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.app.log.clear()
            return json_response([])
        return json_response(self.app.log.entries())

    def settings(self, request: Request) -> Response:
        if request.method == "PUT":
            try:
                update_settings(self.app.settings, _body(request))
            except (BadJson, ValueError) as exc:
                return _error(str(exc))
        return json_response(settings_dict(self.app.settings))

    def webhooks(self, request: Request) -> Response:
        assert self.app.webhooks is not None  # the route exists only then
        if request.method == "DELETE":
            self.app.webhooks.clear()
        return json_response(self.app.webhooks.deliveries())

    def clock(self, request: Request) -> Response:
        try:
            seconds = _body(request).get("advance_seconds")
        except BadJson as exc:
            return _error(str(exc))
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            return _error("advance_seconds must be a number >= 0")
        self.app.clock.advance(float(seconds))
        return json_response({"now": self.app.clock.now().isoformat()})
