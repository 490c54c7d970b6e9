"""Background work for alerts (Huey): thin loops around mail.py's and webhooks.py's steps."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ledgersync.alerts import mail, webhooks
from ledgersync.alerts.models import Event
from ledgersync.sync.periodic import once_per_schedule

log = logging.getLogger(__name__)


@db_task()
def notify(event_id: int) -> None:
    """Tell people about a new event (unless told today, or digest) and send its webhook."""
    event = Event.objects.select_related("organisation").filter(pk=event_id).first()
    if event is None:
        return
    try:
        mail.tell(event)
    except Exception:  # the webhook still goes when e-mail has trouble
        log.exception("e-mail for event %s failed", event_id)
    for delivery in webhooks.queue_deliveries(event):
        deliver(delivery.pk)


@db_task()
def deliver(delivery_id: int) -> None:
    webhooks.attempt(delivery_id)


@db_periodic_task(crontab(minute="*"))
@once_per_schedule
def retry_deliveries() -> None:
    """Try every delivery whose next try is due (the backoff's retries)."""
    for delivery_id in webhooks.due():
        webhooks.attempt(delivery_id)


@db_periodic_task(crontab(minute="*/15"))
@once_per_schedule
def send_digests() -> None:
    sent = mail.send_due_digests()
    if sent:
        log.info("alerts: %s daily digests sent", sent)
