"""The webhook: a real receiver on loopback gets each event signed, a failed delivery is
retried with backoff, redirects are not followed, and a forged signature does not verify."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from ledgersync.alerts import events, webhooks
from ledgersync.alerts.models import AlertSettings, Delivery, DeliveryState, Event, EventKind
from ledgersync.alerts.tests.conftest import webhook_for

pytestmark = pytest.mark.django_db


def failed_run(org, run_id=41):
    return Event.objects.create(
        organisation=org,
        kind=EventKind.RUN_FAILED,
        key=f"run:{run_id}",
        summary="Sync of invoices failed: QuickBooks stopped accepting ledgersync's access.",
        data={"run_id": run_id, "type": "sales_invoice", "state": "failed"},
    )


def deliver_now(event):
    (delivery,) = webhooks.queue_deliveries(event)
    return webhooks.attempt(delivery.pk)


def test_the_receiver_gets_the_event_signed_with_the_secret(org, receiver):
    secret = webhook_for(org, receiver.url, EventKind.RUN_FAILED)
    event = failed_run(org)

    delivery = deliver_now(event)

    (request,) = receiver.requests
    assert request.path == "/hooks/ledgersync"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["LedgerSync-Event-Type"] == "run.failed"
    assert request.headers["LedgerSync-Event-Id"] == str(event.pk)
    assert webhooks.verify(secret, request.headers["LedgerSync-Signature"], request.body)
    assert json.loads(request.body) == {
        "id": event.pk,
        "type": "run.failed",
        "created_at": json.loads(request.body)["created_at"],
        "organisation": "acme",
        "data": {
            "summary": "Sync of invoices failed: QuickBooks stopped accepting ledgersync's access.",
            "run_id": 41,
            "type": "sales_invoice",
            "state": "failed",
        },
    }
    sent_at = dt.datetime.fromisoformat(json.loads(request.body)["created_at"])
    assert sent_at == event.created_at.replace(
        microsecond=event.created_at.microsecond // 1000 * 1000
    )
    assert (delivery.state, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_a_forged_or_replayed_signature_does_not_verify(org, receiver):
    secret = webhook_for(org, receiver.url)
    deliver_now(failed_run(org))
    (request,) = receiver.requests
    header, body = request.headers["LedgerSync-Signature"], request.body
    timestamp = int(header.split(",")[0].removeprefix("t="))

    assert webhooks.verify(secret, header, body)
    assert not webhooks.verify("whsec_someone-else", header, body)
    assert not webhooks.verify(secret, header, body.replace(b"41", b"42"))
    assert not webhooks.verify(secret, f"t={timestamp + 1}," + header.split(",")[1], body)
    assert not webhooks.verify(secret, header, body, now=timestamp + 301)
    assert not webhooks.verify(secret, "v1=" + "0" * 64, body)


def test_a_delivery_answered_500_is_retried_after_the_backoff_and_then_succeeds(org, receiver):
    secret = webhook_for(org, receiver.url, EventKind.RUN_FAILED)
    receiver.answers = [500]
    (delivery,) = webhooks.queue_deliveries(failed_run(org))
    start = timezone.now()

    first = webhooks.attempt(delivery.pk, now=start)
    too_soon = webhooks.attempt(delivery.pk, now=start + dt.timedelta(seconds=29))
    due = webhooks.due(start + dt.timedelta(seconds=30))
    second = webhooks.attempt(delivery.pk, now=start + dt.timedelta(seconds=30))

    assert (first.state, first.attempts, first.response_code) == ("pending", 1, 500)
    assert first.last_error == "Answered 500 Internal Server Error"
    assert first.next_try_at == start + dt.timedelta(seconds=30)
    assert too_soon is None
    assert due == [delivery.pk]
    assert (second.state, second.attempts, second.response_code, second.last_error) == (
        "delivered",
        2,
        200,
        "",
    )
    assert second.next_try_at is None
    assert len(receiver.requests) == 2
    assert all(
        webhooks.verify(secret, r.headers["LedgerSync-Signature"], r.body)
        for r in receiver.requests
    )


def test_the_waits_double_and_it_gives_up_after_the_last_attempt(org, receiver):
    webhook_for(org, receiver.url)
    receiver.answers = [503] * webhooks.MAX_ATTEMPTS
    (delivery,) = webhooks.queue_deliveries(failed_run(org))
    now, waits = timezone.now(), []

    for _ in range(webhooks.MAX_ATTEMPTS):
        row = webhooks.attempt(delivery.pk, now=now)
        if row.next_try_at:
            waits.append((row.next_try_at - now).total_seconds())
            now = row.next_try_at

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3840, 7200]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_try_at) == (
        DeliveryState.GAVE_UP,
        webhooks.MAX_ATTEMPTS,
        None,
    )
    assert webhooks.due(now + dt.timedelta(days=1)) == []


def test_a_redirect_to_another_host_is_not_followed(org, receiver):
    webhook_for(org, receiver.url)
    receiver.answers = [302]
    receiver.location = "http://127.0.0.2:9/elsewhere"

    delivery = deliver_now(failed_run(org))

    assert len(receiver.requests) == 1
    assert (delivery.state, delivery.response_code) == ("pending", 302)
    assert delivery.last_error == (
        "Answered 302, a redirect to http://127.0.0.2:9/elsewhere: redirects are not followed"
    )


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_try(org, receiver, monkeypatch):
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.3)
    webhook_for(org, receiver.url)
    receiver.delay = 1.0
    started = time.monotonic()

    delivery = deliver_now(failed_run(org))

    assert time.monotonic() - started < 1.0
    assert (delivery.state, delivery.response_code) == ("pending", None)
    assert delivery.last_error == "No answer within 0.3 seconds"


def test_only_the_chosen_events_are_sent_and_nothing_without_a_secret(org, receiver):
    webhook_for(org, receiver.url, EventKind.RUN_FINISHED)

    assert webhooks.queue_deliveries(failed_run(org)) == []
    AlertSettings.objects.filter(organisation=org).update(
        webhook_events=["run.failed"], webhook_secret=None
    )
    assert webhooks.queue_deliveries(failed_run(org, 42)) == []
    assert receiver.requests == []


def test_an_emitted_event_reaches_the_receiver_through_the_worker(
    org, receiver, django_capture_on_commit_callbacks
):
    secret = webhook_for(org, receiver.url, EventKind.RUN_FINISHED)

    with django_capture_on_commit_callbacks(execute=True):
        events.emit(
            org, EventKind.RUN_FINISHED, "run:9", "Sync of invoices finished.", {"run_id": 9}
        )

    (request,) = receiver.requests
    assert webhooks.verify(secret, request.headers["LedgerSync-Signature"], request.body)
    assert json.loads(request.body)["data"] == {
        "summary": "Sync of invoices finished.",
        "run_id": 9,
    }
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


def test_the_secret_is_stored_encrypted(org):
    secret = webhooks.rotate_secret(org)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM alerts_alertsettings")
        (stored,) = cursor.fetchone()
    assert secret.startswith("whsec_") and secret not in stored
    assert AlertSettings.objects.get(organisation=org).webhook_secret == secret


def test_the_python_example_in_docs_api_md_verifies_a_real_delivery(org, receiver):
    from ledgersync.api.tests.docs_support import DOCS

    page = (DOCS / "api.md").read_text(encoding="utf-8")
    example = page.split("## Webhooks", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(example, "docs/api.md", "exec"), namespace)
    secret = webhook_for(org, receiver.url)
    deliver_now(failed_run(org))
    (request,) = receiver.requests
    header = request.headers["LedgerSync-Signature"]

    assert namespace["verify"](secret, header, request.body) is True
    assert namespace["verify"]("whsec_forged", header, request.body) is False
    assert namespace["verify"](secret, header, request.body + b" ") is False
