"""Where each provider lives and who we are to it, read from the environment.

Every URL defaults to the real service (the ``real_urls`` in the provider's ``FACTS``).
``<SLUG>_SANDBOX_URL`` (e.g. ``QUICKBOOKS_SANDBOX_URL=http://127.0.0.1:8101``) points every
URL at a ledgersync sandbox, which serves each real host's paths on one root, and defaults
the client to the sandbox's own (``ledgersync-sandbox``). A URL given on its own
(``<SLUG>_TOKEN_URL``) wins over both.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ledgersync.env import ConfigError, env_str, env_url
from ledgersync.providers.base import ContactKind
from ledgersync.providers.facts import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    URL_NAMES,
    ProviderFacts,
    ProviderUrls,
)
from ledgersync.providers.registry import PROVIDERS


@dataclass(frozen=True)
class ProviderConfig(ProviderUrls):
    """Where one provider lives (its URLs) and who we are to it."""

    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"ProviderConfig(client_id={self.client_id!r}, api_url={self.api_url!r})"


def _on_sandbox(root: str, real_url: str) -> str:
    parts = urlsplit(real_url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{root}{parts.path.rstrip('/')}{query}"


def sandbox_config(slug: str, root: str) -> ProviderConfig:
    """Every URL of ``slug`` on a sandbox served at ``root``, with the sandbox client."""
    real = _facts(slug).real_urls
    root = root.rstrip("/")
    urls = {name: _on_sandbox(root, getattr(real, name)) for name in URL_NAMES}
    urls["web_url"] = root
    return ProviderConfig(client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET, **urls)


def load_config(slug: str) -> ProviderConfig:
    """The configuration for ``slug`` from ``<SLUG>_*`` variables; raises ConfigError naming
    the variable when one is malformed or the client id is missing."""
    facts = _facts(slug)
    prefix = facts.env_prefix
    sandbox_root = env_url(f"{prefix}_SANDBOX_URL", "http://unset.invalid")
    on_sandbox = sandbox_root != "http://unset.invalid"
    defaults = sandbox_config(slug, sandbox_root) if on_sandbox else facts.real_urls
    urls = {
        name: env_url(f"{prefix}_{name.upper()}", getattr(defaults, name)) for name in URL_NAMES
    }
    client_id = env_str(f"{prefix}_CLIENT_ID", SANDBOX_CLIENT_ID if on_sandbox else "")
    secret = env_str(f"{prefix}_CLIENT_SECRET", SANDBOX_CLIENT_SECRET if on_sandbox else "")
    if not client_id:
        raise ConfigError(f"{prefix}_CLIENT_ID is not set (or set {prefix}_SANDBOX_URL)")
    return ProviderConfig(client_id=client_id, client_secret=secret, **urls)


def clock_speed(slug: str) -> float:
    """How many times faster than real time ``slug``'s clock runs: 1 against the real
    provider; against a sandbox whose ``clock_speed`` was raised (a benchmark),
    ``<SLUG>_SANDBOX_CLOCK_SPEED`` says so, and the connector's own pacing and rate-limit
    waits shrink to match."""
    prefix = _facts(slug).env_prefix
    if env_url(f"{prefix}_SANDBOX_URL", "http://unset.invalid") == "http://unset.invalid":
        return 1.0
    name = f"{prefix}_SANDBOX_CLOCK_SPEED"
    text = env_str(name, "1")
    try:
        speed = float(text)
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise ConfigError(f"{name} must be a number greater than 0, not {text!r}")
    return speed


def contact_web_url(
    slug: str, config: ProviderConfig, contact_id: str, kind: ContactKind
) -> str | None:
    """The contact's page in the provider's web app, e.g. QuickBooks
    ``https://app.qbo.intuit.com/app/customerdetail?nameId=129``; None where there is none."""
    page = _facts(slug).contact_pages.get(kind)
    if page is None:
        return None
    return config.web_url + page.format(id=contact_id)


def _facts(slug: str) -> ProviderFacts:
    try:
        return PROVIDERS[slug]
    except KeyError:
        raise ConfigError(f"unknown provider {slug!r}; known: {', '.join(PROVIDERS)}") from None
