"""A refused contact or payment comes back with the same three validation fields."""

from __future__ import annotations

from pathlib import Path

from ledgersync.sandbox.xero.endpoints import CONTACT_WRITER, PAYMENT_WRITER

XERO = Path(__file__).resolve().parents[1]
TAIL = {
    "HasValidationErrors": True,
    "StatusAttributeString": "ERROR",
    "ValidationErrors": [{"Message": "first"}, {"Message": "second"}],
}


def test_a_refused_payment_is_only_its_validation_errors():
    assert PAYMENT_WRITER.failed({"Amount": 5}, ["first", "second"]) == TAIL


def test_a_refused_contact_keeps_its_name_and_email_before_the_errors():
    data = {"Name": "Harbour Cafe", "EmailAddress": "a@b.example", "Phones": [], "IsSupplier": 1}
    failed = CONTACT_WRITER.failed(data, ["first", "second"])
    assert list(failed.items()) == [
        ("Name", "Harbour Cafe"),
        ("EmailAddress", "a@b.example"),
        *TAIL.items(),
    ]


def test_the_validation_error_fields_are_written_once():
    copies = sorted(
        path.name
        for path in XERO.glob("*.py")
        for _ in range(path.read_text().count('"HasValidationErrors": True'))
    )
    assert copies == ["endpoints.py"]
