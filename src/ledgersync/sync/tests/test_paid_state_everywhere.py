"""A part-paid document says so, in the same words, on its page, in the documents list
(and its "unpaid" filter), in the REST API (and its ``paid`` filter) and in
``ledgersync status``; one sandbox is enough, the words are ledgersync's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from ledgersync.api.keys import create_key
from ledgersync.cli import main
from ledgersync.records.models import User
from ledgersync.sync import payments
from ledgersync.sync.tests.test_payments_come_back import record_payment, synced_invoice

pytestmark = pytest.mark.django_db(transaction=True)
PART_PAID = "Part paid: £130.00 outstanding"


@pytest.mark.parametrize("sandbox_server", ["quickbooks"], indirect=True)
def test_part_paid_reads_the_same_on_the_page_the_list_the_api_and_status(demo, sandbox, capsys):
    organisation, connection = demo
    document = synced_invoice(organisation, connection)
    record_payment(sandbox, connection, document, "50.00", "BACS 101", dt.date(2025, 3, 10))
    assert payments.pull(connection).changed == 1

    web = Client()
    web.force_login(User.objects.get(username="admin"))
    page = web.get(f"/documents/{document.pk}/").content.decode()
    assert PART_PAID in page and "BACS 101" in page and "10/03/2025" in page
    unpaid = web.get("/documents/", {"paid": "unpaid"}).content.decode()
    assert ">R0017<" in unpaid and "Part paid" in unpaid
    assert ">R0017<" not in web.get("/documents/", {"paid": "paid"}).content.decode()
    assert "Payments pulled from the package at" in web.get("/sync/sales-invoice/").content.decode()

    key = create_key(organisation, "job system")[1]
    headers = {"Authorization": f"Bearer {key}"}
    listed = Client().get("/api/v1/documents", {"paid": "unpaid"}, headers=headers).json()
    assert [(d["number"], d["paid"]) for d in listed["items"]] == [
        (
            "R0017",
            {
                "state": "part_paid",
                "total": "180.00",
                "outstanding": "130.00",
                "payments": [{"paid_on": "2025-03-10", "amount": "50.00", "reference": "BACS 101"}],
                "pulled_at": listed["items"][0]["paid"]["pulled_at"],
            },
        )
    ]
    refused = Client().get("/api/v1/documents", {"paid": "owed"}, headers=headers)
    assert refused.status_code in (400, 422)

    assert main(["status", "--org", organisation.slug]) == 0
    out = capsys.readouterr().out
    assert "Payments:     Payments pulled from the package at" in out
    assert f"R0017   {PART_PAID}  10/03/2025 BACS 101 £50.00" in out
