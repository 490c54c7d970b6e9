"""The parties whose AccsID links a batch needs are listed in one place (checks.parties_of),
for the checks and for the push alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ledgersync
from ledgersync.records.models import Account, Supplier
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org
from ledgersync.sync.checks import parties_of

SRC = Path(ledgersync.__file__).parent


@pytest.mark.django_db
def test_each_documents_party_comes_first_then_the_care_of_accounts():
    organisation = make_org()
    Account.objects.create(organisation=organisation, number="A2000", name="Harbour Group")
    plain = create_document(organisation, invoice_data())
    billed = create_document(organisation, invoice_data(care_of="A2000"))
    bought = create_document(
        organisation,
        invoice_data(type="supplier_invoice", account=None, supplier="P1", number="INV-9"),
    )

    parties = parties_of([plain, billed, bought])

    assert [(type(p), p.number) for p in parties] == [
        (Account, "A1042"),
        (Account, "A1042"),
        (Supplier, "P1"),
        (Account, "A2000"),
    ]


def test_no_other_module_lists_a_batchs_care_of_accounts():
    copies = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if "tests" not in path.parts and re.search(r"\.care_of for \w+ in", path.read_text())
    ]
    assert copies == ["sync/checks.py"]
