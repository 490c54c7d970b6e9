"""Sage Business Cloud Accounting v3.1 (reference/sage.md): its facts."""

from __future__ import annotations

from ledgersync.providers.base import Capabilities
from ledgersync.providers.facts import ProviderFacts, ProviderUrls

FACTS = ProviderFacts(
    slug="sage",
    capabilities=Capabilities(
        display_name="Sage",
        supports_care_of=False,
        # The id a person sees in Sage's web app is a legacy number the API never takes.
        supports_typed_accs_id=False,
        # A line without a tax rate takes its ledger account's default; with none, Sage
        # refuses the line, so a nominal with no rate must be caught first (check 6).
        needs_tax_on_nominal=True,
        max_batch=10,
        # "For the next 7 days, a repetition of this very same request will return the exact
        # same result" (Sage's idempotency guide, research-12 A3).
        replay_window_seconds=7 * 24 * 3600,
        # Lines are rounded before they are added (Sage staff, sageone_api_php_sample#19).
        tax_rounding="per_line",
        # status_id DRAFT on create, released later (sage swagger: status_id, DRAFT in the
        # void_reason rule, POST /sales_invoices/{key}/release; reference/sage.md).
        supports_drafts=True,
    ),
    connector="ledgersync.providers.sage.connector:SageConnector",
    # reference/sage.md sections 1 and 2
    real_urls=ProviderUrls(
        authorize_url="https://www.sageone.com/oauth2/auth/central?filter=apiv3.1",
        token_url="https://oauth.accounting.sage.com/token",
        revoke_url="https://oauth.accounting.sage.com/revoke",
        api_url="https://api.accounting.sage.com/v3.1",
        web_url="https://accounts-extra.sageone.com",
    ),
    sandbox_port_offset=3,
    # No contact pages: Sage's web app shows contacts under a legacy numeric id the API
    # never returns (reference/sage.md section 6).
)
