"""Builders shared by the web tests (Django test client, no browser)."""

from __future__ import annotations

from ledgersync.records.models import Account, DocType, Document, Role, Supplier
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org, make_user
from ledgersync.sync.models import AuditEvent, SyncRun


def other_tenant():
    """A second organisation with one of everything a URL can name."""
    organisation = make_org("other", "Other Heating Ltd")
    user = make_user(organisation, Role.ADMINISTRATOR, "other-admin")
    document = create_document(organisation, invoice_data())
    AuditEvent.objects.create(
        organisation=organisation, action="connect", detail="Other's secret event"
    )
    return organisation, user, document


def urls_for(
    document: Document, account: Account, supplier: Supplier, nominal, run: SyncRun | None
):
    """Every URL that names one row, as (method, url)."""
    urls = [
        ("get", f"/documents/{document.pk}/"),
        ("get", f"/documents/{document.pk}/edit/"),
        ("get", f"/documents/{document.pk}/print/"),
        ("post", f"/documents/{document.pk}/sent/"),
        ("post", f"/documents/{document.pk}/email/"),
        ("post", f"/documents/{document.pk}/mark/"),
        ("get", f"/accounts/{account.pk}/"),
        ("post", f"/accounts/{account.pk}/edit/"),
        ("get", f"/suppliers/{supplier.pk}/"),
        ("post", f"/suppliers/{supplier.pk}/edit/"),
        ("get", f"/nominals/{nominal.pk}/"),
        ("get", f"/sync/documents/{document.pk}/actions/"),
        ("post", f"/sync/documents/{document.pk}/link/"),
    ]
    if run is not None:
        urls += [("get", f"/sync/runs/{run.pk}/"), ("post", f"/sync/runs/{run.pk}/stop/")]
    return urls


SALES_INVOICE = DocType.SALES_INVOICE
