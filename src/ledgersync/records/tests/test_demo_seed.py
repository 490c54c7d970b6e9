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
        # Through the login page: django-axes judges every login with its request.
        answer = client.post("/login/", {"username": username, "password": "demo"})
        assert answer.status_code == 302, username
        assert client.get("/").wsgi_request.user.username == username
        client.logout()
