"""The Sage Accounting sandbox: OAuth at Sage's paths (``/oauth2/auth/central``, ``/token``,
``/revoke``), the v3.1 API under ``/v3.1/``, a read-only web view at the web app's own
paths, and the shared /_sandbox/ plane.

A grant covers the business chosen on the consent page; it is the caller's lead business,
used when a request sends no ``X-Business`` header.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from ledgersync.providers.sage import FACTS
from ledgersync.sandbox.core.app import Call, Route, SandboxApp
from ledgersync.sandbox.core.limits import Limits
from ledgersync.sandbox.core.oauth import AccessDenied, AccessProblem, Issued
from ledgersync.sandbox.core.replay import Reply
from ledgersync.sandbox.core.wire import BadJson, dumps, read_json
from ledgersync.sandbox.sage import contacts, documents, errors, reads, web
from ledgersync.sandbox.sage.errors import SageError
from ledgersync.sandbox.sage.seed import seed_businesses
from ledgersync.sandbox.sage.settings import SageSettings
from ledgersync.sandbox.sage.store import NAMESPACE, Business, hex_id, present

API = "/v3.1"
SCOPE = "full_access"
DAY = 86400
# Sage's "about 200 calls in any 60 second period, per business" (v3.0 docs).
PER_MINUTE = 200
Create = Callable[[Business, object], dict]
# The paths whose answers carry no X-Business header.
BUSINESS_FREE = ("/businesses", "/user")
READ_ONLY = {  # collections served read-only: GET list and GET one
    "ledger_accounts": "ledger_accounts",
    "tax_rates": "tax_rates",
    "bank_accounts": "bank_accounts",
}


def sage_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dumps(data), status=status, headers=headers, content_type="application/json; charset=utf-8"
    )


class SageSandbox(SandboxApp):
    slug = FACTS.slug
    display_name = FACTS.name
    settings_class = SageSettings
    unlogged_prefixes = ("/_sandbox", "/contacts", "/invoicing", "/business")
    settings: SageSettings

    def routes(self) -> list[Route]:
        api = [
            Route(f"{API}/businesses", self.businesses_view),
            Route(f"{API}/businesses/<key>", self.business_view),
            Route(f"{API}/user", self.user_view),
            Route(f"{API}/contact_types", self.contact_types_view),
            Route(f"{API}/contacts", self.contacts_view, ("GET", "POST")),
            Route(f"{API}/contact_payments", self.payments_view, ("GET", "POST")),
            Route(
                f"{API}/<any({','.join(documents.KINDS)}):collection>",
                self.documents_view,
                ("GET", "POST"),
            ),
            Route(f"{API}/<any({','.join(READ_ONLY)}):collection>", self.list_view),
            Route(f"{API}/<collection>/<key>", self.one_view, ("GET", "DELETE")),
        ]
        oauth = self.oauth_routes(
            authorize="/oauth2/auth/central", token="/token", revoke="/revoke"
        )
        return [*oauth, *api, *web.routes(self)]

    # ---- SandboxApp hooks ------------------------------------------------------------

    def default_limits(self) -> Limits:
        return Limits(per_minute=PER_MINUTE)

    def seed(self, options: dict[str, Any]) -> None:
        self.store: dict[str, Business] = seed_businesses(self.clock.now, self.settings)
        # When the demo user signed up: before any record the seed makes.
        self.user_since = next(iter(self.store.values())).stamp()

    def companies(self) -> list[dict[str, str]]:
        return [{"id": b.id, "name": b.name} for b in self.store.values()]

    def company_of(self, args: dict[str, str], request: Request) -> str | None:
        wanted = request.headers.get("X-Business")
        if wanted:
            return wanted if wanted in self.store else None
        try:
            return self.tokens.authenticate(request.headers.get("Authorization")).company_id
        except AccessDenied:
            return next(iter(self.store))  # the token check that follows answers 401

    def default_scope(self) -> str:
        return SCOPE

    def token_json(self, issued: Issued) -> dict[str, Any]:
        return {
            "access_token": issued.access_token,
            "scope": issued.grant.scope or SCOPE,
            "token_type": "bearer",
            "expires_in": issued.expires_in,
            "refresh_token": issued.refresh_token,
            "refresh_token_expires_in": issued.refresh_expires_in,
            "requested_by_id": str(
                uuid.uuid5(NAMESPACE, f"user:{issued.grant.client_id}")
            ),  # dashed, as Sage's
        }

    def unauthorized(self, problem: AccessProblem) -> Response:
        return errors.unauthorized(problem).response()

    def forbidden(self, company_id: str | None) -> Response:
        return errors.forbidden().response()

    def throttled(self) -> Response:
        seconds = self.settings.retry_after_seconds
        return errors.throttled().response(
            {"Retry-After": str(seconds)} if seconds is not None else None
        )

    def server_error(self) -> Response:
        return errors.unexpected().response()

    def api_response(self, request: Request, response: Response) -> Response:
        """Sage names the business it answered for in ``X-Business`` on every API answer but
        those of ``/businesses`` and ``/user``, which belong to no one business (Sage's
        "API best practices" guide, reference/sage.md)."""
        path = request.path.removeprefix(API)
        if not path.startswith(BUSINESS_FREE):
            business = self.company_of({}, request)
            if business is not None:
                response.headers["X-Business"] = business
        return response

    def not_found(self, request: Request) -> Response:
        return errors.no_route(request.method, request.path).response()

    # ---- helpers -----------------------------------------------------------------------

    def _web_root(self, request: Request) -> str:
        return request.host_url.rstrip("/")

    def _answer(self, request: Request, data: Any, status: int = 200) -> Response:
        return sage_json(present(data, self._web_root(request)), status)

    @staticmethod
    def _shown(request: Request, record: dict, attributes: str | None = None) -> dict:
        """One record as a single read (or a write's answer) shows it: every attribute by
        default, nested entities as stubs unless ``nested_attributes`` asks."""
        return reads.project(record, attributes or "all", request.args.get("nested_attributes"))

    def _list(self, request: Request, path: str, rows: list[dict]) -> Response:
        return self._answer(request, reads.envelope(path, rows, request.args))

    def _create(self, request: Request, call: Call, resource: str, create: Create) -> Response:
        """POST one record, replaying the stored answer to a known ``idempotency_id``."""
        business = self.store[call.company_id]
        try:
            data = read_json(request)
        except BadJson as exc:
            return errors.bad_body(str(exc)).response()
        inner = data.get(resource) if isinstance(data, dict) else None
        key = inner.get("idempotency_id") if isinstance(inner, dict) else None
        key = f"{resource}:{key}" if isinstance(key, str) and key else None
        with business.lock:
            stored = business.replies.get(key) if key else None
            if stored is not None and stored.fresh(
                self.clock.time(), self.settings.idempotency_days * DAY
            ):
                return stored.response()
            try:
                record = create(business, data)
                shown = (
                    self._shown(request, record)
                    if self.settings.nested_stubs_on_create
                    else reads.project(record, "all", "all")
                )
                response = self._answer(request, shown, 201)
            except SageError as error:
                return error.response()  # refusals are not kept: a corrected body may follow
            if key:
                business.replies[key] = Reply.of(response, self.clock.time())
        return response

    # ---- API endpoints ----------------------------------------------------------------

    def _business_json(self, business: Business) -> dict:
        return {
            "id": business.id,
            "displayed_as": business.name,
            "$path": f"/businesses/{business.id}",
            "name": business.name,
            "address_line_1": "1 Quay Street",
            "city": business.address.get("city", ""),
            "postal_code": business.address.get("postal_code", ""),
            "country": {
                "id": "GB",
                "displayed_as": "United Kingdom (GB)",
                "$path": "/countries/GB",
            },
            "is_demo": False,
            "ni_based": False,
        }

    def businesses_view(self, request: Request, call: Call) -> Response:
        rows = [self._business_json(self.store[call.grant.company_id])]
        return self._answer(
            request, reads.envelope("/businesses", rows, request.args, business_list=True)
        )

    def business_view(self, request: Request, call: Call, key: str) -> Response:
        wanted = call.grant.company_id if key == "lead" else key
        if wanted != call.grant.company_id:
            return errors.not_found().response()
        return self._answer(request, self._business_json(self.store[wanted]))

    def user_view(self, request: Request, call: Call) -> Response:
        user_id = hex_id("user", call.grant.client_id)
        return self._answer(
            request,
            {
                # The recorded answer (DeskproApps/sage mockCurrentUser.json) opens with these.
                "created_at": self.user_since,
                "updated_at": self.user_since,
                "id": user_id,
                "displayed_as": "Demo User",
                "$path": "/user",
                "first_name": "Demo",
                "last_name": "User",
                "initials": "DU",
                "email": "demo@ledgersync.example",
                "locale": "en-GB",
            },
        )

    def contact_types_view(self, request: Request, call: Call) -> Response:
        rows = [
            {"id": key, "displayed_as": shown, "$path": f"/contact_types/{key}"}
            for key, shown in contacts.CONTACT_TYPES.items()
        ]
        return self._list(request, "/contact_types", rows)

    def contacts_view(self, request: Request, call: Call) -> Response:
        business = self.store[call.company_id]
        if request.method == "POST":
            return self._create(
                request,
                call,
                "contact",
                lambda b, data: contacts.create_contact(b, self.settings, data),
            )
        try:
            rows = reads.filtered("contacts", business.all("contacts"), request.args)
            return self._list(request, "/contacts", rows)
        except SageError as error:
            return error.response()

    def documents_view(self, request: Request, call: Call, collection: str) -> Response:
        kind = documents.KINDS[collection]
        business = self.store[call.company_id]
        if request.method == "POST":
            return self._create(
                request,
                call,
                kind.resource,
                lambda b, data: documents.create(b, self.settings, kind, data),
            )
        try:
            rows = reads.filtered("documents", business.all(collection), request.args)
            return self._list(request, f"/{collection}", _with_allocations(request, rows))
        except SageError as error:
            return error.response()

    def payments_view(self, request: Request, call: Call) -> Response:
        business = self.store[call.company_id]
        if request.method == "POST":
            return self._create(request, call, "contact_payment", documents.pay)
        try:
            rows = reads.filtered("documents", business.all("contact_payments"), request.args)
        except SageError as error:
            return error.response()
        return self._list(request, "/contact_payments", rows)

    def list_view(self, request: Request, call: Call, collection: str) -> Response:
        business = self.store[call.company_id]
        try:
            rows = reads.filtered(collection, business.all(collection), request.args)
            return self._list(request, f"/{collection}", rows)
        except SageError as error:
            return error.response()

    def one_view(self, request: Request, call: Call, collection: str, key: str) -> Response:
        business = self.store[call.company_id]
        if request.method == "DELETE":
            return self._remove(request, business, collection, key)
        readable = {"contacts", "contact_payments", *documents.KINDS, *READ_ONLY}
        if collection not in readable:
            return self.not_found(request)
        record = business.get(collection, key)
        if record is None:
            return errors.not_found().response()
        if collection in documents.KINDS:
            record = _with_allocations(request, [record])[0]
        return self._answer(request, self._shown(request, record, request.args.get("attributes")))

    def _remove(self, request: Request, business: Business, collection: str, key: str) -> Response:
        kind = documents.KINDS.get(collection)
        if kind is None:
            return errors.no_route(request.method, request.path).response()
        try:
            record = documents.remove(business, kind, key, request.args.get("void_reason"))
        except SageError as error:
            return error.response()
        if record is None:
            return Response(status=204)
        return self._answer(request, self._shown(request, record))


def _with_allocations(request: Request, rows: list[dict]) -> list[dict]:
    """Documents with their ``payments_allocations``, which Sage lists only when asked
    (``show_payments_allocations=true``)."""
    if request.args.get("show_payments_allocations", "").lower() != "true":
        return rows
    return [{**r, "payments_allocations": r.get("_payments_allocations", [])} for r in rows]
