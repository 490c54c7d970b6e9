"""Mistakes read in a person's words, the same whichever way the document came: the web
form, the REST API (create and change) or an import file (CSV and JSON) all say "Unit price
on line 2 must be a number, for example 12.50" for a bad price on the second line, never
``lines[2].unit_price`` or pydantic's "Input should be a valid decimal"."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ValidationError

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records import wording
from ledgersync.records.importing import import_records, read_records
from ledgersync.records.inputs import DocumentIn
from ledgersync.records.models import Account, Document, Role
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org, make_user

WORDS = "Unit price on line 2 must be a number, for example 12.50"
TWO_LINES = [
    {"text": "Boiler service", "quantity": "1", "unit_price": "95.00", "nominal": "4000"},
    {"text": "Thermocouple", "quantity": "1", "unit_price": "twelve", "nominal": "4000"},
]


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("lines[2].unit_price", "Unit price on line 2"),
        ("lines[3].nominal", "Nominal code on line 3"),
        ("lines[2]", "Line 2"),
        ("issue_date", "Issue date"),
        ("vat_number", "VAT number"),
        ("sent_via", "Sent via"),
        ("some_new_field", "Some new field"),
        (None, "This"),
    ],
)
def test_a_field_is_named_as_the_form_names_it(field, words):
    assert wording.label(field) == words


def test_the_machine_path_counts_lines_from_one():
    assert wording.field_path(("lines", 1, "unit_price")) == "lines[2].unit_price"
    assert wording.field_path(()) is None


def _errors(model: type[BaseModel], data: dict) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [wording.explain(e, wording.field_path(e["loc"])) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"lines": TWO_LINES}, [WORDS]),
        (
            {"lines": [{"text": "x", "unit_price": "1"}]},
            ["Nominal code on line 1 is required"],
        ),
        ({"issue_date": "26/11/2026"}, ["Issue date must be a date, for example 2026-11-26"]),
        (
            {"currency": "pounds"},
            ["Currency must be a three-letter currency code, for example GBP"],
        ),
        (
            {"type": "invoice"},
            ["Type must be one of 'sales_invoice', 'sales_credit_note' or 'supplier_invoice'"],
        ),
        ({"lines": []}, ["A document needs at least one line"]),
        ({"reference": "x" * 101}, ["Reference may be at most 100 characters"]),
        ({"account": " "}, ["Account must not be blank"]),
        (
            {
                "lines": [
                    {
                        "text": "x",
                        "quantity": "99999999",
                        "unit_price": "9999999",
                        "nominal": "4000",
                    }
                ]
            },
            ["Line 1: Quantity × unit price is too large (at most 999,999,999,999.99)"],
        ),
    ],
)
def test_pydantic_refusals_read_as_sentences(change, words):
    assert _errors(DocumentIn, {**invoice_data(), **change}) == words


def test_a_refusal_pydantic_has_no_words_for_still_names_the_field_and_never_its_text():
    error = {"type": "url_parsing", "loc": ("website",), "msg": "Input should be a valid URL"}
    assert wording.explain(error, "website") == "Website is not valid"


# -- the same words on every path ----------------------------------------------------------


@pytest.fixture
def org(db):
    return make_org()


def test_the_web_form_says_it_on_the_line(client, org):
    client.force_login(make_user(org, Role.ACCOUNTS))
    account = Account.objects.get(organisation=org, number="A1042")
    post = {
        "type": "sales_invoice",
        "account": account.pk,
        "issue_date": "2026-11-02",
        "currency": "GBP",
        "line_count": "2",
    }
    for index, line in enumerate(TWO_LINES):
        post.update({f"lines-{index}-{key}": value for key, value in line.items()})

    page = client.post("/documents/new/", post).content.decode()

    assert WORDS in page
    assert "lines[" not in page.replace('name="lines-', "")
    assert Document.objects.count() == 0


def test_the_services_say_it_too(org):
    from django.core.exceptions import ValidationError as DjangoValidationError

    with pytest.raises(DjangoValidationError) as caught:
        create_document(org, invoice_data(lines=TWO_LINES))
    assert caught.value.message_dict == {"lines[2]": [WORDS]}


@pytest.mark.parametrize("method", ["post", "patch"])
def test_the_api_says_it_and_keeps_the_machine_path_in_field(org, method):
    api = ApiClient(create_key(org, "job system")[1])
    if method == "post":
        answer = api.post("/documents", {**invoice_data(), "lines": TWO_LINES})
    else:
        document = create_document(org, invoice_data())
        answer = api.patch(f"/documents/{document.pk}", {"lines": TWO_LINES})

    error = answer.json()["error"]
    assert (answer.status_code, error["message"], error["field"]) == (
        422,
        WORDS,
        "lines[2].unit_price",
    )
    assert error["details"] == [{"field": "lines[2].unit_price", "message": WORDS}]


CSV = (
    "record,type,account,external_ref,text,quantity,unit_price,nominal\n"
    "document,sales_invoice,A1042,job-1,Boiler service,1,95.00,4000\n"
    "document,sales_invoice,A1042,job-1,Thermocouple,1,twelve,4000\n"
)


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_an_import_says_it_on_the_row_of_that_line(org, kind):
    if kind == "csv":
        records = read_records(CSV.encode(), "jobs.csv")
    else:
        item = {**invoice_data(), "external_ref": "job-1", "lines": TWO_LINES}
        records = read_records(json.dumps({"documents": [item]}).encode(), "jobs.json")

    report = import_records(org, records)

    [error] = report.errors
    assert (error.message, error.field) == (WORDS, "lines[2].unit_price")
    assert str(error) == f"line {error.line}: document job-1: {WORDS}"
    assert error.line == (3 if kind == "csv" else 1)
    assert Document.objects.count() == 0
