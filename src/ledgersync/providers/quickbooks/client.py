"""QuickBooks Online paths and request conventions on top of the shared ApiClient.

Every API call goes to ``/v3/company/{realmId}/...`` with ``minorversion=75`` (QBO serves
everything as 75 since August 2025 and ignores lower values); every write carries
``requestid`` so QBO answers a repeat with the first answer instead of writing twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledgersync.providers.errors import AuthError, ProviderError
from ledgersync.providers.http import ApiClient, Reply, error_for_status
from ledgersync.providers.quickbooks import mapping

MINOR_VERSION = "75"
PAGE_SIZE = 1000  # QBO's maximum MAXRESULTS
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36


class QuickBooksClient:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    @property
    def realm(self) -> str:
        if self.api.credentials is None:
            raise AuthError("Not connected to QuickBooks")
        return self.api.credentials.company_id

    def path(self, tail: str) -> str:
        return f"/v3/company/{self.realm}/{tail}"

    def get(self, tail: str) -> Any:
        return self.get_with(tail, {})

    def get_with(self, tail: str, params: Mapping[str, str]) -> Any:
        """GET with query parameters (``/cdc``'s entities and changedSince)."""
        query = {**params, "minorversion": MINOR_VERSION}
        return self.api.request("GET", self.path(tail), params=query).body

    def query(self, sql: str) -> Any:
        params = {"query": sql, "minorversion": MINOR_VERSION}
        return self.api.request("GET", self.path("query"), params=params).body

    def query_all(self, entity: str, where: str = "", start: int = 1) -> list[dict[str, Any]]:
        """Every row of a query, page by page (STARTPOSITION is 1-based)."""
        rows: list[dict[str, Any]] = []
        while True:
            page = mapping.query_rows(
                self.query(mapping.select(entity, where, start=start)), entity
            )
            rows.extend(page)
            if len(page) < PAGE_SIZE:
                return rows
            start += PAGE_SIZE

    def create(self, entity: str, body: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        """POST one entity; the answer's entity object."""
        params = {"minorversion": MINOR_VERSION, "requestid": request_id[:REQUEST_ID_MAX]}
        reply = self.api.request(
            "POST", self.path(entity.lower()), params=params, json_body=dict(body), idempotent=True
        )
        return reply.body[entity]

    def change(
        self, entity: str, operation: str, body: Mapping[str, Any], request_id: str
    ) -> dict[str, Any]:
        """POST ``?operation=void|delete`` on one entity (body: Id and SyncToken)."""
        params = {
            "minorversion": MINOR_VERSION,
            "operation": operation,
            "requestid": request_id[:REQUEST_ID_MAX],
        }
        reply = self.api.request(
            "POST", self.path(entity.lower()), params=params, json_body=dict(body), idempotent=True
        )
        return reply.body

    def batch(self, body: Mapping[str, Any], request_id: str | None) -> Reply:
        """POST /batch; the reply carries the per-item answers by bId. Queries-only batches
        are reads."""
        params = {"minorversion": MINOR_VERSION}
        if request_id:
            params["requestid"] = request_id[:BATCH_REQUEST_ID_MAX]
        reply = self.api.request(
            "POST",
            self.path("batch"),
            params=params,
            json_body=dict(body),
            write=request_id is not None,
            idempotent=request_id is not None,
        )
        return reply.with_body(mapping.batch_items(reply.body))

    def select_all(self, entities: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Every row of several entities in one batch call, by entity. An entity that
        filled its page is finished with ordinary paged queries."""
        queries = {f"q{i}": entity for i, entity in enumerate(entities)}
        body = mapping.query_batch_body({bid: mapping.select(e) for bid, e in queries.items()})
        answers = self.batch(body, request_id=None).body
        rows = {}
        for bid, entity in queries.items():
            item = answers.get(bid, {})
            if "Fault" in item:
                raise item_error(item["Fault"], write=False)
            found = mapping.query_rows(item, entity)
            if len(found) >= PAGE_SIZE:
                found += self.query_all(entity, start=PAGE_SIZE + 1)
            rows[entity] = found
        return rows


def item_error(fault: Mapping[str, Any], *, write: bool) -> ProviderError:
    """A per-item batch Fault as an error of the tree (through the one status mapping)."""
    detail = mapping.fault_detail(fault)
    return error_for_status(detail.status or 400, detail, write=write)
