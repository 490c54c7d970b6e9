"""Problems are e-mailed through a real SMTP server: to the Administrators and the addresses
in Settings, once per problem a day, or in one daily digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from ledgersync.alerts import events, mail
from ledgersync.alerts.models import AlertSettings, Event, EventKind

pytestmark = pytest.mark.django_db


def relink(org, connection_id=7, capture=None):
    events.emit(
        org,
        EventKind.RELINK_NEEDED,
        f"connection:{connection_id}",
        "QuickBooks stopped accepting ledgersync's access to Acme Books.",
        {"connection_id": connection_id, "provider": "quickbooks", "reason": "invalid_grant"},
    )


def test_a_relink_needed_reaches_the_administrators_and_the_extra_addresses_in_plain_words(
    org, smtp, django_capture_on_commit_callbacks
):
    AlertSettings.objects.create(organisation=org, extra_emails="office@acme.example")

    with django_capture_on_commit_callbacks(execute=True):
        relink(org)

    (message,) = smtp.wait_for(1)
    assert smtp.envelopes == [["boss@acme.example", "office@acme.example"]]
    assert message["Subject"] == "Acme Heating Ltd: QuickBooks needs connecting again"
    text = smtp.text(message)
    assert text.startswith("QuickBooks stopped accepting ledgersync's access to Acme Books.\n")
    assert "What to do: Open the Sync page and press Connect" in text
    assert "http://127.0.0.1:8000/sync/" in text
    assert Event.objects.get().emailed_at is not None


def test_the_same_problem_is_emailed_once_a_day_and_a_different_one_at_once(org, smtp):
    now = timezone.now()
    first = Event.objects.create(
        organisation=org, kind=EventKind.RUN_FAILED, key="run:1", summary="Sync failed: x"
    )
    again = Event.objects.create(
        organisation=org, kind=EventKind.RUN_FAILED, key="run:1", summary="Sync failed: x"
    )
    other = Event.objects.create(
        organisation=org, kind=EventKind.RUN_FAILED, key="run:2", summary="Sync failed: y"
    )
    tomorrow = Event.objects.create(
        organisation=org, kind=EventKind.RUN_FAILED, key="run:1", summary="Sync failed: x"
    )

    told = [
        mail.tell(first, now),
        mail.tell(again, now + dt.timedelta(hours=23)),
        mail.tell(other, now + dt.timedelta(hours=23)),
        mail.tell(tomorrow, now + dt.timedelta(hours=24, minutes=1)),
    ]

    assert told == [True, False, True, True]
    assert [m["Subject"] for m in smtp.wait_for(3)] == ["Acme Heating Ltd: A sync run failed"] * 3
    again.refresh_from_db()
    assert again.emailed_at is None


def test_a_finished_run_is_not_emailed(org, smtp):
    event = Event.objects.create(
        organisation=org, kind=EventKind.RUN_FINISHED, key="run:1", summary="Sync finished"
    )

    assert mail.tell(event) is False
    assert smtp.messages == []


def test_with_the_digest_on_problems_wait_for_one_e_mail_a_day(org, smtp, settings):
    settings.TIME_ZONE = "Europe/London"
    AlertSettings.objects.create(organisation=org, digest=True)
    for key, summary in [
        ("document:1:REJECTED", "Sales Invoice S1003 was not accepted: no"),
        ("document:1:REJECTED", "Sales Invoice S1003 was not accepted: no"),
        ("connection:3", "Xero stopped accepting ledgersync's access."),
    ]:
        kind = (
            EventKind.RELINK_NEEDED
            if key.startswith("connection")
            else EventKind.DOCUMENTS_REJECTED
        )
        event = Event.objects.create(organisation=org, kind=kind, key=key, summary=summary)
        assert mail.tell(event) is False
    early = timezone.make_aware(dt.datetime(2026, 3, 2, 6, 30))
    on_time = timezone.make_aware(dt.datetime(2026, 3, 2, 7, 5))

    sent = [
        mail.send_due_digests(early),
        mail.send_due_digests(on_time),
        mail.send_due_digests(on_time + dt.timedelta(hours=3)),
    ]

    assert sent == [0, 1, 0]
    (message,) = smtp.wait_for(1)
    assert message["Subject"] == "Acme Heating Ltd: 2 problems in ledgersync"
    text = smtp.text(message)
    assert "- Sales Invoice S1003 was not accepted: no (seen 2 times)\n" in text
    assert "- Xero stopped accepting ledgersync's access.\n" in text
    assert not Event.objects.filter(emailed_at__isnull=True).exists()


def test_with_nobody_to_tell_nothing_is_sent_and_nothing_breaks(db, smtp):
    from ledgersync.records.tests.factories import make_org

    lonely = make_org("lonely", "Lonely Ltd")
    event = Event.objects.create(
        organisation=lonely, kind=EventKind.RUN_FAILED, key="run:1", summary="Sync failed"
    )

    assert mail.tell(event) is False
    assert smtp.messages == []


def test_a_mail_server_that_is_down_is_logged_not_raised(org, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    from ledgersync.alerts.tests.conftest import free_port

    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    event = Event.objects.create(
        organisation=org, kind=EventKind.RUN_FAILED, key="run:1", summary="Sync failed"
    )

    assert mail.tell(event) is False
    assert "could not be sent" in caplog.text
    event.refresh_from_db()
    assert event.emailed_at is None


def test_an_event_in_a_transaction_that_rolls_back_is_never_recorded(
    org, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            relink(org)
            1 / 0  # noqa: B018
        relink(org, connection_id=8)

    assert list(Event.objects.values_list("key", flat=True)) == ["connection:8"]
