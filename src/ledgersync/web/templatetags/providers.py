"""Provider facts a template needs with an argument: ``{% load providers %}`` then
``{% with where=connector.facts|accs_id_where:panel.is_supplier %}``."""

from __future__ import annotations

from django import template

from ledgersync.providers.base import ContactKind
from ledgersync.providers.facts import AccsIdExample, ProviderFacts

register = template.Library()


@register.filter
def accs_id_where(facts: ProviderFacts | None, is_supplier: bool) -> AccsIdExample | None:
    """Where a supplier's (or customer's) AccsID shows in the package's web app."""
    if facts is None:
        return None
    return facts.accs_id_where(ContactKind.SUPPLIER if is_supplier else ContactKind.CUSTOMER)
