"""Xero sandbox behaviour switches (GET/PUT /_sandbox/settings).

Defaults follow reference/xero.md; what it marks UNCONFIRMED is switchable so a connector
can be tested against either answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledgersync.sandbox.core.oauth import OAuthConfig, Rotation
from ledgersync.sandbox.core.settings import SandboxSettings
from ledgersync.sandbox.core.supplied_tax import SuppliedTax
from ledgersync.sandbox.core.webhooks import WebhookConfig

ACCESS_TTL = 30 * 60  # 30-minute access tokens
REFRESH_TTL = 60 * 86400  # an unused refresh token lives 60 days
REFRESH_GRACE = 30 * 60  # the old refresh token still works 30 minutes after rotation


def _oauth() -> OAuthConfig:
    return OAuthConfig(
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
        code_ttl=300,  # UNCONFIRMED: 5 minutes is the common figure
        rotation=Rotation.ALWAYS,
        refresh_grace_seconds=REFRESH_GRACE,
        public_pkce_clients=True,  # "Auth Code with PKCE" apps have no secret
    )


@dataclass
class XeroSettings(SandboxSettings):
    oauth: OAuthConfig = field(default_factory=_oauth)
    provider_name: str = "ledgersync"  # the app name Xero echoes as ProviderName
    # Without ?summarizeErrors the API answers a batch with one bad element as a 400 and
    # still commits the good ones (the spec's default of false is not what Xero does).
    summarize_errors_by_default: bool = True
    # Idempotency-Key retention is UNCONFIRMED: None keeps keys until reset.
    idempotency_ttl_seconds: int | None = None
    app_per_minute: int = 10000  # X-AppMinLimit-Remaining counts down from this
    default_page_size: int = 100
    max_page_size: int = 1000  # UNCONFIRMED in an official document
    # A line's TaxAmount is "auto calculated ... This value can be overriden if the
    # calculated <TaxAmount> is not correct" (the LineItem model's own words); whether Xero
    # bounds the override on invoices is UNCONFIRMED (it refuses one on bank transactions:
    # "Tax amount 52.23 is incorrect for INPUT2 tax type, should be 52.28", xero-node#768).
    supplied_tax: SuppliedTax = SuppliedTax.ACCEPT
    supplied_tax_tolerance_pence: int = 1
    # Where invoice and credit-note webhooks go, signed with the webhook key.
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
