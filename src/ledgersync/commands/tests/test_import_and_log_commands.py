"""`ledgersync import`, `export-log` and `prune-log`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone

from ledgersync.cli import main
from ledgersync.records.models import Account, Document
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org
from ledgersync.sync.models import Attempt, AttemptState, AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db

CSV = (
    "record,number,name,type,account,external_ref,text,unit_price,nominal\n"
    "account,A2001,Seaview Hotel,,,,,,\n"
    "document,,,sales_invoice,A2001,job-1,Service,95,4000\n"
)


def test_import_reports_counts_and_a_second_import_changes_nothing(tmp_path, capsys):
    make_org()
    path = tmp_path / "import.csv"
    path.write_text(CSV)

    assert main(["import", "--org", "acme", str(path)]) == 0
    assert main(["import", "--org", "acme", str(path)]) == 0

    out = capsys.readouterr().out
    assert "Created: 1 account, 1 document." in out
    assert "Created: nothing. Updated: nothing. Unchanged: 1 account, 1 document." in out
    assert Document.objects.count() == 1


def test_a_bad_file_exits_1_listing_each_bad_line_and_imports_nothing(tmp_path, capsys):
    make_org()
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "document,,,sales_invoice,A404,job-2,Service,95,4000\n")

    assert main(["import", "--org", "acme", str(path)]) == 1

    captured = capsys.readouterr()
    assert captured.err == f"{path}: line 4: document job-2: No account numbered 'A404'\n"
    assert "Nothing imported" in captured.out
    assert not Account.objects.filter(number="A2001").exists()


def test_a_csv_cell_over_the_csv_limit_is_one_line_of_error_and_nothing_imported(tmp_path, capsys):
    make_org()
    path = tmp_path / "huge.csv"
    path.write_text(CSV + "account,A2002," + "x" * 200_000 + ",,,,,,\n")

    assert main(["import", "--org", "acme", str(path)]) == 2

    captured = capsys.readouterr()
    assert captured.err == (
        f"ledgersync import: {path}: Line 4: a cell is longer than 131,072 characters. "
        "Nothing was imported.\n"
    )
    assert not Account.objects.filter(number__in=["A2001", "A2002"]).exists()


def test_deeply_nested_json_is_one_line_of_error_not_a_traceback(tmp_path, capsys):
    make_org()
    path = tmp_path / "deep.json"
    path.write_text('{"accounts": [' + "[" * 100_000 + "]" * 100_000 + "]}")

    assert main(["import", "--org", "acme", str(path)]) == 2

    captured = capsys.readouterr()
    assert captured.err.startswith(f"ledgersync import: {path}: The JSON is nested too deeply")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_dry_run_saves_nothing(tmp_path, capsys):
    make_org()
    path = tmp_path / "import.csv"
    path.write_text(CSV)

    assert main(["import", "--org", "acme", "--dry-run", str(path)]) == 0
    assert "Would create: 1 account, 1 document." in capsys.readouterr().out
    assert Document.objects.count() == 0


def test_a_file_in_the_wrong_encoding_exits_2_and_says_how_to_fix_it(tmp_path, capsys):
    make_org()
    path = tmp_path / "excel.csv"
    path.write_bytes(CSV.replace("Seaview", "Café").encode("cp1252"))

    assert main(["import", "--org", "acme", str(path)]) == 2
    assert "--encoding" in capsys.readouterr().err
    assert main(["import", "--org", "acme", "--encoding", "cp1252", str(path)]) == 0
    assert Account.objects.get(number="A2001").name == "Café Hotel"


@pytest.fixture
def history():
    organisation = make_org()
    synced = create_document(organisation, invoice_data(number="S0001"))
    stuck = create_document(organisation, invoice_data(number="S0002"))
    DocumentState.objects.create(document=synced, status_code=StatusCode.SYNCED, remote_id="150")
    DocumentState.objects.create(document=stuck, status_code=StatusCode.REJECTED)
    old = timezone.now() - dt.timedelta(days=100)
    for document, key in ((synced, "k1"), (stuck, "k2")):
        attempt = Attempt.objects.create(
            organisation=organisation,
            document=document,
            provider="quickbooks",
            company_id="1",
            idempotency_key=key,
            state=AttemptState.SUCCEEDED,
        )
        Attempt.objects.filter(pk=attempt.pk).update(started_at=old)
    Attempt.objects.create(
        organisation=organisation,
        document=synced,
        provider="quickbooks",
        company_id="1",
        idempotency_key="k3",
        state=AttemptState.SUCCEEDED,
        status_code=StatusCode.SYNCED,
    )
    event = AuditEvent.objects.create(
        organisation=organisation, action="connect", detail="Connected"
    )
    AuditEvent.objects.filter(pk=event.pk).update(at=old)
    AuditEvent.objects.create(organisation=organisation, action="link:create_new", detail="Linked")
    return organisation


def test_export_log_writes_pushes_and_events_oldest_first_as_csv(history, capsys):
    assert main(["export-log", "--org", "acme"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["kind"], r["action"], r["document"], r["idempotency_key"]) for r in rows][-2:] == [
        ("push", "succeeded", "S0001", "k3"),
        ("event", "link:create_new", "", ""),
    ]
    assert len(rows) == 5


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_export_log_escapes_cells_a_spreadsheet_would_run_as_a_formula(history, capsys, start):
    AuditEvent.objects.create(
        organisation=history, action="settings", detail=f'{start}HYPERLINK("http://x.invalid")'
    )
    assert main(["export-log", "--org", "acme"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[-1]["message"] == f'\'{start}HYPERLINK("http://x.invalid")'
    assert rows[-2]["message"] == "Linked"  # ordinary text is left alone


def test_export_log_as_json_lines(history, capsys):
    assert main(["export-log", "--org", "acme", "--format", "jsonl"]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 5
    assert {line["kind"] for line in lines} == {"push", "event"}


def test_prune_log_keeps_recent_entries_and_unsynced_documents_history(history, capsys):
    assert main(["prune-log", "--org", "acme", "--older-than", "30"]) == 0

    assert sorted(Attempt.objects.values_list("idempotency_key", flat=True)) == ["k2", "k3"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["link:create_new"]
    assert capsys.readouterr().out == (
        "Deleted 1 push attempt(s) and 1 event(s) older than 30 days; "
        "kept 1 older attempt(s) of documents not yet synced.\n"
    )


def test_prune_log_dry_run_deletes_nothing(history, capsys):
    assert main(["prune-log", "--org", "acme", "--older-than", "30", "--dry-run"]) == 0

    assert Attempt.objects.count() == 3
    assert capsys.readouterr().out.startswith("Would delete 1 push attempt(s) and 1 event(s)")
