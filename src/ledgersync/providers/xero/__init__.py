"""Xero behind the connector contract (reference/xero.md): its facts."""

from __future__ import annotations

from ledgersync.providers.base import Capabilities, ContactKind, TrackingSlot
from ledgersync.providers.facts import ProviderFacts, ProviderUrls

# The longest query string Xero takes on a GET: its list filters are bounded by URL length,
# which allows "about 52 GUIDs" in ``IDs=`` (reference/xero.md section 2; 52 GUIDs and their
# commas are 1,924 characters), so the sandbox refuses a longer one, and the connector packs
# as many numbers into one ``InvoiceNumbers`` filter as fit under it.
MAX_QUERY_LENGTH = 2048

FACTS = ProviderFacts(
    slug="xero",
    capabilities=Capabilities(
        display_name="Xero",
        supports_care_of=False,
        supports_typed_accs_id=True,
        # A line without a TaxType takes its account's; an account without one cannot post.
        needs_tax_on_nominal=True,
        max_batch=50,
        supports_pkce=True,
        # Xero replays an Idempotency-Key for about 6 minutes from the first call
        # (research-12 A1; third parties citing Xero's guide).
        replay_window_seconds=6 * 60,
        # "Xero calculates tax on a per line basis" (reference/xero.md, Rounding in Xero).
        tax_rounding="per_line",
        # Created as DRAFT or AUTHORISED (reference/xero.md, Invoice statuses).
        supports_drafts=True,
        # A line's Tracking [{Name, Option}], up to 2 categories (reference/xero.md); one is
        # mapped here.
        tracking_slots=(TrackingSlot.CATEGORY,),
    ),
    connector="ledgersync.providers.xero.connector:XeroConnector",
    # reference/xero.md sections 1 and 2
    real_urls=ProviderUrls(
        authorize_url="https://login.xero.com/identity/connect/authorize",
        token_url="https://identity.xero.com/connect/token",
        revoke_url="https://identity.xero.com/connect/revocation",
        api_url="https://api.xero.com",
        web_url="https://go.xero.com",
    ),
    sandbox_port_offset=2,
    # Customers and suppliers are both contacts, on one page.
    contact_pages={
        ContactKind.CUSTOMER: "/Contacts/View/{id}",
        ContactKind.SUPPLIER: "/Contacts/View/{id}",
    },
    accs_id_example="297c2dc5-cc47-4afd-8ec8-74990b8761e9",  # a ContactID is a GUID
)
