"""Sage Accounting paths and request conventions on top of the shared ApiClient.

Every API call goes to ``/v3.1/...`` with ``X-Business`` (Sage would otherwise use the
user's lead business); lists are read 200 at a time; every write is sent ``idempotent``
because its body carries an ``idempotency_id``. Calls pass through a Pace
(providers/pacing.py) so one connector stays inside Sage's 200 requests a minute per
business however many threads it pushes with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledgersync.providers.errors import AuthError
from ledgersync.providers.http import ApiClient
from ledgersync.providers.pacing import Pace
from ledgersync.providers.sage import mapping

PAGE_SIZE = 200  # Sage's maximum items_per_page
PER_MINUTE = 200  # "200 calls in any 60 second period (per Accounting business)"

# Every (method, path template) this client sends; the swagger test proves each one.
OPERATIONS = (
    ("GET", "/businesses/{key}"),
    ("GET", "/contacts"),
    ("GET", "/contacts/{key}"),
    ("POST", "/contacts"),
    ("GET", "/ledger_accounts"),
    ("GET", "/tax_rates"),
    ("GET", "/sales_invoices"),
    ("POST", "/sales_invoices"),
    ("GET", "/sales_credit_notes"),
    ("POST", "/sales_credit_notes"),
    ("GET", "/purchase_invoices"),
    ("POST", "/purchase_invoices"),
)


class SageClient:
    def __init__(self, api: ApiClient, pace: Pace | None = None) -> None:
        self.api = api
        self.pace = pace or Pace(PER_MINUTE)

    @property
    def business(self) -> str:
        if self.api.credentials is None or not self.api.credentials.company_id:
            raise AuthError("Not connected to Sage")
        return self.api.credentials.company_id

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.pace.take()
        headers = {"X-Business": self.business}
        return self.api.request(method, path, headers=headers, **kwargs).body

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._request("GET", path, params=dict(params or {}))

    def lead_business(self) -> dict[str, Any]:
        """The business a new token reaches without ``X-Business``: the one just chosen."""
        self.pace.take()
        return self.api.request("GET", "/businesses/lead").body

    def list_all(self, path: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Every row of a list, page by page (Sage answers a page past the end with the last
        page, so the walk stops on ``$next`` being null, never on an empty page)."""
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            query = {**(params or {}), "items_per_page": str(PAGE_SIZE), "page": str(page)}
            body = self.get(path, query)
            rows.extend(mapping.items(body))
            if not body.get("$next"):
                return rows
            page += 1

    def delete(self, path: str, params: Mapping[str, str] | None = None) -> None:
        """DELETE one record (a repeat of a DELETE changes nothing more)."""
        self._request("DELETE", path, params=dict(params or {}), idempotent=True)

    def create(self, collection: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST one record; Sage answers 201 with the whole record."""
        return self._request("POST", f"/{collection}", json_body=dict(body), idempotent=True)
