"""Importing accounts, suppliers and documents from CSV and JSON: all or nothing, line
numbers for every bad row, and the same file twice changes nothing."""

from __future__ import annotations

import json

import pytest

from ledgersync.records.importing import ImportFileError, import_records, read_records
from ledgersync.records.models import Account, Document, Supplier
from ledgersync.records.tests.factories import make_org

pytestmark = pytest.mark.django_db

HEADER = "record,number,name,kind,company,type,account,supplier,external_ref,issue_date,sent_via,mark_for_sync,text,quantity,unit_price,nominal\n"
GOOD = HEADER + (
    "account,A2001,Seaview Hotel,,,,,,,,,,,,,\n"
    "account,A2002,Seaview Annexe,site,A2001,,,,,,,,,,,\n"
    "supplier,P2,Apex Plant Hire,,,,,,,,,,,,,\n"
    "document,,,,,sales_invoice,A2002,,job-1,2026-11-02,email,yes,Boiler service,1,95.00,4000\n"
    "document,,,,,sales_invoice,A2002,,job-1,,,,Thermocouple,2,18.50,4000\n"
    "document,APX-311,,,,supplier_invoice,,P2,,2026-11-03,,no,Digger hire,2,120,5000\n"
)


@pytest.fixture
def org():
    return make_org()


def run(org, text, **options):
    raw = text.encode() if isinstance(text, str) else text
    return import_records(
        org,
        read_records(raw, "import.csv" if not raw.lstrip().startswith(b"{") else "x.json"),
        **options,
    )


def test_a_good_csv_imports_accounts_sites_suppliers_and_documents_with_lines(org):
    report = run(org, GOOD)

    assert report.errors == []
    assert report.kept is True
    assert dict(report.created) == {"account": 2, "supplier": 1, "document": 2}
    site = Account.objects.get(number="A2002")
    assert (site.kind, site.company.number) == ("site", "A2001")
    invoice = Document.objects.get(external_ref="job-1")
    assert [(line.text, line.net) for line in invoice.lines.all()] == [
        ("Boiler service", invoice.lines.all()[0].net.__class__("95.00")),
        ("Thermocouple", invoice.lines.all()[0].net.__class__("37.00")),
    ]
    assert (invoice.sent_via, invoice.marked_for_sync, str(invoice.issue_date)) == (
        "email",
        True,
        "2026-11-02",
    )
    bill = Document.objects.get(number="APX-311")
    assert (bill.supplier.number, bill.marked_for_sync, bill.sent_at) == ("P2", False, None)


def test_importing_the_same_file_again_changes_nothing(org):
    run(org, GOOD)
    before = list(Document.objects.values_list("pk", "number", "updated_at"))

    again = run(org, GOOD)

    assert again.errors == []
    assert (dict(again.created), dict(again.updated)) == ({}, {})
    assert dict(again.unchanged) == {"account": 2, "supplier": 1, "document": 2}
    assert list(Document.objects.values_list("pk", "number", "updated_at")) == before
    assert Account.objects.count() == 3


def test_a_file_with_bad_rows_names_each_by_line_and_imports_nothing(org):
    text = GOOD + (
        "account,A2003,,,,,,,,,,,,,,\n"  # line 8: no name
        "document,,,,,sales_invoice,A404,,job-2,,,,Service,1,10,4000\n"  # line 9: no account
        "document,,,,,sales_invoice,A2001,,job-3,,,,Service,1,ten,4000\n"  # line 10: bad price
        "document,,,,,sales_invoice,A2001,,job-4,,,maybe,Service,1,10,4000\n"  # line 11: bad flag
        "invoice,,,,,,,,,,,,,,,\n"  # line 12: bad record
    )

    report = run(org, text)

    assert [(e.line, e.field) for e in report.errors] == [
        (8, "name"),
        (9, "account"),
        (10, "lines[1].unit_price"),
        (11, "mark_for_sync"),
        (12, None),
    ]
    assert str(report.errors[1]) == "line 9: document job-2: No account numbered 'A404'"
    assert str(report.errors[2]) == (
        "line 10: document job-3: Unit price on line 1 must be a number, for example 12.50"
    )
    assert (
        str(report.errors[3])
        == "line 11: document job-4: Mark for sync must be yes or no, not 'maybe'"
    )
    assert report.kept is False
    assert (Account.objects.count(), Supplier.objects.count(), Document.objects.count()) == (
        1,
        1,
        0,
    )


