"""The mapping screens (#18), through the Django test client against each provider's sandbox
on a real socket: what maps to what and what is missing, a mapping by hand, the fallback
account per document type, "Create in ledgersync", refusals as the page's error, and who
may see them."""

from __future__ import annotations

import pytest
from django.test import Client

from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.demo_data import seed_demo
from ledgersync.records.models import Account, Document, NominalCode, Supplier, User
from ledgersync.sync import assess, connections, linking, reference
from ledgersync.sync.models import AuditEvent, CodeMapping, DocumentState, LinkMethod, MapKind
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.conftest import connect_to_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def read_demo(sandbox):
    """The demo organisation connected to the sandbox, the package's list read."""
    organisation = seed_demo()
    organisation.provider = sandbox.slug
    organisation.save()
    connection = connect_to_sandbox(organisation, sandbox.url, sandbox.slug)
    # Link This for every party the package has by name, so the nominal check has its turn.
    connector = connections.connector_for_connection(connection)
    for party in [*Account.objects.for_org(organisation), *Supplier.objects.for_org(organisation)]:
        match = linking.suggestions(connector, party).exact
        if match is not None:
            linking.link_existing(
                connection, connector, party, match.contact.id, method=LinkMethod.LINK_THIS
            )
    reference.refresh(connection)
    assess.assess(organisation)
    return organisation, connection, PROVIDERS[sandbox.slug].name


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def row_of(html: str, row_id: str) -> str:
    start = html.index(f'id="{row_id}"')
    return html[start : html.index("</tr>", start)]


def test_the_nominal_screen_shows_what_maps_to_what_and_what_is_missing(read_demo):
    organisation, connection, name = read_demo
    html = client_for("accounts").get("/nominals/mapping/").content.decode()

    assert f"Nominal codes ↔ {name}" in html
    assert f"Checked against {name} data from" in html
    assert f"Refresh from {name}" in html
    assert 'data-state="by_number"' in row_of(html, "nominal-4000")
    assert "4000 Sales - Labour" in row_of(html, "nominal-4000")
    assert 'data-state="missing"' in row_of(html, "nominal-4090")
    # The package's expense account the demo chart lacks, offered to create here.
    assert "Bank charges" in row_of(html, "lacking-8200")
    assert "Create in ledgersync" in row_of(html, "lacking-8200")
    assert 'id="lacking-1200"' not in html  # a bank account is no nominal


def test_mapping_a_nominal_by_hand_clears_its_documents_check_and_is_audited(read_demo):
    organisation, connection, name = read_demo
    s1006 = Document.objects.get(organisation=organisation, number="S1006")
    assert DocumentState.objects.get(document=s1006).status_code == StatusCode.NOMINAL_MISSING
    client = client_for("accounts")

    answer = client.post("/nominals/mapping/map/", {"code": "4090", "remote": "4010"})

    assert answer.status_code == 302
    assert CodeMapping.objects.get(kind=MapKind.NOMINAL, code="4090").remote == "4010"
    assert DocumentState.objects.get(document=s1006).status_code != StatusCode.NOMINAL_MISSING
    html = client.get("/nominals/mapping/").content.decode()
    assert f"Nominal code 4090 now books to {name} 4010." in html
    assert 'data-state="by_hand"' in row_of(html, "nominal-4090")
    event = AuditEvent.objects.get(action="mapping:nominal")
    assert event.user.username == "accounts"
    assert event.detail == f"Nominal code 4090 mapped to {name} 4010 Sales - Materials"

    client.post("/nominals/mapping/map/", {"code": "4090", "remote": ""})  # by number again
    assert not CodeMapping.objects.exists()
    assert DocumentState.objects.get(document=s1006).status_code == StatusCode.NOMINAL_MISSING


def test_a_mapping_the_package_cannot_take_is_the_pages_error_and_nothing_changes(read_demo):
    organisation, connection, name = read_demo
    client = client_for("accounts")

    answer = client.post("/nominals/mapping/map/", {"code": "4090", "remote": "9999"}, follow=True)

    assert answer.status_code == 200
    assert f"{name} has no account 9999." in answer.content.decode()
    bad_type = client.post(
        "/nominals/mapping/fallback/", {"doc_type": "quote", "remote": "4000"}, follow=True
    )
    assert bad_type.status_code == 200
    assert "quote is not a document type" in bad_type.content.decode()
    assert not CodeMapping.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="mapping:").exists()


