from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ledgersync.sync.models import RunState, SyncRun, Trigger
from ledgersync.sync.tasks import start_scheduled

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_schedule_starts_auto_sync_taking_the_types_in_turn(demo):
    organisation, _ = demo
    organisation.schedule_minutes = 15
    organisation.save()
    now = timezone.now()

    first = start_scheduled(organisation, now)
    assert (first.doc_type, first.auto, first.trigger) == ("sales_invoice", True, Trigger.SCHEDULE)
    assert start_scheduled(organisation, now + dt.timedelta(minutes=5)) is None  # not due yet

    SyncRun.objects.filter(pk=first.pk).update(
        state=RunState.FINISHED, created_at=now - dt.timedelta(minutes=16)
    )
    second = start_scheduled(organisation, now)
    assert second.doc_type == "sales_credit_note"


def test_an_organisation_without_a_schedule_is_never_started_by_it(demo):
    organisation, _ = demo
    organisation.schedule_minutes = None
    organisation.save()

    assert start_scheduled(organisation, timezone.now()) is None
    assert SyncRun.objects.count() == 0
