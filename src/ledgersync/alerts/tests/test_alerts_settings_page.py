"""Settings > Alerts: one small test per form, the secret shown once, deliveries listed."""

from __future__ import annotations

import pytest

from ledgersync.alerts.models import AlertSettings, Delivery, Event, EventKind
from ledgersync.records.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, org):
    client.force_login(User.objects.get(username="acme-admin"))
    return client


def test_the_email_form_saves_addresses_and_the_digest(admin, org):
    response = admin.post(
        "/settings/alerts/email/",
        {
            "extra_emails": "office@acme.example, ops@acme.example\noffice@acme.example",
            "digest": "on",
        },
    )

    assert response.status_code == 302
    row = AlertSettings.objects.get(organisation=org)
    assert (row.addresses, row.digest) == (["office@acme.example", "ops@acme.example"], True)


def test_the_email_form_names_an_address_that_is_not_one(admin, org):
    response = admin.post("/settings/alerts/email/", {"extra_emails": "office@acme.example, bob"})

    assert response.status_code == 422
    assert "&#x27;bob&#x27; is not an e-mail address (like office@example.com)." in (
        response.content.decode()
    )
    assert not AlertSettings.objects.filter(organisation=org).exclude(extra_emails="").exists()


def test_the_webhook_form_saves_the_url_and_the_events(admin, org):
    response = admin.post(
        "/settings/alerts/webhook/",
        {
            "webhook_url": "https://jobs.example/hooks",
            "webhook_events": ["run.failed", "run.finished"],
        },
    )

    assert response.status_code == 302
    row = AlertSettings.objects.get(organisation=org)
    assert (row.webhook_url, row.webhook_events) == (
        "https://jobs.example/hooks",
        ["run.failed", "run.finished"],
    )


@pytest.mark.parametrize(
    ("posted", "words"),
    [
        (
            {"webhook_url": "ftp://jobs.example/", "webhook_events": ["run.failed"]},
            "Give an address starting with https:// (or http://).",
        ),
        ({"webhook_url": "https://jobs.example/"}, "Choose at least one event to send."),
    ],
)
def test_the_webhook_form_says_what_is_wrong(admin, org, posted, words):
    response = admin.post("/settings/alerts/webhook/", posted)

    assert response.status_code == 422
    assert words in response.content.decode()


def test_the_secret_is_shown_once_when_made_and_never_again(admin, org):
    made = admin.post("/settings/alerts/webhook/secret/").content.decode()
    secret = AlertSettings.objects.get(organisation=org).webhook_secret

    later = admin.get("/settings/alerts/").content.decode()

    assert "Copy this secret now" in made and secret in made
    assert secret not in later
    assert "stored encrypted and not shown again" in later


def test_the_page_lists_the_deliveries_with_status_code_attempts_and_error(admin, org):
    event = Event.objects.create(
        organisation=org, kind=EventKind.RUN_FAILED, key="run:1", summary="Sync failed"
    )
    Delivery.objects.create(
        organisation=org,
        event=event,
        url="https://jobs.example/hooks",
        attempts=3,
        response_code=503,
        last_error="Answered 503 Service Unavailable",
    )

    page = admin.get("/settings/alerts/").content.decode()

    assert "<td>run.failed" in page
    assert "<td>503</td>" in page and "<td>3</td>" in page
    assert "Answered 503 Service Unavailable" in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/settings/alerts/"),
        ("post", "/settings/alerts/email/"),
        ("post", "/settings/alerts/webhook/"),
        ("post", "/settings/alerts/webhook/secret/"),
    ],
)
def test_only_an_administrator_may_open_or_change_alerts(client, org, method, url):
    client.force_login(User.objects.get(username="acme-accounts"))

    assert getattr(client, method)(url).status_code == 403
    assert AlertSettings.objects.filter(organisation=org, webhook_secret__isnull=False).count() == 0
