"""Small builders for tests: one organisation with the records a document needs."""

from __future__ import annotations

from decimal import Decimal

from ledgersync.records.models import (
    Account,
    NominalCode,
    Organisation,
    Role,
    Supplier,
    TaxCode,
    User,
)


def make_org(slug: str = "acme", name: str = "Acme Heating Ltd") -> Organisation:
    organisation = Organisation.objects.create(slug=slug, name=name)
    standard = TaxCode.objects.create(
        organisation=organisation, code="S", name="Standard", rate=Decimal(20)
    )
    NominalCode.objects.create(
        organisation=organisation,
        code="4000",
        description="Sales",
        kind="sales",
        default_tax_code=standard,
    )
    NominalCode.objects.create(
        organisation=organisation,
        code="5000",
        description="Purchases",
        kind="purchase",
        default_tax_code=standard,
    )
    Account.objects.create(organisation=organisation, number="A1042", name="Harbour Cafe")
    Supplier.objects.create(
        organisation=organisation, number="P1", name="Builders Merchants Direct"
    )
    return organisation


def make_user(
    organisation: Organisation, role: str = Role.ACCOUNTS, username: str | None = None
) -> User:
    return User.objects.create_user(
        username=username or f"{organisation.slug}-{role}",
        password="correct horse",
        organisation=organisation,
        role=role,
    )


def invoice_data(**overrides) -> dict:
    data = {
        "type": "sales_invoice",
        "account": "A1042",
        "issue_date": "2026-11-02",
        "lines": [
            {"text": "Boiler service", "quantity": "1", "unit_price": "95.00", "nominal": "4000"}
        ],
    }
    data.update(overrides)
    return data
