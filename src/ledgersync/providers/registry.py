"""The one list of providers; model choices, URLs and the UI derive from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderInfo:
    slug: str
    name: str


PROVIDERS: dict[str, ProviderInfo] = {
    info.slug: info
    for info in (
        ProviderInfo("quickbooks", "QuickBooks"),
        ProviderInfo("xero", "Xero"),
        ProviderInfo("sage", "Sage"),
    )
}


def choices() -> list[tuple[str, str]]:
    return [(slug, info.name) for slug, info in PROVIDERS.items()]