def test_the_fallback_account_lets_a_missing_nominal_sync_and_the_document_says_so(read_demo):
    organisation, connection, name = read_demo
    s1006 = Document.objects.get(organisation=organisation, number="S1006")
    client = client_for("admin")

    client.post("/nominals/mapping/fallback/", {"doc_type": "sales_invoice", "remote": "4000"})

    assert DocumentState.objects.get(document=s1006).status_code != StatusCode.NOMINAL_MISSING
    page = client.get(f"/documents/{s1006.pk}/").content.decode()
    assert (
        f"Line 2: nominal code 4090 is not in {name}; it books to 4000 Sales - Labour, "
        "the fallback account for sales invoices."
    ) in page
    event = AuditEvent.objects.get(action="mapping:fallback")
    assert event.detail == (
        f"Fallback account for sales invoices in {name} set to 4000 Sales - Labour"
    )
    client.post("/nominals/mapping/fallback/", {"doc_type": "sales_invoice", "remote": ""})
    assert DocumentState.objects.get(document=s1006).status_code == StatusCode.NOMINAL_MISSING


def test_create_in_ledgersync_adds_the_package_account_as_a_nominal_code(read_demo):
    organisation, connection, name = read_demo
    client = client_for("accounts")

    answer = client.post("/nominals/mapping/create/", {"code": "8200"}, follow=True)

    nominal = NominalCode.objects.get(organisation=organisation, code="8200")
    assert (nominal.description, nominal.kind) == ("Bank charges", "purchase")
    html = answer.content.decode()
    assert "Created nominal code 8200 Bank charges." in html
    assert 'data-state="by_number"' in row_of(html, "nominal-8200")
    assert 'id="lacking-8200"' not in html
    again = client.post("/nominals/mapping/create/", {"code": "8200"}, follow=True)
    assert "Nominal code 8200 already exists in ledgersync." in again.content.decode()
    assert AuditEvent.objects.filter(action="nominals:create").count() == 1


def test_the_tax_screen_maps_a_code_per_side(read_demo):
    organisation, connection, name = read_demo
    client = client_for("accounts")
    html = client.get("/nominals/tax-mapping/").content.decode()
    assert f"Tax codes ↔ {name}" in html
    assert 'data-state="by_number"' in row_of(html, "tax-S")
    chart = reference.reference_of(reference.cache_of(connection))
    standard_purchases = chart.account("5000").tax_code_id

    client.post(
        "/nominals/tax-mapping/map/", {"code": "R", "sales": "", "purchases": standard_purchases}
    )

    assert list(CodeMapping.objects.values_list("kind", "code", "remote")) == [
        (MapKind.PURCHASE_TAX, "R", standard_purchases)
    ]
    html = client.get("/nominals/tax-mapping/").content.decode()
    assert 'class="purchases" data-state="by_hand"' in row_of(html, "tax-R")
    refused = client.post(
        "/nominals/tax-mapping/map/", {"code": "R", "sales": "NOPE"}, follow=True
    ).content.decode()
    assert f"{name} has no tax code NOPE." in refused


def test_an_engineer_may_not_see_or_change_the_mapping(read_demo):
    client = client_for("engineer")
    for url in ("/nominals/mapping/", "/nominals/tax-mapping/"):
        assert client.get(url).status_code == 403
    answer = client.post("/nominals/mapping/map/", {"code": "4090", "remote": "4010"})
    assert answer.status_code == 403
    assert not CodeMapping.objects.exists()


def test_the_nominal_codes_page_says_in_the_package_by_the_same_mapping(read_demo):
    organisation, connection, name = read_demo
    client = client_for("accounts")
    before = client.get("/nominals/").content.decode()
    assert f"Not in {name}" in row_of(before, "nominal-4090")

    client.post("/nominals/mapping/map/", {"code": "4090", "remote": "4010"})

    after = client.get("/nominals/").content.decode()
    assert "(mapped to 4010) · Sales - Materials" in row_of(after, "nominal-4090")
    assert 'href="/nominals/mapping/"' in after
