"""QuickBooks sandbox behaviour switches (GET/PUT /_sandbox/settings).

Defaults follow reference/qbo.md; fields marked UNCONFIRMED there are switchable so a
connector can be tested against either answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ledgersync.sandbox.core.oauth import OAuthConfig, Rotation
from ledgersync.sandbox.core.settings import SandboxSettings
from ledgersync.sandbox.core.supplied_tax import SuppliedTax
from ledgersync.sandbox.core.webhooks import WebhookConfig


class BillNumberScope(enum.StrEnum):
    VENDOR = "vendor"  # a bill number may repeat across vendors (UNCONFIRMED; the default)
    COMPANY = "company"
    # Repeats allowed, as in a company whose "Warn if duplicate bill number is used" is off:
    # then only an idempotent request keeps a resent bill from being a second bill.
    NONE = "none"


class AuthFaultStyle(enum.StrEnum):
    UPPER = "upper"  # {"Fault":{"Error":[...],"type":"AuthenticationFault"}} (common)
    LOWER = "lower"  # {"fault":{"error":[...],"type":"AUTHENTICATION"}, ...} (gateway)


class WebhookPayload(enum.StrEnum):
    CLOUDEVENTS = "cloudevents"  # a JSON array of CloudEvents (mandatory since 2026)
    LEGACY = "legacy"  # {"eventNotifications": [...]}


def _oauth() -> OAuthConfig:
    # A refresh hands back the same refresh token until Intuit rotates it, about once a day
    # (an Intuit engineer in intuit/oauth-jsclient#74; users in quickbooks-ruby#389), so
    # a refresh whose answer was lost can be repeated with it. Whether the previous token
    # keeps working after a rotation is contradicted by Intuit's own texts: no grace here.
    return OAuthConfig(rotation=Rotation.DAILY, refresh_grace_seconds=0)


@dataclass
class QuickBooksSettings(SandboxSettings):
    oauth: OAuthConfig = field(default_factory=_oauth)
    auth_fault_style: AuthFaultStyle = AuthFaultStyle.UPPER
    throttle_status: int = 429  # QuickBooks historically answered 403
    retry_after_seconds: int | None = None  # Retry-After on 429 is UNCONFIRMED: off by default
    names_case_insensitive: bool = (
        True  # 6240 compares DisplayName case-insensitively (UNCONFIRMED)
    )
    duplicate_name_detail_with_id: bool = False  # the newer "The customer ID is: N" wording
    bill_number_scope: BillNumberScope = BillNumberScope.VENDOR
    custom_txn_numbers: bool = True  # Preferences.SalesFormsPrefs.CustomTxnNumbers
    unique_acct_num: bool = True  # UNCONFIRMED: QuickBooks may not enforce AcctNum uniqueness
    requestid_ttl_seconds: int | None = (
        None  # retention is UNCONFIRMED: None keeps them until reset
    )
    # A TxnTaxDetail.TaxLine amount sent for a rate (non-US): booked as sent, recomputed, or
    # refused beyond a tolerance. UNCONFIRMED (docs/sandboxes.md, "Supplied tax amounts").
    supplied_tax: SuppliedTax = SuppliedTax.ACCEPT
    supplied_tax_tolerance_pence: int = 1
    # Where payment webhooks go, signed with the verifier token (core/webhooks.py).
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    webhook_payload: WebhookPayload = WebhookPayload.CLOUDEVENTS
