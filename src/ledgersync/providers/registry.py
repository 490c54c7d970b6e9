"""The one list of providers; model choices, URLs and the UI derive from it.

Connector classes are named here by dotted path and imported on first use, so importing
the registry (e.g. from a Django model) stays cheap and no provider registers itself by
side effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from ledgersync.providers.base import Connector, Credentials, TokenCallback
    from ledgersync.providers.config import ProviderConfig


@dataclass(frozen=True)
class ProviderInfo:
    slug: str
    name: str
    connector_path: str | None = None  # "module:Class"; None until the connector exists


PROVIDERS: dict[str, ProviderInfo] = {
    info.slug: info
    for info in (
        ProviderInfo(
            "quickbooks",
            "QuickBooks",
            "ledgersync.providers.quickbooks.connector:QuickBooksConnector",
        ),
        ProviderInfo("xero", "Xero", "ledgersync.providers.xero.connector:XeroConnector"),
        ProviderInfo("sage", "Sage", "ledgersync.providers.sage.connector:SageConnector"),
    )
}


def choices() -> list[tuple[str, str]]:
    return [(slug, info.name) for slug, info in PROVIDERS.items()]


def get_connector_class(slug: str) -> type[Connector]:
    """The connector class for ``slug``; KeyError for an unknown slug, NotImplementedError
    for a provider whose connector is not written yet."""
    info = PROVIDERS[slug]
    if info.connector_path is None:
        raise NotImplementedError(f"no connector for {info.name} yet")
    module_name, class_name = info.connector_path.split(":")
    return getattr(import_module(module_name), class_name)


def connector_for(
    slug: str,
    credentials: Credentials | None,
    on_token_refresh: TokenCallback | None = None,
    transport: httpx.BaseTransport | None = None,
    config: ProviderConfig | None = None,
) -> Connector:
    """A connector for one connection (one per run). ``config`` defaults to
    ``load_config(slug)`` (the environment); ``transport`` lets tests run a sandbox in-process."""
    from ledgersync.providers.config import load_config

    connector_class = get_connector_class(slug)
    return connector_class(
        credentials,
        config=config or load_config(slug),
        on_token_refresh=on_token_refresh,
        transport=transport,
    )
