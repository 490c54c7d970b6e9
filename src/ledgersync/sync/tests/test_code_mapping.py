"""A mapping is what check 5 judges by and what the push books (sync/codemap.py), on each
provider's sandbox over real HTTP: a nominal mapped by hand, the fallback account per
document type, a tax code mapped by hand, and "Create in ledgersync" (issue 18)."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from ledgersync.records.models import DocType, Document, NominalCode, TaxCode
from ledgersync.records.services import create_document
from ledgersync.sync import chart, codemap, reference
from ledgersync.sync.codemap import How, MappingError
from ledgersync.sync.models import AuditEvent, CodeMapping, MapKind
from ledgersync.sync.status import StatusCode
from ledgersync.sync.tests.test_engine import link_exact, statuses, sync_all

pytestmark = pytest.mark.django_db(transaction=True)


def sent(sandbox, document: Document) -> str:
    """What the sandbox received in the push of ``document`` (its own request log: the
    attempt's record leaves account codes out)."""
    bodies = []
    for entry in httpx.get(f"{sandbox.url}/_sandbox/requests").json():
        body = entry["request_body"]
        text = body if isinstance(body, str) else json.dumps(body)
        if entry["method"] in ("POST", "PUT") and document.number in (text or ""):
            bodies.append(text)
    assert bodies, f"{document.number} never reached the sandbox"
    return "\n".join(bodies)


def quoted(value: str) -> str:
    return json.dumps(value)


def books_to(provider: str, account) -> str:
    """How a bill's line names its account on the wire: Xero by ``AccountCode``
    (reference/xero.md), QuickBooks by ``AccountRef.value`` and Sage by
    ``ledger_account_id``, both the account's id (reference/qbo.md, reference/sage.md)."""
    return account.code if provider == "xero" else account.id


def a_bill(organisation, number: str, nominal: str, tax: str | None = None) -> Document:
    line = {"text": "Timber", "quantity": "2", "unit_price": "50.00", "nominal": nominal}
    if tax:
        line["tax_code"] = tax
    document = create_document(
        organisation,
        {
            "type": "supplier_invoice",
            "number": number,
            "supplier": "P2001",
            "lines": [line],
            "mark_for_sync": True,
        },
    )
    Document.objects.exclude(pk=document.pk).update(marked_for_sync=False)
    return document


def read(connection):
    reference.refresh(connection)
    code_map = codemap.as_read(connection)
    assert code_map is not None
    return code_map


def name_of(connection) -> str:
    return connection.get_provider_display()


def test_with_no_mapping_codes_map_by_number_and_a_missing_one_fails_check_5(demo, sandbox):
    organisation, connection = demo
    code_map = read(connection)

    assert code_map.account("4000").how == How.BY_NUMBER
    assert code_map.account("4000").account.code == "4000"
    assert code_map.account("4090", DocType.SALES_INVOICE).how == How.MISSING
    assert code_map.tax("S", MapKind.SALES_TAX).how == How.BY_NUMBER
    assert CodeMapping.objects.count() == 0


def test_a_nominal_mapped_by_hand_passes_check_5_and_is_what_the_bill_books(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "P2001")
    NominalCode.objects.create(
        organisation=organisation,
        code="5090",
        description="Timber",
        kind="purchase",
        default_tax_code=TaxCode.objects.get(organisation=organisation, code="S"),
    )
    document = a_bill(organisation, "BMD-7001", "5090")
    code_map = read(connection)
    assert statuses(organisation, DocType.SUPPLIER_INVOICE)["BMD-7001"] == (
        StatusCode.NOMINAL_MISSING
    )

    codemap.set_mapping(
        connection,
        code_map.reference,
        MapKind.NOMINAL,
        "5090",
        "5010",
        provider_name=name_of(connection),
    )

    # Judged again from the mapping, before any push.
    assert statuses(organisation, DocType.SUPPLIER_INVOICE)["BMD-7001"] == ""
    sync_all(organisation, DocType.SUPPLIER_INVOICE, auto=False)
    assert statuses(organisation, DocType.SUPPLIER_INVOICE)["BMD-7001"] == StatusCode.SYNCED
    subcontractors = code_map.reference.account("5010")
    wire = sent(sandbox, document)
    assert quoted(books_to(sandbox.slug, subcontractors)) in wire
    assert quoted("5090") not in wire
    audit = AuditEvent.objects.get(action="mapping:nominal")
    assert audit.detail == (
        f"Nominal code 5090 mapped to {name_of(connection)} 5010 Subcontractors"
    )


def test_the_fallback_account_books_a_missing_nominal_and_is_off_by_default(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "P2001")
    NominalCode.objects.create(
        organisation=organisation,
        code="5099",
        description="Sundry",
        kind="purchase",
        default_tax_code=TaxCode.objects.get(organisation=organisation, code="S"),
    )
    document = a_bill(organisation, "BMD-7002", "5099")
    code_map = read(connection)
    assert code_map.account("5099", DocType.SUPPLIER_INVOICE).how == How.MISSING

    codemap.set_mapping(
        connection,
        code_map.reference,
        MapKind.FALLBACK,
        DocType.SUPPLIER_INVOICE,
        "7500",
        provider_name=name_of(connection),
    )
    code_map = codemap.as_read(connection)

    # Only supplier invoices have one: a sales line on a missing code is still missing.
    assert code_map.account("5099", DocType.SALES_INVOICE).how == How.MISSING
    assert code_map.account("5099", DocType.SUPPLIER_INVOICE).how == How.FALLBACK
    assert codemap.line_notes(document, code_map, name_of(connection)) == [
        f"Line 1: nominal code 5099 is not in {name_of(connection)}; it books to "
        "7500 Vehicle running costs, the fallback account for supplier invoices."
    ]
    sync_all(organisation, DocType.SUPPLIER_INVOICE, auto=False)
    assert statuses(organisation, DocType.SUPPLIER_INVOICE)["BMD-7002"] == StatusCode.SYNCED
    assert quoted(books_to(sandbox.slug, code_map.reference.account("7500"))) in sent(
        sandbox, document
    )


def test_a_tax_code_mapped_by_hand_on_purchases_is_the_one_sent(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "P2001")
    TaxCode.objects.create(
        organisation=organisation, code="S20", name="Standard (old code)", rate=Decimal("20")
    )
    code_map = read(connection)
    assert code_map.tax("S20", MapKind.PURCHASE_TAX).how == How.MISSING
    # The package's own standard rate on purchases: the default of its purchases account.
    standard = code_map.reference.account("5000").tax_code_id
    assert standard is not None

    codemap.set_mapping(
        connection,
        code_map.reference,
        MapKind.PURCHASE_TAX,
        "S20",
        standard,
        provider_name=name_of(connection),
    )
    document = a_bill(organisation, "BMD-7003", "5000", tax="S20")
    sync_all(organisation, DocType.SUPPLIER_INVOICE, auto=False)

    assert statuses(organisation, DocType.SUPPLIER_INVOICE)["BMD-7003"] == StatusCode.SYNCED
    assert codemap.as_read(connection).tax("S20", MapKind.PURCHASE_TAX).how == How.BY_HAND
    assert quoted(standard) in sent(sandbox, document)


def test_a_mapping_to_something_the_package_lacks_is_refused_and_not_kept(demo, sandbox):
    organisation, connection = demo
    code_map = read(connection)
    name = name_of(connection)
    refusals = [
        (MapKind.NOMINAL, "4090", "9999", f"{name} has no account 9999."),
        (MapKind.NOMINAL, "4999", "4000", "There is no nominal code 4999 in ledgersync."),
        (MapKind.SALES_TAX, "S", "NOPE", f"{name} has no tax code NOPE."),
        (MapKind.FALLBACK, "invoice", "4000", "invoice is not a document type "),
    ]
    for kind, code, remote, words in refusals:
        with pytest.raises(MappingError) as refused:
            codemap.set_mapping(
                connection, code_map.reference, kind, code, remote, provider_name=name
            )
        assert refused.value.message.startswith(words)
    assert CodeMapping.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="mapping:").exists()


