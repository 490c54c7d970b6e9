from __future__ import annotations

import threading

import pytest
from django.db import connection

from ledgersync.records.models import Document
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_every_invoice_its_own_number_without_gaps(on_postgres):
    org = make_org()
    errors: list[BaseException] = []

    def create_some():
        try:
            for _ in range(5):
                create_document(org, invoice_data())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_some) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Document.objects.values_list("number", flat=True))
    assert numbers == [f"S{n:04d}" for n in range(1, 31)]
