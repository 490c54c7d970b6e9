"""Where each provider lives and who we are to it, read from the environment.

Every URL defaults to the real service. ``<SLUG>_SANDBOX_URL`` (e.g.
``QUICKBOOKS_SANDBOX_URL=http://127.0.0.1:8101``) points every URL at a ledgersync sandbox,
which serves each real host's paths on one root, and defaults the client to the sandbox's
own (``ledgersync-sandbox``). A URL given on its own (``<SLUG>_TOKEN_URL``) wins over both.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ledgersync.env import ConfigError, env_str, env_url
from ledgersync.providers.base import ContactKind

SANDBOX_CLIENT_ID = "ledgersync-sandbox"
SANDBOX_CLIENT_SECRET = "ledgersync-sandbox-secret"


@dataclass(frozen=True)
class ProviderConfig:
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    revoke_url: str
    api_url: str
    web_url: str

    def __repr__(self) -> str:
        return f"ProviderConfig(client_id={self.client_id!r}, api_url={self.api_url!r})"


@dataclass(frozen=True)
class _RealUrls:
    authorize_url: str
    token_url: str
    revoke_url: str
    api_url: str
    web_url: str


# The real services (reference/{qbo,xero,sage}.md section 1 and 2).
REAL_URLS: dict[str, _RealUrls] = {
    "quickbooks": _RealUrls(
        authorize_url="https://appcenter.intuit.com/connect/oauth2",
        token_url="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        revoke_url="https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
        api_url="https://quickbooks.api.intuit.com",
        web_url="https://app.qbo.intuit.com",
    ),
    "xero": _RealUrls(
        authorize_url="https://login.xero.com/identity/connect/authorize",
        token_url="https://identity.xero.com/connect/token",
        revoke_url="https://identity.xero.com/connect/revocation",
        api_url="https://api.xero.com",
        web_url="https://go.xero.com",
    ),
    "sage": _RealUrls(
        authorize_url="https://www.sageone.com/oauth2/auth/central?filter=apiv3.1",
        token_url="https://oauth.accounting.sage.com/token",
        revoke_url="https://oauth.accounting.sage.com/revoke",
        api_url="https://api.accounting.sage.com/v3.1",
        web_url="https://accounts-extra.sageone.com",
    ),
}

_URL_FIELDS = ("authorize_url", "token_url", "revoke_url", "api_url", "web_url")

# Contact pages in each web app; Sage shows contacts under a legacy numeric id the API
# never returns, so it has no link (reference/sage.md section 6).
_CONTACT_PAGES: dict[tuple[str, ContactKind], str] = {
    ("quickbooks", ContactKind.CUSTOMER): "/app/customerdetail?nameId={id}",
    ("quickbooks", ContactKind.SUPPLIER): "/app/vendordetail?nameId={id}",
    ("xero", ContactKind.CUSTOMER): "/Contacts/View/{id}",
    ("xero", ContactKind.SUPPLIER): "/Contacts/View/{id}",
}


def _on_sandbox(root: str, real_url: str) -> str:
    parts = urlsplit(real_url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{root}{parts.path.rstrip('/')}{query}"


def sandbox_config(slug: str, root: str) -> ProviderConfig:
    """Every URL of ``slug`` on a sandbox served at ``root``, with the sandbox client."""
    real = _real(slug)
    root = root.rstrip("/")
    urls = {name: _on_sandbox(root, getattr(real, name)) for name in _URL_FIELDS}
    urls["web_url"] = root
    return ProviderConfig(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, **urls)


def load_config(slug: str) -> ProviderConfig:
    """The configuration for ``slug`` from ``<SLUG>_*`` variables; raises ConfigError naming
    the variable when one is malformed or the client id is missing."""
    prefix = slug.upper()
    real = _real(slug)
    sandbox_root = env_url(f"{prefix}_SANDBOX_URL", "http://unset.invalid")
    on_sandbox = sandbox_root != "http://unset.invalid"
    defaults = sandbox_config(slug, sandbox_root) if on_sandbox else None
    urls = {}
    for name in _URL_FIELDS:
        default = getattr(defaults, name) if defaults else getattr(real, name)
        urls[name] = env_url(f"{prefix}_{name.upper()}", default)
    client_id = env_str(f"{prefix}_CLIENT_ID", SANDBOX_CLIENT_ID if on_sandbox else "")
    secret = env_str(f"{prefix}_CLIENT_SECRET", SANDBOX_CLIENT_SECRET if on_sandbox else "")
    if not client_id:
        raise ConfigError(f"{prefix}_CLIENT_ID is not set (or set {prefix}_SANDBOX_URL)")
    return ProviderConfig(client_id, secret, **urls)


def contact_web_url(
    slug: str, config: ProviderConfig, contact_id: str, kind: ContactKind
) -> str | None:
    """The contact's page in the provider's web app, e.g. QuickBooks
    ``https://app.qbo.intuit.com/app/customerdetail?nameId=129``; None where there is none."""
    page = _CONTACT_PAGES.get((slug, kind))
    if page is None:
        return None
    return config.web_url + page.format(id=contact_id)


def _real(slug: str) -> _RealUrls:
    try:
        return REAL_URLS[slug]
    except KeyError:
        raise ConfigError(f"unknown provider {slug!r}; known: {', '.join(REAL_URLS)}") from None
