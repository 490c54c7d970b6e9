"""django-axes: wrong passwords pause logins for that username and address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ledgersync.records.models import Role
from ledgersync.records.tests.factories import make_org

pytestmark = pytest.mark.django_db

RIGHT = "the right password"


@pytest.fixture
def ann(db):
    from ledgersync.records.models import User

    return User.objects.create_user(
        username="ann", password=RIGHT, organisation=make_org(), role=Role.ACCOUNTS
    )


def attempt(client, password, address="203.0.113.7"):
    return client.post("/login/", {"username": "ann", "password": password}, REMOTE_ADDR=address)


def test_the_sixth_wrong_password_locks_and_then_the_right_one_is_refused_in_plain_words(
    client, ann
):
    for _ in range(5):
        wrong = attempt(client, "wrong")
        assert wrong.status_code == 200  # the form again, with its error
        assert "username and password didn" in wrong.content.decode()
    sixth = attempt(client, "wrong")
    right = attempt(client, RIGHT)

    assert sixth.status_code == 429
    assert right.status_code == 429
    page = right.content.decode()
    assert "Too many wrong passwords for this username from your address" in page
    assert "paused for 15 minutes, even with the right password" in page
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_cool_off(client, ann):
    from axes.models import AccessAttempt

    for _ in range(6):
        attempt(client, "wrong")
    assert attempt(client, RIGHT).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))

    answer = attempt(client, RIGHT)
    assert (answer.status_code, answer["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(ann.pk)


def test_the_lock_is_per_address_so_the_owner_elsewhere_still_gets_in(client, ann):
    for _ in range(6):
        attempt(client, "wrong", address="203.0.113.7")
    assert attempt(client, RIGHT, address="203.0.113.7").status_code == 429
    assert attempt(client, RIGHT, address="198.51.100.4").status_code == 302
