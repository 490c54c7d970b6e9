"""One organisation can never see or change another's rows through any view."""

from __future__ import annotations

import pytest

from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Account, Document, NominalCode, Supplier, User
from ledgersync.sync.models import AuditEvent, Connection, ConnectionStatus, SyncRun
from ledgersync.web.tests.helpers import other_tenant, urls_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants():
    demo = seed_demo()
    other, other_admin, other_document = other_tenant()
    connection = Connection.objects.create(
        organisation=other,
        provider="quickbooks",
        company_id="77",
        company_name="Other Co",
        status=ConnectionStatus.CONNECTED,
        refresh_token="r",
        access_token="a",
    )
    run = SyncRun.objects.create(
        organisation=other, connection=connection, doc_type="sales_invoice"
    )
    return demo, other, other_document, run


def test_every_row_url_of_another_organisation_answers_404(client, two_tenants):
    demo, other, other_document, run = two_tenants
    client.force_login(User.objects.get(username="admin"))
    urls = urls_for(
        other_document,
        Account.objects.get(organisation=other),
        Supplier.objects.get(organisation=other),
        NominalCode.objects.filter(organisation=other).first(),
        run,
    )
    for method, url in urls:
        response = getattr(client, method)(
            url, {"marked": "no", "sent": "yes", "name": "x", "country": "GB"}
        )
        assert (url, response.status_code) == (url, 404)
    other_document.refresh_from_db()
    run.refresh_from_db()
    assert other_document.sent_at is None
    assert run.stop_requested is False
    assert Account.objects.get(organisation=other).name == "Harbour Cafe"


def test_lists_show_only_the_users_own_organisation(client, two_tenants):
    demo, other, other_document, run = two_tenants
    client.force_login(User.objects.get(username="admin"))
    documents = client.get("/documents/").content.decode()
    assert "S1001" in documents
    assert f'href="/documents/{other_document.pk}/"' not in documents
    sync = client.get("/sync/sales-invoice/").content.decode()
    assert "Other Co" not in sync
    assert "Not Connected" in sync
    assert "Builders Merchants Direct" in client.get("/suppliers/").content.decode()
    assert "Other's secret event" not in client.get("/settings/").content.decode()


def test_pruning_the_audit_log_leaves_other_organisations_alone(client, two_tenants):
    demo, other, other_document, run = two_tenants
    AuditEvent.objects.filter(organisation=other).update(at="2000-01-01T00:00:00Z")
    AuditEvent.objects.create(organisation=demo, action="x", detail="old")
    AuditEvent.objects.filter(organisation=demo).update(at="2000-01-01T00:00:00Z")
    client.force_login(User.objects.get(username="admin"))
    client.post("/settings/audit/prune/", {"days": "30"})
    assert AuditEvent.objects.filter(organisation=other).count() == 1
    assert not AuditEvent.objects.filter(organisation=demo, detail="old").exists()


def test_the_other_tenants_documents_never_reach_the_sync_grid(client, two_tenants):
    demo, other, other_document, run = two_tenants
    Document.objects.filter(pk=other_document.pk).update(marked_for_sync=True)
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/sync/sales-invoice/").content.decode()
    assert f"row-{other_document.pk}" not in page
    assert page.count('id="row-') == 10
