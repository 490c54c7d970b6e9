"""The QuickBooks Online sandbox: OAuth at Intuit's paths, the v3 Accounting API under
/v3/company/{realmId}/, a read-only web view under /app/, and the shared /_sandbox/ plane.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from ledgersync.providers.quickbooks import FACTS
from ledgersync.providers.quickbooks.webhooks import SIGNATURE_HEADER
from ledgersync.sandbox.core.app import Call, Route, RouteKind, SandboxApp
from ledgersync.sandbox.core.limits import Limits
from ledgersync.sandbox.core.oauth import AccessProblem, Issued
from ledgersync.sandbox.core.replay import Reply
from ledgersync.sandbox.core.wire import BadJson, json_response, read_json
from ledgersync.sandbox.quickbooks import errors, operations, query, web
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.errors import QBOFault
from ledgersync.sandbox.quickbooks.seed import seed_companies
from ledgersync.sandbox.quickbooks.settings import AuthFaultStyle, QuickBooksSettings
from ledgersync.sandbox.quickbooks.store import ENTITIES, Company

API = "/v3/company/<realm_id>"
MAX_REQUEST_ID = 50
MAX_BATCH_REQUEST_ID = 36
MAX_BATCH = 30
SCOPE = "com.intuit.quickbooks.accounting"
Produce = Callable[[WriteContext], dict]


class QuickBooksSandbox(SandboxApp):
    slug = FACTS.slug
    display_name = FACTS.name
    settings_class = QuickBooksSettings
    unlogged_prefixes = ("/_sandbox", "/app")
    webhook_header = SIGNATURE_HEADER
    settings: QuickBooksSettings

    def routes(self) -> list[Route]:
        from ledgersync.sandbox.quickbooks import batch, cdc

        return [
            *self.oauth_routes(
                authorize="/connect/oauth2",
                token="/oauth2/v1/tokens/bearer",
                revoke="/v2/oauth2/tokens/revoke",
            ),
            # Intuit's OpenID discovery documents (developer.intuit.com/.well-known/...), which
            # intuitlib's AuthClient reads for its endpoints: the environment names one.
            *(
                Route(f"/.well-known/{name}", self.discovery_view, kind=RouteKind.WEB)
                for name in ("openid_configuration", "openid_sandbox_configuration")
            ),
            Route(f"{API}/query", self.query_view, ("GET", "POST")),
            Route(
                f"{API}/batch",
                lambda r, c, realm_id: batch.batch_view(self, r, c),
                ("POST",),
                buckets=("batch_per_minute",),
            ),
            Route(f"{API}/cdc", lambda r, c, realm_id: cdc.cdc_view(self, r, c), ("GET",)),
            Route(f"{API}/companyinfo/<record_id>", self.companyinfo_view),
            Route(f"{API}/preferences", self.preferences_view),
            Route(f"{API}/<entity>", self.write_view, ("POST",)),
            Route(f"{API}/<entity>/<record_id>", self.read_view),
            *web.routes(self),
        ]

    # ---- SandboxApp hooks ------------------------------------------------------------

    def default_limits(self) -> Limits:
        return Limits(per_minute=500, concurrent=10, buckets={"batch_per_minute": 40})

    def seed(self, options: dict[str, Any]) -> None:
        self.store: dict[str, Company] = seed_companies(
            self.clock.now,
            second_company_country=options.get("second_company_country", "GB"),
            settings=self.settings,
        )
        for company in self.store.values():
            company.webhooks = self.webhooks

    def companies(self) -> list[dict[str, str]]:
        return [{"id": c.realm_id, "name": c.name} for c in self.store.values()]

    def company_of(self, args: dict[str, str], request: Request) -> str | None:
        realm = args.get("realm_id")
        return realm if realm in self.store else None

    def default_scope(self) -> str:
        return SCOPE

    def token_json(self, issued: Issued) -> dict[str, Any]:
        return {
            "token_type": "bearer",
            "access_token": issued.access_token,
            "expires_in": issued.expires_in,
            "refresh_token": issued.refresh_token,
            "x_refresh_token_expires_in": issued.refresh_expires_in,
        }

    def callback_params(
        self, code: str, state: str | None, company_id: str
    ) -> list[tuple[str, str]]:
        return [*super().callback_params(code, state, company_id), ("realmId", company_id)]

    def unauthorized(self, problem: AccessProblem) -> Response:
        lower = self.settings.auth_fault_style is AuthFaultStyle.LOWER
        return errors.unauthorized(
            problem, lower_case=lower, now_ms=self._now_ms(), time=self._time()
        )

    def forbidden(self, company_id: str | None) -> Response:
        return errors.forbidden(self._now_ms())

    def throttled(self) -> Response:
        return errors.throttled(
            self._time(), self.settings.throttle_status, self.settings.retry_after_seconds
        )

    def server_error(self) -> Response:
        return errors.system_error().response(self._time())

    def not_found(self, request: Request) -> Response:
        if request.path.startswith("/v3/"):
            return errors.unsupported(f"{request.method} {request.path}").response(self._time())
        return super().not_found(request)

    def finish(self, response: Response) -> Response:
        response.headers["intuit_tid"] = str(uuid.uuid4())
        return response

    def is_write(self, request: Request) -> bool:
        return request.method == "POST" and not request.path.endswith("/query")

    def _time(self) -> str:
        return self.clock.now().astimezone().isoformat(timespec="milliseconds")

    def _now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    # ---- API endpoints ----------------------------------------------------------------

    def answer(
        self,
        request: Request,
        call: Call,
        produce: Produce,
        *,
        max_request_id: int = MAX_REQUEST_ID,
    ) -> Response:
        """Run ``produce`` under the company lock; a known requestid gets its stored reply."""
        company = self.store[call.company_id]
        request_id = request.args.get("requestid")
        if request_id is not None and len(request_id) > max_request_id:
            return errors.invalid_request_id(request_id).response(company.response_time())
        include = frozenset(
            i.strip().lower() for i in request.args.get("include", "").split(",") if i.strip()
        )
        with company.lock:
            stored = company.replies.get(request_id) if request_id else None
            ttl = self.settings.requestid_ttl_seconds
            if stored is not None and stored.fresh(self.clock.time(), ttl):
                return stored.response()
            ctx = WriteContext(company, self.settings, include)
            try:
                response = json_response({**produce(ctx), "time": company.response_time()})
            except QBOFault as fault:
                response = fault.response(company.response_time())
            if request_id:
                company.replies[request_id] = Reply.of(response, self.clock.time())
        return response

    def write_view(self, request: Request, call: Call, realm_id: str, entity: str) -> Response:
        name = ENTITIES.get(entity.lower())
        operation = request.args.get("operation", "create").lower()
        if request.args.get("include", "").lower() == "void" and operation == "update":
            operation = "void"

        def produce(ctx: WriteContext) -> dict:
            if name is None:
                raise errors.unsupported(f"{operation} for {entity}")
            try:
                data = read_json(request)
            except BadJson as exc:
                raise errors.bad_request_body(str(exc)) from None
            if operation == "delete":
                return {name: operations.delete(ctx, name, data)}
            if operation == "void":
                return {name: operations.void(ctx, name, data)}
            if operation not in ("create", "update"):
                raise errors.unsupported(f"{operation} for {name}")
            return {name: operations.save(ctx, name, data, operation)}

        return self.answer(request, call, produce)

    def read_view(
        self, request: Request, call: Call, realm_id: str, entity: str, record_id: str
    ) -> Response:
        name = ENTITIES.get(entity.lower())

        def produce(ctx: WriteContext) -> dict:
            if name is None or name in ("CompanyInfo", "Preferences"):
                raise errors.unsupported(f"read for {entity}")
            return {name: operations.read(ctx, name, record_id)}

        return self.answer(request, call, produce)

    def companyinfo_view(
        self, request: Request, call: Call, realm_id: str, record_id: str
    ) -> Response:
        def produce(ctx: WriteContext) -> dict:
            if record_id not in (realm_id, "1"):
                raise errors.object_not_found()
            return {"CompanyInfo": ctx.company.get("CompanyInfo", "1")}

        return self.answer(request, call, produce)

    def preferences_view(self, request: Request, call: Call, realm_id: str) -> Response:
        def produce(ctx: WriteContext) -> dict:
            prefs = ctx.company.existing("Preferences", "1")
            sales = {
                **prefs["SalesFormsPrefs"],
                "CustomTxnNumbers": self.settings.custom_txn_numbers,
            }
            return {"Preferences": {**prefs, "SalesFormsPrefs": sales}}

        return self.answer(request, call, produce)

    def discovery_view(self, request: Request) -> Response:
        """The discovery document, with this sandbox's root in place of Intuit's hosts."""
        root = request.host_url.rstrip("/")
        return json_response(
            {
                "issuer": f"{root}/op/v1",
                "authorization_endpoint": f"{root}/connect/oauth2",
                "token_endpoint": f"{root}/oauth2/v1/tokens/bearer",
                "userinfo_endpoint": f"{root}/v1/openid_connect/userinfo",
                "revocation_endpoint": f"{root}/v2/oauth2/tokens/revoke",
                "jwks_uri": f"{root}/op/v1/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile", "address", "phone"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
            }
        )

    def query_view(self, request: Request, call: Call, realm_id: str) -> Response:
        if request.method == "POST":
            text = request.get_data(as_text=True)
        else:
            text = request.args.get("query", "")
        return self.answer(
            request, call, lambda ctx: {"QueryResponse": query.run(ctx.company, text)}
        )


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
