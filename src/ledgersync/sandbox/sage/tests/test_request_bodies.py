"""Every Sage POST body wraps its record in one key; one rule (Problems.wrapped) reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

SAGE = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/contacts", "contact"),
        ("/sales_invoices", "sales_invoice"),
        ("/sales_credit_notes", "sales_credit_note"),
        ("/purchase_invoices", "purchase_invoice"),
        ("/contact_payments", "contact_payment"),
    ],
)
@pytest.mark.parametrize("body", [[], {}, {"record": {}}, {"wrapped": "not an object"}])
def test_a_body_without_its_wrapping_object_is_refused_naming_the_key(api, path, key, body):
    if "wrapped" in body:
        body = {key: body["wrapped"]}
    answer = api.post(path, body)
    assert answer.status_code == 422
    assert answer.json() == [
        {
            "$severity": "error",
            "$dataCode": "RecordInvalid",
            "$message": "This field is required.",
            "$source": key,
        }
    ]


def test_no_sage_module_unwraps_a_request_body_itself():
    # The check once lived in contacts.py and twice in documents.py; errors.py holds it now.
    copies = sorted(
        path.name
        for path in SAGE.glob("*.py")
        if path.name != "errors.py" and "isinstance(data.get(" in path.read_text()
    )
    assert copies == []
