from __future__ import annotations

import pytest

from ledgersync.records.demo_data import DOCUMENTS, seed_demo
from ledgersync.records.models import Document, User

pytestmark = pytest.mark.django_db


def test_seeding_twice_changes_nothing():
    seed_demo()
    before = (Document.objects.count(), User.objects.count())
    seed_demo()
    assert (Document.objects.count(), User.objects.count()) == before == (len(DOCUMENTS), 3)


def test_the_demo_logins_work(client):
    seed_demo()
    for username in ("admin", "accounts", "engineer"):
        assert client.login(username=username, password="demo")
