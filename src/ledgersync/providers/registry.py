"""The one list of providers; model choices, settings, CLI choices and the UI derive from it.

Each provider declares its facts once, as ``FACTS`` in its own package (see ``facts.py``).
Connector classes are named there by dotted path and imported on first use, so importing
the registry (e.g. from a Django model) stays cheap and no provider registers itself by
side effect.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from ledgersync.providers.facts import ProviderFacts, load

if TYPE_CHECKING:
    import httpx

    from ledgersync.providers.base import Connector, Credentials, TokenCallback, TokenRefresher
    from ledgersync.providers.config import ProviderConfig

# One line per provider, in the order the UI lists them; each package's __init__ has FACTS.
_PACKAGES = (
    "ledgersync.providers.quickbooks",
    "ledgersync.providers.xero",
    "ledgersync.providers.sage",
)

PROVIDERS: dict[str, ProviderFacts] = {
    facts.slug: facts for facts in (import_module(package).FACTS for package in _PACKAGES)
}


def choices() -> list[tuple[str, str]]:
    return [(slug, facts.name) for slug, facts in PROVIDERS.items()]


def display_name(slug: str) -> str:
    """The provider's name for people ("QuickBooks"); an unknown slug is shown as it is."""
    facts = PROVIDERS.get(slug)
    return facts.name if facts else slug


def get_connector_class(slug: str) -> type[Connector]:
    """The connector class for ``slug``; KeyError for an unknown slug."""
    return load(PROVIDERS[slug].connector)


def connector_for(
    slug: str,
    credentials: Credentials | None,
    on_token_refresh: TokenCallback | None = None,
    transport: httpx.BaseTransport | None = None,
    config: ProviderConfig | None = None,
    refresh_with: TokenRefresher | None = None,
) -> Connector:
    """A connector for one connection (one per run). ``config`` defaults to
    ``load_config(slug)`` (the environment); ``transport`` lets tests run a sandbox in-process;
    ``refresh_with`` is the caller's locked refresh path (``sync.connections``)."""
    from ledgersync.providers.config import load_config

    connector_class = get_connector_class(slug)
    return connector_class(
        credentials,
        config=config or load_config(slug),
        on_token_refresh=on_token_refresh,
        transport=transport,
        refresh_with=refresh_with,
    )
