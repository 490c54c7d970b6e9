"""The VAT rounding rule on the Settings page (warned before it touches unsent documents) and
on the document's page and its print."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgersync.records.models import Organisation, Role
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org, make_user
from ledgersync.sync.models import AuditEvent

pytestmark = pytest.mark.django_db

FORTY_PENNIES = [
    {"text": f"Washer {n}", "quantity": "1", "unit_price": "0.02", "nominal": "4000"}
    for n in range(40)
]
SETTINGS = {"provider": "quickbooks", "batch_size": 5, "auto_sync_minutes": 20}


@pytest.fixture
def admin(client):
    organisation = make_org()
    client.force_login(make_user(organisation, Role.ADMINISTRATOR))
    return organisation


def test_the_settings_page_offers_the_packages_own_rule_first(client, admin):
    page = client.get("/settings/").content.decode()
    assert "As QuickBooks does (vat rounded on each rate&#x27;s total)" in page


def test_changing_the_rule_with_unsent_documents_warns_before_it_reworks_them(client, admin):
    document = create_document(admin, invoice_data(lines=FORTY_PENNIES))
    assert document.tax_total == Decimal("0.16")

    first = client.post("/settings/", {**SETTINGS, "vat_rounding": "per_line"})

    assert first.status_code == 200
    assert "1 document(s) not yet sent will be worked out again" in first.content.decode()
    assert Organisation.objects.get(pk=admin.pk).vat_rounding == ""
    document.refresh_from_db()
    assert document.tax_total == Decimal("0.16")

    confirmed = client.post(
        "/settings/", {**SETTINGS, "vat_rounding": "per_line", "confirm_rounding": "yes"}
    )

    assert confirmed.status_code == 302
    assert Organisation.objects.get(pk=admin.pk).vat_rounding == "per_line"
    document.refresh_from_db()
    assert (document.vat_rounding, document.tax_total) == ("per_line", Decimal("0.00"))
    assert AuditEvent.objects.get(action="settings").detail == "Changed vat_rounding to per_line"


def test_choosing_another_package_moves_the_packages_own_rule_after_a_warning(client, admin):
    """QuickBooks rounds each rate's total, Xero each line: an unsent document worked out
    "as QuickBooks does" would reach Xero a penny off what Xero works out."""
    document = create_document(admin, invoice_data(lines=FORTY_PENNIES))
    assert (document.vat_rounding, document.tax_total) == ("per_rate", Decimal("0.16"))

    first = client.post("/settings/", {**SETTINGS, "provider": "xero", "vat_rounding": ""})

    assert first.status_code == 200
    assert "1 document(s) not yet sent will be worked out again" in first.content.decode()
    assert Organisation.objects.get(pk=admin.pk).provider == "quickbooks"

    confirmed = client.post(
        "/settings/",
        {**SETTINGS, "provider": "xero", "vat_rounding": "", "confirm_rounding": "yes"},
    )

    assert confirmed.status_code == 302
    assert Organisation.objects.get(pk=admin.pk).provider == "xero"
    document.refresh_from_db()
    assert (document.vat_rounding, document.tax_total) == ("per_line", Decimal("0.00"))


def test_with_nothing_unsent_the_rule_changes_at_once(client, admin):
    answer = client.post("/settings/", {**SETTINGS, "vat_rounding": "per_line"})
    assert answer.status_code == 302
    assert Organisation.objects.get(pk=admin.pk).vat_rounding == "per_line"


def test_the_document_and_its_print_say_how_the_vat_was_worked_out(client, admin):
    document = create_document(admin, invoice_data(lines=FORTY_PENNIES, prices_include_vat=True))
    basis = "Prices include VAT; VAT rounded on each rate&#x27;s total."
    assert basis in client.get(f"/documents/{document.pk}/").content.decode()
    assert basis in client.get(f"/documents/{document.pk}/print/").content.decode()
