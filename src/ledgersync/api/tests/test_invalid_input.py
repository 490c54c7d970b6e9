"""A 422 is built in one place (errors.invalid_input), whether pydantic refused the body or
records/services.py refused the data: the first problem on top, every problem in details."""

from __future__ import annotations

from pathlib import Path

import ledgersync
from ledgersync.api.errors import invalid, invalid_input

SRC = Path(ledgersync.__file__).parent


def test_the_first_problem_is_on_top_and_every_problem_is_in_details():
    error = invalid({"number": ["number is required"], "lines": ["at least one", "two"]})

    assert (error.status, error.code, error.message, error.field) == (
        422,
        "invalid",
        "number is required",
        "number",
    )
    assert error.details == [
        {"field": "number", "message": "number is required"},
        {"field": "lines", "message": "at least one"},
        {"field": "lines", "message": "two"},
    ]


def test_no_problems_listed_still_says_the_input_is_not_valid():
    error = invalid_input([])

    assert error.body() == {
        "error": {
            "code": "invalid",
            "message": "The input is not valid.",
            "field": None,
            "details": [],
        }
    }


def test_a_schema_refusal_answers_in_the_same_shape(api):
    response = api.post("/tax-codes", {"code": "X", "name": "Too much", "rate": 101})

    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field"]) == (422, "invalid", "rate")
    assert error["message"] == error["details"][0]["message"]
    assert error["details"][0]["field"] == "rate"


def test_the_fallback_sentence_is_written_once():
    files = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if "tests" not in path.parts and "The input is not valid." in path.read_text()
    ]
    assert files == ["api/errors.py"]
    assert (SRC / "api" / "errors.py").read_text().count("The input is not valid.") == 1


def test_an_oversized_body_is_a_json_413_and_nothing_is_created(api, settings):
    from ledgersync.records.models import Account

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    before = Account.objects.count()
    body = '{"number": "A9999", "name": "' + "x" * 1_200_000 + '"}'
    response = api.call("POST", "/accounts", body)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == {
        "code": "payload_too_large",
        "message": "The request body is over the 1 MB limit; send fewer records per request.",
        "field": None,
        "details": [],
    }
    assert Account.objects.count() == before
