"""Xero's identity service beside OAuth: ``GET /connections`` (the tenants a token may
use, as a bare JSON array) and ``DELETE /connections/{id}`` (disconnect one tenant)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.app import Route, RouteKind
from ledgersync.sandbox.core.oauth import AccessDenied, Grant
from ledgersync.sandbox.core.wire import json_response
from ledgersync.sandbox.xero.errors import not_found

if TYPE_CHECKING:
    from ledgersync.sandbox.xero.app import XeroSandbox

_NAMESPACE = uuid.UUID("9d4c3b1e-2f6a-4e8d-a7c5-0b1f2e3d4c5a")


def routes(app: XeroSandbox) -> list[Route]:
    # OAUTH-kind routes: logged and faultable by path, but not tenant-scoped or rate limited.
    return [
        Route("/connections", lambda r: list_connections(app, r), ("GET",), RouteKind.OAUTH),
        Route(
            "/connections/<connection_id>",
            lambda r, connection_id: delete_connection(app, r, connection_id),
            ("DELETE",),
            RouteKind.OAUTH,
        ),
    ]


def connection_id(grant: Grant) -> str:
    """One connection per app and organisation, stable across token rotation."""
    return str(uuid.uuid5(_NAMESPACE, f"{grant.client_id}:{grant.company_id}"))


def _stamp(moment: datetime) -> str:
    # Xero writes seven fractional digits and no zone: 2019-12-07T18:46:19.5165400
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def _grant(app: XeroSandbox, request: Request) -> Grant | Response:
    try:
        return app.tokens.authenticate(request.headers.get("Authorization"))
    except AccessDenied as denied:
        return app.unauthorized(denied.problem)


def list_connections(app: XeroSandbox, request: Request) -> Response:
    grant = _grant(app, request)
    if isinstance(grant, Response):
        return grant
    org = app.orgs[grant.company_id]
    first = app.connected_at.setdefault(connection_id(grant), app.clock.now())
    auth_event = str(uuid.uuid5(_NAMESPACE, f"{connection_id(grant)}:{grant.rotated_at}"))
    connection = {
        "id": connection_id(grant),
        "authEventId": auth_event,
        "tenantId": org.tenant_id,
        "tenantType": "ORGANISATION",
        "tenantName": org.name,
        "createdDateUtc": _stamp(first),
        "updatedDateUtc": _stamp(first),
    }
    wanted = request.args.get("authEventId")
    return json_response([connection] if wanted in (None, auth_event) else [])


def delete_connection(app: XeroSandbox, request: Request, connection_id_: str) -> Response:
    grant = _grant(app, request)
    if isinstance(grant, Response):
        return grant
    if connection_id_.lower() != connection_id(grant):
        return not_found()
    app.tokens.revoke_company(grant.company_id)
    app.connected_at.pop(connection_id(grant), None)
    return Response(status=204)
