"""Settings > Users in a real browser: an Administrator invites a user from the page and sees
them listed, and the invitation is e-mailed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledgersync.records.models import Role, User
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.web.tests.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_invites_a_user_and_sees_them_listed(page, mailoutbox):
    make_user(make_org(), Role.ADMINISTRATOR, "ann")
    log_in(page, "ann", "correct horse")  # the /login/ form: django-axes judges the request
    page.get_by_role("link", name="Settings", exact=True).click()
    page.locator("#users-link").get_by_role("link", name="Settings > Users").click()
    page.wait_for_url("**/settings/users/")

    invite = page.locator("#invite")
    invite.get_by_label("Username").fill("sam")
    invite.get_by_label("E-mail").fill("sam@acme.example")
    invite.get_by_label("Role").select_option(label="Engineer")
    invite.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status")).to_contain_text("Invitation sent to sam@acme.example")
    row = page.locator("#user-sam")
    expect(row).to_contain_text("sam@acme.example")
    expect(row).to_contain_text("Never (invited)")
    expect(row.get_by_label("Role of sam", exact=True)).to_have_value(Role.ENGINEER)
    assert [m.to for m in mailoutbox] == [["sam@acme.example"]]
    assert not User.objects.get(username="sam").has_usable_password()
    shot(page, "settings-users", full_page=True)
