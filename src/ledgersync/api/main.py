"""The REST API at /api/v1/ (OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from ninja import NinjaAPI

from ledgersync.alerts import api as events
from ledgersync.api import documents, errors, mapping, records, sync, tracking

api = NinjaAPI(
    title="ledgersync API",
    version="1",
    description=(
        "Accounts, suppliers, nominal and tax codes, documents, and syncing them to the "
        "accounting package. Send an API key as `Authorization: Bearer <key>`. Errors are "
        '`{"error": {"code", "message", "field", "details"}}`; see docs/api.md.'
    ),
    urls_namespace="api",
)
errors.install(api)
api.add_router("", records.router)
api.add_router("", documents.router)
api.add_router("", sync.router)
api.add_router("", mapping.router)
api.add_router("", tracking.router)
api.add_router("", events.router)
