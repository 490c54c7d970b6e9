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
SETTINGS = {
    "provider": "quickbooks",
    "batch_size": 5,
    "auto_sync_minutes": 20,
    "post_as": "approved",
}


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


def form_post(lines, **extra):
    post = {"type": "sales_invoice", "line_count": str(len(lines)), **extra}
    for n, line in enumerate(lines):
        post.update({f"lines-{n}-{field}": value for field, value in line.items()})
    return post


def test_the_forms_totals_are_worked_out_by_the_rule_a_save_uses(client, admin):
    """QuickBooks rounds each rate's total: forty lines of 0.02 at 20% carry 0.16 VAT, not
    the 0.00 that rounding each line would show; a blank row and a line without a price
    are left out, keeping their places."""
    lines = [{**line, "tax_code": ""} for line in FORTY_PENNIES]
    lines.insert(1, {"text": "", "unit_price": ""})
    lines.insert(3, {"text": "Priced later", "unit_price": "", "nominal": "4000"})

    totals = client.post("/documents/totals/", form_post(lines)).json()

    assert (totals["net"], totals["tax"], totals["gross"]) == ("0.80", "0.16", "0.96")
    assert "1" not in totals["lines"]
    assert totals["lines"]["3"] == {"net": "–", "gross": "–"}
    assert sum(Decimal(line["gross"]) for k, line in totals["lines"].items() if k != "3") == (
        Decimal("0.96")
    )
    document = create_document(admin, invoice_data(lines=FORTY_PENNIES))
    assert (document.tax_total, document.gross_total) == (Decimal("0.16"), Decimal("0.96"))


def test_an_edited_documents_totals_keep_its_own_rule_and_a_far_supplier_vat_is_said(client, admin):
    document = create_document(admin, invoice_data(lines=FORTY_PENNIES))
    admin.vat_rounding = "per_line"
    admin.save()
    url = f"/documents/totals/?document={document.pk}"

    assert client.post(url, form_post(FORTY_PENNIES)).json()["tax"] == "0.16"
    assert client.post("/documents/totals/", form_post(FORTY_PENNIES)).json()["tax"] == "0.00"
    far = client.post(
        "/documents/totals/",
        form_post(FORTY_PENNIES, type="supplier_invoice", supplier_vat="9.99"),
    ).json()
    assert far["tax"] == "0.00" and "supplier" in far["problem"].lower()
