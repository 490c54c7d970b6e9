"""Sage sandbox behaviour switches (GET/PUT /_sandbox/settings).

Defaults follow reference/sage.md; facts it marks UNCONFIRMED are switchable so a
connector can be tested against either answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledgersync.sandbox.core.oauth import ClientAuth, OAuthConfig, Rotation
from ledgersync.sandbox.core.settings import SandboxSettings
from ledgersync.sandbox.core.supplied_tax import SuppliedTax

ACCESS_TTL = 300  # five minutes
REFRESH_TTL = 2678400  # 31 days (Sage staff, sageone_api_php_sample #39)
CODE_TTL = 60  # single use, 60 s (frequently_raised_errors)


def _oauth() -> OAuthConfig:
    return OAuthConfig(
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
        code_ttl=CODE_TTL,
        rotation=Rotation.ALWAYS,
        refresh_grace_seconds=0,
        # Sage documents the client id and secret as form fields; whether it also takes
        # HTTP Basic is UNCONFIRMED ("either" accepts both).
        client_auth=ClientAuth.FORM,
    )


@dataclass
class SageSettings(SandboxSettings):
    oauth: OAuthConfig = field(default_factory=_oauth)
    idempotency_days: int = 7  # "for the next 7 days, a repetition ... returns the same result"
    retry_after_seconds: int | None = None  # Retry-After on 429 is UNCONFIRMED: off by default
    unique_contact_names: bool = False  # UNCONFIRMED; only `reference` is documented unique
    unique_vendor_reference: bool = False  # UNCONFIRMED; Zynk's client-side check suggests not
    separate_credit_note_numbering: bool = False  # invoice_settings default: one shared counter
    # A POST's answer shows nested entities as stubs, as a GET does (UNCONFIRMED: recorded
    # reads show stubs, no recorded create answer was found); false fills them in.
    nested_stubs_on_create: bool = True
    # A line's tax_amount is required for non-zero rates and is what Sage books (rounded to
    # 2 dp: Sage staff, sageone_api_php_sample#19); whether Sage checks it against the rate
    # is UNCONFIRMED, so it can be recomputed or refused beyond a tolerance instead.
    supplied_tax: SuppliedTax = SuppliedTax.ACCEPT
    supplied_tax_tolerance_pence: int = 1
