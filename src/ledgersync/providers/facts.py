"""The shape of what each provider declares about itself, once, in its own package.

``ledgersync.providers.<slug>`` (its ``__init__``) holds one ``FACTS``; the registry lists
those packages, and CLI choices, model choices, settings, the demo's sandbox ports and the
sandbox registry all derive from them. Only the standard library and ``base`` are imported
here, because Django models import the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import import_module
from typing import Any

from ledgersync.providers.base import Capabilities, ContactKind

# The OAuth client every ledgersync sandbox accepts unless configured otherwise; the demo
# and ``<SLUG>_SANDBOX_URL`` use it.
SANDBOX_CLIENT_ID = "ledgersync-sandbox"
SANDBOX_CLIENT_SECRET = "ledgersync-sandbox-secret"


@dataclass(frozen=True)
class ProviderUrls:
    """Where a provider's OAuth endpoints, API and web app live."""

    authorize_url: str
    token_url: str
    revoke_url: str
    api_url: str
    web_url: str


URL_NAMES = tuple(f.name for f in fields(ProviderUrls))


@dataclass(frozen=True)
class AccsIdExample:
    """Where a person reads an AccsID in the provider's web app: the page's address after the
    host (``app/customerdetail?nameId=129``) and the id in it (``129``)."""

    path: str
    id: str


@dataclass(frozen=True)
class ProviderFacts:
    """One provider: its slug, what it can do (``capabilities``, which holds its display name),
    its connector class as ``"module:Class"`` (imported on first use), its real URLs, the
    pages of its web app that show a contact (a path on ``web_url`` with ``{id}``), the
    offset of its sandbox's port from ``LEDGERSYNC_SANDBOX_PORT_BASE``, and a contact id of
    the shape the package uses (``accs_id_example``: the hint beside a typed AccsID and the
    refusal of a wrong one show it)."""

    slug: str
    capabilities: Capabilities
    connector: str
    real_urls: ProviderUrls
    sandbox_port_offset: int
    contact_pages: Mapping[ContactKind, str] = field(default_factory=dict)
    accs_id_example: str = ""

    @property
    def name(self) -> str:
        return self.capabilities.display_name

    def accs_id_where(self, kind: ContactKind) -> AccsIdExample | None:
        """Where the AccsID of a customer or supplier shows in the package's address bar, with
        this provider's example id; None where it has no such page or typed ids are not
        offered."""
        page = self.contact_pages.get(kind)
        if not page or not self.accs_id_example or not self.capabilities.supports_typed_accs_id:
            return None
        return AccsIdExample(page.format(id=self.accs_id_example).lstrip("/"), self.accs_id_example)

    @property
    def env_prefix(self) -> str:
        """The prefix of its settings: ``QUICKBOOKS`` in ``QUICKBOOKS_CLIENT_ID``."""
        return self.slug.upper()

    @property
    def sandbox_package(self) -> str:
        """The package of its emulator, which names its app class as ``APP``."""
        return f"ledgersync.sandbox.{self.slug}"


def load(path: str) -> Any:
    """The object a ``"module:name"`` path names, importing its module now."""
    module_name, name = path.split(":")
    return getattr(import_module(module_name), name)