def test_partial_imports_the_good_rows_and_reports_the_bad(org):
    text = GOOD + "document,,,,,sales_invoice,A404,,job-2,,,,Service,1,10,4000\n"

    report = run(org, text, partial=True)

    assert [(e.line, e.field) for e in report.errors] == [(8, "account")]
    assert report.kept is True
    assert Document.objects.count() == 2
    assert not Document.objects.filter(external_ref="job-2").exists()


def test_a_dry_run_checks_everything_and_keeps_nothing(org):
    report = run(org, GOOD, dry_run=True)

    assert (report.errors, report.kept, dict(report.created)) == (
        [],
        False,
        {"account": 2, "supplier": 1, "document": 2},
    )
    assert Document.objects.count() == 0


def test_a_file_in_another_encoding_is_refused_with_the_line_and_a_fix(org):
    text = HEADER + "account,A2001,Café Nero,,,,,,,,,,,,,\n"

    with pytest.raises(ImportFileError) as caught:
        run(org, text.encode("cp1252"))

    assert str(caught.value) == (
        "The file is not utf-8 text: byte 0xE9 on line 2 cannot be read. Save it as UTF-8 "
        "(in Excel: 'CSV UTF-8'), or give its encoding with --encoding, e.g. cp1252."
    )
    assert Account.objects.count() == 1
    records = read_records(text.encode("cp1252"), "a.csv", encoding="cp1252")
    assert records[0].data["name"] == "Café Nero"


def test_a_utf8_file_with_a_byte_order_mark_reads(org):
    report = run(org, ("\ufeff" + HEADER + "supplier,P9,Ōtaki Timber,,,,,,,,,,,,,\n").encode())

    assert report.errors == []
    assert Supplier.objects.get(number="P9").name == "Ōtaki Timber"


def test_unknown_columns_are_refused(org):
    with pytest.raises(ImportFileError, match="unknown: colour"):
        run(org, "record,number,colour\naccount,A1,red\n")


def test_a_json_file_in_the_apis_schema_round_trips_with_line_numbers(org):
    data = {
        "accounts": [{"number": "A2001", "name": "Seaview Hotel"}],
        "documents": [
            {
                "type": "sales_invoice",
                "account": "A2001",
                "external_ref": "job-9",
                "lines": [{"text": "Service", "unit_price": "10", "nominal": "4000"}],
            },
            {
                "type": "sales_invoice",
                "account": "A2001",
                "external_ref": "job-10",
                "lines": [{"text": "Service", "unit_price": "10", "nominal": "9999"}],
            },
        ],
    }
    text = json.dumps(data, indent=2)

    bad = run(org, text)

    assert [(e.line, e.record, e.field) for e in bad.errors] == [
        (21, "document job-10", "lines[1]")
    ]
    assert Document.objects.count() == 0
    data["documents"][1]["lines"][0]["nominal"] = "4000"
    good = run(org, json.dumps(data, indent=2))
    assert (good.errors, dict(good.created)) == ([], {"account": 1, "document": 2})
    assert dict(run(org, json.dumps(data)).unchanged) == {"account": 1, "document": 2}


def test_invalid_json_is_a_file_error(org):
    with pytest.raises(ImportFileError, match="not valid JSON"):
        run(org, '{"accounts": [')


def test_a_misspelt_json_field_is_reported_not_ignored(org):
    text = json.dumps(
        {
            "documents": [
                {
                    "type": "sales_invoice",
                    "account": "A1042",
                    "refrence": "x",
                    "lines": [{"txt": "Service", "unit_price": "1", "nominal": "4000"}],
                }
            ]
        }
    )

    report = run(org, text)

    assert [str(e) for e in report.errors] == [
        "line 1: document: Unknown field(s): refrence, lines.txt (docs/import.md lists the fields)"
    ]
    assert Document.objects.count() == 0
