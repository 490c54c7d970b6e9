"""Settings > Users: Administrators invite users and change their roles and access, within
their own organisation, every change in the audit log, every refusal in words."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Role, User
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.sync.models import AuditEvent
from ledgersync.web.tests.helpers import other_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    organisation = make_org()
    ann = make_user(organisation, Role.ADMINISTRATOR, "ann")
    bob = make_user(organisation, Role.ENGINEER, "bob")
    return organisation, ann, bob


@pytest.fixture
def admin_client(client, acme):
    client.force_login(acme[1])
    return client


def audit(organisation) -> list[tuple[str, str, str]]:
    rows = AuditEvent.objects.filter(organisation=organisation).order_by("id")
    return [(e.user.username if e.user else "", e.action, e.detail) for e in rows]


def user_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", "/settings/users/"),
        ("post", "/settings/users/invite/"),
        ("post", f"/settings/users/{pk}/role/"),
        ("post", f"/settings/users/{pk}/deactivate/"),
        ("post", f"/settings/users/{pk}/reactivate/"),
    ]


@pytest.mark.parametrize("role", [Role.ACCOUNTS, Role.ENGINEER])
def test_accounts_and_engineers_are_refused_every_users_view(client, acme, role):
    organisation, ann, bob = acme
    client.force_login(make_user(organisation, role, "someone"))
    for method, url in user_urls(bob.pk):
        response = getattr(client, method)(
            url, {"username": "eve", "email": "eve@acme.example", "role": Role.ADMINISTRATOR}
        )
        assert (url, response.status_code) == (url, 403)
        assert "ask your Administrator" in response.content.decode()
    bob.refresh_from_db()
    assert (bob.role, bob.is_active) == (Role.ENGINEER, True)
    assert not User.objects.filter(username="eve").exists()
    assert audit(organisation) == []


def test_the_list_shows_the_organisations_own_users_only(admin_client, acme):
    other_tenant()
    page = admin_client.get("/settings/users/").content.decode()
    assert 'id="user-ann"' in page and 'id="user-bob"' in page
    assert "other-admin" not in page


def test_the_list_shows_email_role_active_and_last_login(admin_client, acme):
    organisation, ann, bob = acme
    User.objects.filter(pk=bob.pk).update(email="bob@acme.example", is_active=False)
    page = admin_client.get("/settings/users/").content.decode()
    row = page.split('id="user-bob"', 1)[1].split("</tr>", 1)[0]
    assert "bob@acme.example" in row
    assert '<option value="engineer" selected>Engineer</option>' in row
    assert '<span class="warn">No</span>' in row
    assert "Never" in row and "Reactivate" in row


def test_a_user_of_another_organisation_cannot_be_changed(admin_client, acme):
    _, other_admin, _ = other_tenant()
    for _, url in user_urls(other_admin.pk)[2:]:
        assert (url, admin_client.post(url, {"role": Role.ENGINEER}).status_code) == (url, 404)
    other_admin.refresh_from_db()
    assert (other_admin.role, other_admin.is_active) == (Role.ADMINISTRATOR, True)
    assert AuditEvent.objects.filter(action__startswith="user:").count() == 0


def test_an_invitation_creates_the_user_without_a_password_and_mails_the_link(
    admin_client, acme, mailoutbox, settings
):
    settings.PUBLIC_URL = "https://sync.acme.example"
    organisation = acme[0]
    response = admin_client.post(
        "/settings/users/invite/",
        {"username": "sam", "email": "sam@acme.example", "role": Role.ACCOUNTS},
        follow=True,
    )
    assert "Invitation sent to sam@acme.example" in response.content.decode()
    sam = User.objects.get(username="sam")
    assert (sam.organisation, sam.role, sam.email) == (
        organisation,
        Role.ACCOUNTS,
        "sam@acme.example",
    )
    assert not sam.has_usable_password()
    assert [m.to for m in mailoutbox] == [["sam@acme.example"]]
    assert "https://sync.acme.example/invite/" in mailoutbox[0].body
    assert audit(organisation) == [
        ("ann", "user:invite", "ann invited sam (sam@acme.example) as Accounts")
    ]
    assert 'id="user-sam"' in response.content.decode()


@pytest.mark.parametrize(
    ("form", "words"),
    [
        (
            {"username": "", "email": "x@acme.example", "role": "accounts"},
            "Nobody was invited: the new user needs a username.",
        ),
        (
            {"username": "   ", "email": "x@acme.example", "role": "accounts"},
            "Nobody was invited: the new user needs a username.",
        ),
        (
            {"username": "sam", "email": "x@acme.example", "role": "boss"},
            "Nobody was invited: role must be one of administrator, accounts, engineer.",
        ),
        (
            {"username": "sam", "email": "nope", "role": "accounts"},
            "Nobody was invited: &#x27;nope&#x27; is not an e-mail address.",
        ),
        (
            {"username": "bob", "email": "x@acme.example", "role": "accounts"},
            "Nobody was invited: a user named &#x27;bob&#x27; already exists.",
        ),
        (
            {"username": "s a m", "email": "x@acme.example", "role": "accounts"},
            "may only use letters, numbers and @ . + - _.",
        ),
    ],
)
def test_a_bad_invitation_answers_400_in_words_and_adds_nobody(
    admin_client, acme, mailoutbox, form, words
):
    before = User.objects.count()
    response = admin_client.post("/settings/users/invite/", form)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert User.objects.count() == before
    assert mailoutbox == []
    assert audit(acme[0]) == []


def test_an_invitation_that_cannot_be_mailed_adds_nobody(admin_client, acme, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    response = admin_client.post(
        "/settings/users/invite/",
        {"username": "sam", "email": "sam@acme.example", "role": "accounts"},
    )
    assert response.status_code == 502
    assert "could not be sent" in response.content.decode()
    assert not User.objects.filter(username="sam").exists()
    assert audit(acme[0]) == []


def test_an_administrator_changes_a_role_and_the_audit_log_names_both(admin_client, acme):
    organisation, ann, bob = acme
    response = admin_client.post(
        f"/settings/users/{bob.pk}/role/", {"role": "accounts"}, follow=True
    )
    assert "bob is now Accounts." in response.content.decode()
    bob.refresh_from_db()
    assert bob.role == Role.ACCOUNTS
    assert audit(organisation) == [
        ("ann", "user:role", "ann changed bob's role from Engineer to Accounts")
    ]


def test_an_unknown_role_answers_400_in_words(admin_client, acme):
    organisation, ann, bob = acme
    response = admin_client.post(f"/settings/users/{bob.pk}/role/", {"role": "boss"})
    assert response.status_code == 400
    assert (
        "The role of bob was not changed: role must be one of administrator, accounts, engineer."
        in response.content.decode()
    )
    bob.refresh_from_db()
    assert bob.role == Role.ENGINEER
    assert audit(organisation) == []


def test_deactivating_and_reactivating_are_audited(admin_client, acme):
    organisation, ann, bob = acme
    gone = admin_client.post(f"/settings/users/{bob.pk}/deactivate/", follow=True)
    assert "bob is deactivated" in gone.content.decode()
    bob.refresh_from_db()
    assert bob.is_active is False
    back = admin_client.post(f"/settings/users/{bob.pk}/reactivate/", follow=True)
    assert "bob can log in again." in back.content.decode()
    bob.refresh_from_db()
    assert bob.is_active is True
    assert audit(organisation) == [
        ("ann", "user:deactivate", "ann deactivated bob"),
        ("ann", "user:reactivate", "ann reactivated bob"),
    ]


def test_the_last_administrator_is_refused_in_words(admin_client, acme):
    organisation, ann, bob = acme
    reason = (
        "ann is the organisation&#x27;s last active Administrator; make someone else an "
        "Administrator first."
    )
    for url, data, what in [
        (
            f"/settings/users/{ann.pk}/role/",
            {"role": "engineer"},
            "The role of ann was not changed",
        ),
        (f"/settings/users/{ann.pk}/deactivate/", {}, "ann was not deactivated"),
    ]:
        response = admin_client.post(url, data)
        assert response.status_code == 400
        assert f"{what}: {reason}" in response.content.decode()
    ann.refresh_from_db()
    assert (ann.role, ann.is_active) == (Role.ADMINISTRATOR, True)
    assert audit(organisation) == []


def test_only_get_shows_the_page_and_changes_need_post(admin_client, acme):
    bob = acme[2]
    for url in [f"/settings/users/{bob.pk}/deactivate/", "/settings/users/invite/"]:
        assert admin_client.get(url).status_code == 405
    bob.refresh_from_db()
    assert bob.is_active is True


def test_settings_and_the_menu_link_to_users_for_administrators_only(client, acme):
    organisation, ann, bob = acme
    client.force_login(ann)
    assert 'href="/settings/users/"' in client.get("/settings/").content.decode()
    page = client.get("/settings/users/").content.decode()
    assert '<a href="/settings/users/" aria-current="page">Users</a>' in page
    assert '<a href="/settings/" aria-current' not in page
    client.force_login(bob)
    assert ">Users<" not in client.get("/").content.decode()


def test_an_administrator_who_steps_down_lands_on_the_diary(admin_client, acme):
    organisation, ann, bob = acme
    make_user(organisation, Role.ADMINISTRATOR, "cat")
    response = admin_client.post(f"/settings/users/{ann.pk}/role/", {"role": "accounts"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert admin_client.get("/settings/users/").status_code == 403


def test_a_username_too_long_is_refused_in_words(admin_client, acme):
    response = admin_client.post(
        "/settings/users/invite/",
        {"username": "x" * 151, "email": "x@acme.example", "role": "accounts"},
    )
    assert response.status_code == 400
    assert "Nobody was invited: the username must be at most 150 characters." in (
        response.content.decode()
    )
