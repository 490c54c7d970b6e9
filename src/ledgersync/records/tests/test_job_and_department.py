"""A document's job and department (issue #18): optional text, the same rule for the web
form, the REST API and the import, shown on the document's page; empty changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.importing import import_records, read_records
from ledgersync.records.models import Document, Role
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.sync.fingerprint import fingerprint

pytestmark = pytest.mark.django_db

LINE = {"text": "Boiler service", "quantity": "1", "unit_price": "95.00", "nominal": "4000"}


@pytest.fixture
def org():
    organisation = make_org()
    organisation.account_set.create(number="A2001", name="Seaview Hotel")
    return organisation


@pytest.fixture
def api(org):
    return ApiClient(create_key(org, "job system")[1])


def test_the_api_takes_a_job_and_department_and_patch_changes_or_clears_them(api):
    made = api.post(
        "/documents",
        {
            "type": "sales_invoice",
            "account": "A2001",
            "job": " Servicing ",
            "department": "Bath",
            "lines": [LINE],
        },
    )
    patched = api.patch(f"/documents/{made.json()['id']}", {"job": "Repairs", "department": ""})

    assert made.status_code == 201, made.content
    assert (made.json()["job"], made.json()["department"]) == ("Servicing", "Bath")
    assert (patched.json()["job"], patched.json()["department"]) == ("Repairs", "")
    document = Document.objects.get()
    assert (document.job, document.department) == ("Repairs", "")


def test_a_job_over_100_characters_is_a_422_naming_the_field_and_nothing_is_made(api):
    answer = api.post(
        "/documents",
        {"type": "sales_invoice", "account": "A2001", "job": "J" * 101, "lines": [LINE]},
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "job"
    assert not Document.objects.exists()


def test_the_form_saves_them_and_the_document_page_shows_them(org):
    client = Client()
    client.force_login(make_user(org, Role.ACCOUNTS))
    account = org.account_set.get(number="A2001")

    client.post(
        "/documents/new/",
        {
            "type": "sales_invoice",
            "account": account.pk,
            "issue_date": "2026-11-20",
            "currency": "GBP",
            "job": "Installations",
            "department": "Bristol",
            "line_count": "1",
            "lines-0-text": "Boiler fitted",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "1200.00",
            "lines-0-nominal": "4000",
        },
    )

    document = Document.objects.get()
    page = client.get(f"/documents/{document.pk}/").content.decode()
    form = client.get(f"/documents/{document.pk}/edit/").content.decode()
    assert (document.job, document.department) == ("Installations", "Bristol")
    assert '<dd id="job-fact">Installations</dd>' in page
    assert '<dd id="department-fact">Bristol</dd>' in page
    assert 'value="Installations"' in form


def test_the_csv_import_reads_the_job_and_department_columns(org):
    text = (
        "record,type,account,external_ref,job,department,text,quantity,unit_price,nominal\n"
        "document,sales_invoice,A2001,job-9,Repairs,Bath,Leak fixed,1,80,4000\n"
        "document,sales_invoice,A2001,job-9,Repairs,Bath,Washer,1,2,4000\n"
    )

    report = import_records(org, read_records(text.encode(), "import.csv"))

    assert report.errors == []
    document = Document.objects.get(external_ref="job-9")
    assert (document.job, document.department, document.lines.count()) == ("Repairs", "Bath", 2)


def test_without_them_a_documents_fingerprint_is_what_it_always_was(api):
    made = api.post("/documents", {"type": "sales_invoice", "account": "A2001", "lines": [LINE]})
    document = Document.objects.get(pk=made.json()["id"])
    before = fingerprint(document)

    document.job = "Servicing"
    with_job = fingerprint(document)
    document.job = ""

    assert fingerprint(document) == before
    assert with_job != before
