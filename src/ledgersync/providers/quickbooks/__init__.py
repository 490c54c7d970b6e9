"""QuickBooks Online behind the connector contract (reference/qbo.md): its facts."""

from __future__ import annotations

from ledgersync.providers.base import Capabilities, ContactKind, TrackingSlot
from ledgersync.providers.facts import ProviderFacts, ProviderUrls

FACTS = ProviderFacts(
    slug="quickbooks",
    capabilities=Capabilities(
        display_name="QuickBooks",
        supports_care_of=True,  # as a sub-customer under the care-of customer
        supports_typed_accs_id=True,
        # UK companies need a VAT code on every line; a line without one takes its
        # nominal's default, so a nominal with no tax code would post without VAT.
        needs_tax_on_nominal=True,
        max_batch=30,
        # requestid: no retention documented, and users report repeats that were applied
        # again (research-12 A2): replay_window_seconds stays None.
        # QuickBooks taxes the summed net of each rate once (issue 14's soaks; the sandbox).
        tax_rounding="per_rate",
        # Class (ClassRef on each line) and Location (DepartmentRef on the header); reference
        # /qbo.md on Invoice/Bill lines, Intuit's Class and Department entities.
        tracking_slots=(TrackingSlot.CLASS, TrackingSlot.LOCATION),
    ),
    connector="ledgersync.providers.quickbooks.connector:QuickBooksConnector",
    # reference/qbo.md sections 1 and 2
    real_urls=ProviderUrls(
        authorize_url="https://appcenter.intuit.com/connect/oauth2",
        token_url="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        revoke_url="https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
        api_url="https://quickbooks.api.intuit.com",
        web_url="https://app.qbo.intuit.com",
    ),
    sandbox_port_offset=1,
    contact_pages={
        ContactKind.CUSTOMER: "/app/customerdetail?nameId={id}",
        ContactKind.SUPPLIER: "/app/vendordetail?nameId={id}",
    },
    accs_id_example="129",  # customer and vendor ids are small numbers
)
