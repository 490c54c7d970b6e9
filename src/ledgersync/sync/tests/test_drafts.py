"""Posting as a draft or approved (issue 17): the organisation's setting, a document's own
choice over it, what each sandbox holds, and what the document page says of it."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Document, PostAs
from ledgersync.records.services import create_document
from ledgersync.sync.connections import connector_for_connection
from ledgersync.sync.models import DocumentState
from ledgersync.sync.status import StatusCode, posting
from ledgersync.sync.tests.sandbox_view import is_draft
from ledgersync.sync.tests.test_engine import link_exact, sync_all

pytestmark = pytest.mark.django_db(transaction=True)


def invoice(organisation, number: str, **fields) -> Document:
    return create_document(
        organisation,
        {
            "type": "sales_invoice",
            "number": number,
            "account": "A1001",
            "lines": [
                {
                    "text": "Boiler service",
                    "quantity": "1",
                    "unit_price": "95.00",
                    "nominal": "4000",
                }
            ],
            "sent_via": "email",
            "mark_for_sync": True,
            **fields,
        },
    )


def test_drafts_go_as_drafts_where_the_package_has_them_and_a_document_may_differ(demo, sandbox):
    organisation, connection = demo
    drafts = connector_for_connection(connection).capabilities.supports_drafts
    link_exact(organisation, connection, "A1001")
    organisation.post_as = PostAs.DRAFT
    organisation.save()
    Document.objects.filter(organisation=organisation).update(marked_for_sync=False)
    as_set = invoice(organisation, "D0001")
    approved = invoice(organisation, "D0002", post_as="approved")
    name = sandbox.app.display_name
    assert posting(as_set, None) == (
        "Draft (as the settings say)" if drafts else f"Final ({name} has no draft state)"
    )

    sync_all(organisation, auto=False)

    company = connection.company_id
    assert is_draft(sandbox, company, "sales_invoice", "D0001") is drafts
    assert is_draft(sandbox, company, "sales_invoice", "D0002") is False
    states = {s.document.number: s for s in DocumentState.objects.select_related("document")}
    assert states["D0001"].status_code == StatusCode.SYNCED
    assert states["D0001"].remote_draft is drafts
    assert states["D0002"].remote_draft is False
    assert posting(as_set, states["D0001"]) == (
        f"Draft in {name}, waiting for a person there to approve it"
        if drafts
        else f"Approved in {name}"
    )
    assert posting(approved, states["D0002"]) == f"Approved in {name}"
