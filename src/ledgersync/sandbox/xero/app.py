"""The Xero sandbox: Xero's identity service (consent page, PKCE, ``/connect/token``,
``/connect/revocation``, ``/connections``), the Accounting API under ``/api.xro/2.0``
(tenant from the ``xero-tenant-id`` header), a read-only web view at go.xero.com's paths,
and the shared /_sandbox/ plane. Every answer carries Xero's remaining-limit headers.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from ledgersync.providers.xero import FACTS, MAX_QUERY_LENGTH
from ledgersync.providers.xero.webhooks import SIGNATURE_HEADER
from ledgersync.sandbox.core.app import Call, Route, RouteKind, SandboxApp
from ledgersync.sandbox.core.limits import Limits
from ledgersync.sandbox.core.oauth import AccessProblem, Issued, OAuthError
from ledgersync.sandbox.core.wire import json_response
from ledgersync.sandbox.xero import errors, identity, web, webhooks
from ledgersync.sandbox.xero.documents import CREDIT_NOTES, INVOICES, DocKind
from ledgersync.sandbox.xero.endpoints import Endpoints
from ledgersync.sandbox.xero.errors import NotFound, XeroProblem
from ledgersync.sandbox.xero.seed import seed_organisations
from ledgersync.sandbox.xero.settings import XeroSettings
from ledgersync.sandbox.xero.store import Organisation

API = "/api.xro/2.0"
# Scopes that open each family of endpoints; the ".read" twin opens GETs only. The 2026
# granular scopes (accounting.invoices, accounting.payments) stand beside the broad ones.
SCOPES = {
    "contacts": ("accounting.contacts",),
    "invoices": ("accounting.transactions", "accounting.invoices"),
    "payments": ("accounting.transactions", "accounting.payments"),
    "settings": ("accounting.settings",),
}
# Each collection as the routes spell it, by its lower-case name.
COLLECTION_SPELLING = {
    **{
        name.lower(): name
        for name in (
            "Contacts",
            "Invoices",
            "CreditNotes",
            "Payments",
            "Accounts",
            "TaxRates",
            "Organisation",
        )
    },
    "organisations": "Organisation",
}
DEFAULT_SCOPE = "offline_access accounting.transactions accounting.contacts accounting.settings"
Handler = Callable[..., Response]


def _no_such_resource(request: Request, call: Call, rest: str) -> Response:
    return errors.not_found()


def _document_routes(ep: Endpoints, kind: DocKind) -> list[tuple[str, Handler, tuple, str]]:
    """A document collection and one of its documents; both open with the invoices scope."""
    path = f"/{kind.collection}"
    return [
        (path, lambda r, o, u: ep.documents(r, o, u, kind), ("GET", "PUT", "POST"), "invoices"),
        (
            f"{path}/<doc_id>",
            lambda r, o, u, doc_id: ep.document(r, o, u, kind, doc_id),
            ("GET", "POST"),
            "invoices",
        ),
    ]


class XeroSandbox(SandboxApp):
    slug = FACTS.slug
    display_name = FACTS.name
    settings_class = XeroSettings
    consent_allow_label = "Allow access"
    unlogged_prefixes = ("/_sandbox", *web.PREFIXES)
    webhook_header = SIGNATURE_HEADER
    settings: XeroSettings

    def routes(self) -> list[Route]:
        ep = Endpoints(self)
        api: list[tuple[str, Handler, tuple, str]] = [
            ("/Contacts", ep.contacts, ("GET", "PUT", "POST"), "contacts"),
            ("/Contacts/<contact_id>", ep.contact, ("GET", "POST"), "contacts"),
            *(route for kind in (INVOICES, CREDIT_NOTES) for route in _document_routes(ep, kind)),
            ("/Payments", ep.payments, ("GET", "PUT", "POST"), "payments"),
            ("/Payments/<payment_id>", ep.payment, ("GET", "POST"), "payments"),
            ("/Accounts", ep.accounts, ("GET",), "settings"),
            ("/Accounts/<account_id>", ep.account, ("GET",), "settings"),
            ("/TaxRates", ep.tax_rates, ("GET",), "settings"),
            ("/TrackingCategories", ep.tracking_categories, ("GET",), "settings"),
            ("/Organisation", ep.organisation, ("GET",), "settings"),
        ]
        return [
            *self.oauth_routes(
                authorize="/identity/connect/authorize",
                token="/connect/token",
                revoke="/connect/revocation",
            ),
            *identity.routes(self),
            *[
                Route(API + rule, self.api(handler, family), methods)
                for rule, handler, methods, family in api
            ],
            # Anything else under the API is still an API call: authenticated, counted, 404.
            Route(f"{API}/<path:rest>", _no_such_resource, ("GET", "PUT", "POST", "DELETE")),
            *web.routes(self),
            Route(
                "/_sandbox/webhooks/intent",
                lambda request: webhooks.intent_to_receive(self, request),
                ("POST",),
                RouteKind.CONTROL,
            ),
        ]

    def canonical_path(self, path: str) -> str:
        """Xero's paths ignore case (its own spec links attachments at lower-case paths:
        ``/api.xro/2.0/invoices/...``; xero-python's recorded cassette calls
        ``/Connections``), and ``/Organisations`` answers as ``/Organisation`` does."""
        lowered = path.lower()
        if lowered == "/connections" or lowered.startswith("/connections/"):
            return "/connections" + path[len("/connections") :]
        prefix = f"{API.lower()}/"
        if not lowered.startswith(prefix):
            return path
        collection, slash, rest = path[len(prefix) :].partition("/")
        known = COLLECTION_SPELLING.get(collection.lower())
        return f"{API}/{known}{slash}{rest}" if known else path

    def api(self, handler: Handler, family: str) -> Handler:
        """An API handler with Xero's rules around it: scope, organisation, 400 and 404 shapes."""

        def run(request: Request, call: Call, **args: str) -> Response:
            if len(request.query_string) > MAX_QUERY_LENGTH:
                return errors.QueryTooLong(MAX_QUERY_LENGTH).response()
            if not self._scope_allows(call.grant.scope, family, request.method):
                return errors.missing_scope()
            org = self.orgs[call.company_id]
            unitdp = 4 if request.args.get("unitdp") == "4" else 2
            try:
                return handler(request, org, unitdp, **args)
            except XeroProblem as problem:
                return problem.response()
            except NotFound:
                return errors.not_found()

        return run

    @staticmethod
    def _scope_allows(granted: str, family: str, method: str) -> bool:
        scopes = set(granted.split())
        wanted = SCOPES[family]
        if method != "GET":
            return bool(scopes & set(wanted))
        return bool(scopes & {*wanted, *(f"{s}.read" for s in wanted)})

    # ---- SandboxApp hooks ------------------------------------------------------------

    def default_limits(self) -> Limits:
        return Limits(per_minute=60, per_day=5000, concurrent=5)

    def seed(self, options: dict[str, Any]) -> None:
        self.orgs: dict[str, Organisation] = seed_organisations(self.clock.now)
        for org in self.orgs.values():
            org.settings = self.settings
            org.webhooks = self.webhooks
        self.connected_at: dict[str, datetime] = {}

    def companies(self) -> list[dict[str, str]]:
        return [{"id": org.tenant_id, "name": org.name} for org in self.orgs.values()]

    def company_of(self, args: dict[str, str], request: Request) -> str | None:
        tenant = request.headers.get("xero-tenant-id", "").strip().lower()
        return tenant if tenant in self.orgs else None

    def default_scope(self) -> str:
        return DEFAULT_SCOPE

    def token_json(self, issued: Issued) -> dict[str, Any]:
        body = {
            "access_token": issued.access_token,
            "expires_in": issued.expires_in,
            "token_type": "Bearer",
            "refresh_token": issued.refresh_token,
            "scope": issued.grant.scope,
        }
        if "openid" in issued.grant.scope.split():
            body = {"id_token": f"sandbox-id-token.{uuid.uuid4().hex}", **body}
        return body

    def oauth_error(self, error: OAuthError) -> Response:
        # Xero answers token errors with the bare code: {"error": "invalid_grant"}.
        return json_response({"error": error.error}, error.status)

    def callback_params(
        self, code: str, state: str | None, company_id: str
    ) -> list[tuple[str, str]]:
        params = [("code", code), ("scope", DEFAULT_SCOPE)]
        if state is not None:
            params.append(("state", state))
        return [*params, ("session_state", uuid.uuid4().hex)]

    def unauthorized(self, problem: AccessProblem) -> Response:
        return errors.unauthorized(problem, self.clock.now())

    def forbidden(self, company_id: str | None) -> Response:
        return errors.forbidden()

    def throttled(self) -> Response:
        return errors.throttled("per_minute")

    def over_limit(self, limit: str) -> Response:
        return errors.throttled(limit)

    def server_error(self) -> Response:
        return errors.server_error()

    def not_found(self, request: Request) -> Response:
        if request.path.startswith((API, "/connections")):
            return errors.not_found()
        return super().not_found(request)

    def api_response(self, request: Request, response: Response) -> Response:
        """X-DayLimit-Remaining, X-MinLimit-Remaining and X-AppMinLimit-Remaining on every
        API answer, and Retry-After on a 429."""
        tenant = self.company_of({}, request)
        app_left = max(0, self.settings.app_per_minute - self.limiter.calls_this_minute())
        response.headers["X-AppMinLimit-Remaining"] = str(app_left)
        if tenant is not None:
            left = self.limiter.remaining(tenant)
            for header, key in (
                ("X-DayLimit-Remaining", "per_day"),
                ("X-MinLimit-Remaining", "per_minute"),
            ):
                if left[key] is not None:
                    response.headers[header] = str(left[key])
        problem = response.headers.get("X-Rate-Limit-Problem")
        if response.status_code == 429 and "Retry-After" not in response.headers:
            limit = {"day": "per_day", "concurrent": "concurrent"}.get(problem or "", "per_minute")
            wait = self.limiter.seconds_until_free(tenant, limit) if tenant else 0.0
            response.headers["Retry-After"] = str(max(1, math.ceil(wait / self.clock.speed)))
        return response

    def finish(self, response: Response) -> Response:
        response.headers["Xero-Correlation-Id"] = str(uuid.uuid4())
        return response
