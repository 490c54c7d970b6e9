"""Roles, deactivation and invitations: an organisation always keeps an Administrator."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator

from ledgersync.alerts.tests.conftest import smtp  # noqa: F401, F811 (a real SMTP server)
from ledgersync.records.accounts import deactivate, invite, reactivate, set_role
from ledgersync.records.models import Role, User
from ledgersync.records.tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db


def test_the_last_administrator_cannot_be_demoted_or_deactivated():
    ann = make_user(make_org(), role=Role.ADMINISTRATOR, username="ann")
    with pytest.raises(ValueError, match="ann is the organisation's last active Administrator"):
        set_role(ann, Role.ACCOUNTS)
    with pytest.raises(ValueError, match="last active Administrator"):
        deactivate(ann)
    ann.refresh_from_db()
    assert (ann.role, ann.is_active) == (Role.ADMINISTRATOR, True)


def test_with_a_second_administrator_either_can_step_down():
    organisation = make_org()
    ann = make_user(organisation, role=Role.ADMINISTRATOR, username="ann")
    make_user(organisation, role=Role.ADMINISTRATOR, username="bob")
    set_role(ann, Role.ENGINEER)
    ann.refresh_from_db()
    assert ann.role == Role.ENGINEER


def test_an_inactive_administrator_does_not_count_as_the_other_one():
    organisation = make_org()
    ann = make_user(organisation, role=Role.ADMINISTRATOR, username="ann")
    bob = make_user(organisation, role=Role.ADMINISTRATOR, username="bob")
    User.objects.filter(pk=bob.pk).update(is_active=False)
    with pytest.raises(ValueError):
        deactivate(ann)


def test_an_invite_makes_a_user_without_a_password_and_a_link_that_stops_after_use():
    sam, path = invite(make_org(), "sam", "sam@acme.example", Role.ACCOUNTS)
    assert not sam.has_usable_password()
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert path.startswith("/invite/") and default_token_generator.check_token(sam, token)
    sam.set_password("a long new password")
    sam.save()
    assert not default_token_generator.check_token(sam, token)


def test_an_invite_with_a_bad_address_creates_nobody():
    with pytest.raises(ValueError, match="'sam-at-acme' is not an e-mail address"):
        invite(make_org(), "sam", "sam-at-acme", Role.ACCOUNTS)
    assert not User.objects.filter(username="sam").exists()


def test_the_invite_link_sets_the_password_once_then_says_it_is_used(client):
    sam, path = invite(make_org(), "sam", "sam@acme.example", Role.ACCOUNTS)
    form = client.get(path, follow=True)
    assert form.status_code == 200 and "Choose your password" in form.content.decode()
    answer = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new password", "new_password2": "a long new password"},
    )
    assert (answer.status_code, answer["Location"]) == (302, "/login/")
    sam.refresh_from_db()
    assert sam.check_password("a long new password")
    again = client.get(path, follow=True).content.decode()
    assert "This invitation link has been used or has expired" in again


def test_the_invite_mail_reaches_a_real_smtp_server_with_the_public_link(smtp, settings):  # noqa: F811
    from ledgersync.records.accounts import send_invite

    settings.PUBLIC_URL = "https://sync.acme.example"
    sam, path = invite(make_org(), "sam", "sam@acme.example", Role.ACCOUNTS)
    send_invite(sam, path)

    (message,) = smtp.wait_for(1)
    assert smtp.envelopes == [["sam@acme.example"]]
    assert message["Subject"] == "You are invited to ledgersync for Acme Heating Ltd"
    assert f"https://sync.acme.example{path}\n" in smtp.text(message)


@pytest.mark.parametrize(
    ("username", "words"),
    [
        ("", "the new user needs a username"),
        ("  ", "the new user needs a username"),
        ("s a m", "may only use letters, numbers and @ . + - _"),
        ("x" * 151, "at most 150 characters"),
    ],
)
def test_an_invite_with_a_bad_username_creates_nobody(username, words):
    before = User.objects.count()
    with pytest.raises(ValueError, match=re.escape(words)):
        invite(make_org(), username, "sam@acme.example", Role.ACCOUNTS)
    assert User.objects.count() == before


def test_a_deactivated_user_is_reactivated_with_their_role():
    organisation = make_org()
    make_user(organisation, role=Role.ADMINISTRATOR, username="ann")
    bob = deactivate(make_user(organisation, role=Role.ACCOUNTS, username="bob"))
    reactivate(bob)
    bob.refresh_from_db()
    assert (bob.is_active, bob.role) == (True, Role.ACCOUNTS)
