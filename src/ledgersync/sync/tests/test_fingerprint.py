"""A document's fingerprint: what the Attempt stores as "what was sent" (sync/fingerprint.py).

It must move with every edit the package would see, stay put for flags that only decide
whether a document goes, and be computed in one place, so the value stored with a send and
the value compared on write-back cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from ledgersync.records.models import Account, Document, Line, NominalCode, TaxCode
from ledgersync.records.services import create_document, mark_sent, set_marked_for_sync
from ledgersync.records.tests.factories import invoice_data, make_org
from ledgersync.sync.fingerprint import fingerprint, reread
from ledgersync.sync.tests.test_run_protocol_has_one_home import modules_matching

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    organisation = make_org()
    Account.objects.create(organisation=organisation, number="A2000", name="Lee Agents")
    NominalCode.objects.create(organisation=organisation, code="4010", description="Parts")
    TaxCode.objects.create(organisation=organisation, code="Z", name="Zero", rate=Decimal(0))
    return create_document(organisation, invoice_data(due_date="2026-12-02", reference="job 7"))


def _first_line(document: Document) -> Line:
    return document.lines.get(position=1)


def _set_line(field: str, value):
    def change(document: Document) -> None:
        line = _first_line(document)
        if field in ("nominal", "tax_code"):
            model = NominalCode if field == "nominal" else TaxCode
            value_row = model.objects.get(organisation=document.organisation, code=value)
            setattr(line, field, value_row)
        else:
            setattr(line, field, value)
        line.save()

    return change


def _set_header(field: str, value):
    def change(document: Document) -> None:
        if field in ("account", "care_of"):
            row = Account.objects.get(organisation=document.organisation, number=value)
            Document.objects.filter(pk=document.pk).update(**{field: row})
        else:
            Document.objects.filter(pk=document.pk).update(**{field: value})

    return change


def _add_line(document: Document) -> None:
    Line(
        document=document,
        position=2,
        text="Valve",
        unit_price=Decimal("4.00"),
        nominal=_first_line(document).nominal,
    ).save()


EDITS = {
    "number": _set_header("number", "S9999"),
    "account": _set_header("account", "A2000"),
    "care_of": _set_header("care_of", "A2000"),
    "issue_date": _set_header("issue_date", dt.date(2026, 11, 3)),
    "due_date": _set_header("due_date", None),
    "currency": _set_header("currency", "EUR"),
    "reference": _set_header("reference", "job 8"),
    "line text": _set_line("text", "Boiler service and flue check"),
    "line quantity": _set_line("quantity", Decimal(2)),
    "line unit price": _set_line("unit_price", Decimal("95.01")),
    "line nominal": _set_line("nominal", "4010"),
    "line tax code": _set_line("tax_code", "Z"),
    "a line more": _add_line,
}


@pytest.mark.parametrize("edit", EDITS)
def test_every_edit_the_package_would_see_changes_the_fingerprint(document, edit):
    before = fingerprint(reread(document))

    EDITS[edit](document)

    assert fingerprint(reread(document)) != before


def test_a_tax_rate_change_moves_the_gross_total_and_so_the_fingerprint(document):
    before = fingerprint(reread(document))
    TaxCode.objects.filter(code="S").update(rate=Decimal("17.5"))
    line = _first_line(document)
    line.save()  # the stored tax follows the rate

    assert fingerprint(reread(document)) != before


def test_marking_sent_or_for_sync_leaves_the_fingerprint_alone(document):
    before = fingerprint(reread(document))

    mark_sent(document)
    set_marked_for_sync(document, True)
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())

    assert fingerprint(reread(document)) == before


def test_the_fingerprint_is_a_sha256_and_the_same_for_the_same_content(document):
    value = fingerprint(reread(document))

    assert re.fullmatch(r"[0-9a-f]{64}", value)
    assert fingerprint(reread(document)) == fingerprint(Document.objects.get(pk=document.pk))


def test_a_copy_loaded_before_an_edit_answers_for_when_it_was_loaded(document):
    loaded = reread(document)
    before = fingerprint(loaded)

    EDITS["line unit price"](document)

    assert (fingerprint(loaded), fingerprint(reread(document)) != before) == (before, True)


def test_only_the_batch_takes_fingerprints_so_stored_and_compared_values_agree():
    assert modules_matching(r"\bfingerprint\(") == ["sync/batch.py", "sync/fingerprint.py"]


def test_the_lock_and_mismatch_words_are_written_once():
    assert modules_matching(r"try again in a moment") == ["records/services.py"]
    assert modules_matching(r"changed since it was sent to") == ["sync/status.py"]
    assert modules_matching(r"booked total") == ["sync/status.py"]