def test_create_in_ledgersync_makes_the_package_account_a_nominal_code(demo, sandbox):
    organisation, connection = demo
    code_map = read(connection)
    lacking = [a.code for a in codemap.accounts_we_lack(organisation, code_map)]
    assert lacking == ["8200"]  # the seeded expense account the demo chart has not

    nominal = chart.create_nominal(
        organisation, code_map.reference, "8200", provider_name=name_of(connection)
    )

    assert (nominal.code, nominal.description, nominal.kind) == ("8200", "Bank charges", "purchase")
    assert codemap.accounts_we_lack(organisation, codemap.as_read(connection)) == []
    with pytest.raises(chart.CannotCreate, match="already exists"):
        chart.create_nominal(
            organisation, code_map.reference, "8200", provider_name=name_of(connection)
        )
    with pytest.raises(chart.CannotCreate, match="not an income or expense account"):
        chart.create_nominal(
            organisation, code_map.reference, "1200", provider_name=name_of(connection)
        )
    assert AuditEvent.objects.filter(action="nominals:create").count() == 1


def test_a_sales_invoice_on_a_mapped_nominal_syncs_to_that_account(demo, sandbox):
    organisation, connection = demo
    link_exact(organisation, connection, "A1005")
    s1006 = Document.objects.get(organisation=organisation, number="S1006")  # lines 4000, 4090
    Document.objects.exclude(pk=s1006.pk).update(marked_for_sync=False)
    code_map = read(connection)
    assert statuses(organisation)["S1006"] == StatusCode.NOMINAL_MISSING

    codemap.set_mapping(
        connection,
        code_map.reference,
        MapKind.NOMINAL,
        "4090",
        "4010",
        provider_name=name_of(connection),
    )
    sync_all(organisation, auto=False)

    assert statuses(organisation)["S1006"] == StatusCode.SYNCED
    materials = code_map.reference.account("4010")
    if sandbox.slug != "quickbooks":  # QuickBooks books a sales line through an Item
        assert quoted(books_to(sandbox.slug, materials)) in sent(sandbox, s1006)
