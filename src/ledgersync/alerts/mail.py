"""E-mail about problems: to the organisation's Administrators and the addresses in Settings.

At most one e-mail per problem (kind and key) in any 24 hours; with the daily digest on,
none one by one: ``send_due_digests`` sends one e-mail a day (from DIGEST_HOUR, local time)
listing the problems seen since the last one. Mail goes through Django's mail API, so the
deployment's e-mail settings decide how it leaves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ledgersync.alerts.models import EMAILED_KINDS, AlertSettings, Event, EventKind
from ledgersync.env import env_int
from ledgersync.providers.registry import display_name
from ledgersync.records.models import DocType, Organisation, Role, User

log = logging.getLogger(__name__)

ONCE_PER = dt.timedelta(hours=24)
# The local hour from which the day's digest goes out (0-23).
DIGEST_HOUR = env_int("LEDGERSYNC_ALERT_DIGEST_HOUR", 7, minimum=0)


@dataclass(frozen=True)
class Wording:
    subject: str  # filled from the event's data
    remedy: str


WORDS: dict[str, Wording] = {
    EventKind.RELINK_NEEDED: Wording(
        "{package} needs connecting again",
        "Open the Sync page and press Connect to sign in to the package again. Documents wait "
        "until then; none are lost.",
    ),
    EventKind.RUN_FAILED: Wording(
        "A sync run failed",
        "Open the Sync page to see what was sent and press Sync again once the cause is fixed.",
    ),
    EventKind.DOCUMENTS_REJECTED: Wording(
        "{number} was rejected by the package",
        "Fix what the package says on the document, then Sync again.",
    ),
    EventKind.PAYMENTS_PULL_FAILED: Wording(
        "Payments could not be pulled from the package",
        "Open the Sync page to check the connection; payments are pulled again on the next try.",
    ),
}


def alert_settings(organisation: Organisation) -> AlertSettings:
    """The organisation's alert settings (the defaults, unsaved, when none were saved)."""
    found = AlertSettings.objects.filter(organisation=organisation).first()
    return found or AlertSettings(organisation=organisation)


def recipients(organisation: Organisation) -> list[str]:
    """Active Administrators with an address, then the extra addresses; each address once."""
    admins = User.objects.filter(
        organisation=organisation, role=Role.ADMINISTRATOR, is_active=True
    ).exclude(email="")
    found: dict[str, str] = {}
    for address in [
        *admins.values_list("email", flat=True),
        *alert_settings(organisation).addresses,
    ]:
        found.setdefault(address.lower(), address)
    return list(found.values())


def link_for(event: Event) -> str:
    """Where in ledgersync the problem is fixed."""
    data = event.data
    if event.kind == EventKind.DOCUMENTS_REJECTED and data.get("document_id"):
        path = reverse("document", args=[data["document_id"]])
    elif event.kind == EventKind.RUN_FAILED and data.get("type"):
        path = reverse("sync", args=[DocType(data["type"]).slug])
    else:
        path = reverse("sync-home")
    return f"{settings.PUBLIC_URL}{path}"


def subject_of(event: Event) -> str:
    data = event.data
    package = display_name(data["provider"]) if data.get("provider") else "The package"
    words = WORDS[event.kind].subject.format(package=package, number=data.get("number", ""))
    return f"{event.organisation.name}: {words}"


def _footer(organisation: Organisation) -> str:
    return (
        f"You get this e-mail as an Administrator of {organisation.name} or because your "
        "address is listed under Settings > Alerts. ledgersync e-mails about the same problem "
        "at most once a day; an Administrator can choose one daily digest instead.\n"
    )


def body_of(event: Event) -> str:
    return (
        f"{event.summary}\n\n"
        f"What to do: {WORDS[event.kind].remedy}\n"
        f"{link_for(event)}\n\n"
        f"Seen at {timezone.localtime(event.created_at):%H:%M on %d/%m/%Y}.\n\n"
        f"{_footer(event.organisation)}"
    )


def _send(organisation: Organisation, subject: str, body: str) -> bool:
    to = recipients(organisation)
    if not to:
        log.warning("alert for %s not e-mailed: no Administrator address", organisation.slug)
        return False
    try:
        send_mail(subject, body, None, to)
    except Exception:  # the mail server's trouble must not stop the worker's other work
        log.exception("alert e-mail for %s could not be sent", organisation.slug)
        return False
    return True


def tell(event: Event, now: dt.datetime | None = None) -> bool:
    """E-mail about ``event`` now, unless it is not a problem people hear about, the digest
    is on, or the same problem was e-mailed within 24 hours. True when an e-mail went."""
    if event.kind not in EMAILED_KINDS:
        return False
    now = now or timezone.now()
    organisation = event.organisation
    with transaction.atomic():
        # One e-mail per problem even with two workers: they queue on the settings row.
        row, _ = AlertSettings.objects.get_or_create(organisation=organisation)
        row = AlertSettings.objects.select_for_update().get(pk=row.pk)
        if row.digest:
            return False
        told = Event.objects.filter(
            organisation=organisation,
            kind=event.kind,
            key=event.key,
            emailed_at__gt=now - ONCE_PER,
        ).exists()
        if told or not _send(organisation, subject_of(event), body_of(event)):
            return False
        Event.objects.filter(pk=event.pk).update(emailed_at=now)
    return True


def digest_due(row: AlertSettings, now: dt.datetime) -> bool:
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return False
    return (
        row.digest_sent_at is None or timezone.localtime(row.digest_sent_at).date() < local.date()
    )


def send_digest(organisation: Organisation, now: dt.datetime | None = None) -> int:
    """One e-mail listing the problems not yet e-mailed; returns how many problems it named
    (0: nothing to say, so nothing is sent)."""
    now = now or timezone.now()
    pending = Event.objects.filter(
        organisation=organisation, kind__in=EMAILED_KINDS, emailed_at__isnull=True
    ).order_by("id")
    events = list(pending)
    if not events:
        return 0
    seen = Counter((e.kind, e.key) for e in events)
    first: dict[tuple[str, str], Event] = {}
    for event in events:
        first.setdefault((event.kind, event.key), event)
    lines = []
    for problem, event in first.items():
        times = f" (seen {seen[problem]} times)" if seen[problem] > 1 else ""
        lines.append(f"- {event.summary}{times}\n  {link_for(event)}")
    count = len(first)
    subject = f"{organisation.name}: {count} problem{'s' if count != 1 else ''} in ledgersync"
    body = (
        f"Since the last summary ledgersync met {count} problem"
        f"{'s' if count != 1 else ''} that need{'s' if count == 1 else ''} a person:\n\n"
        + "\n".join(lines)
        + f"\n\n{_footer(organisation)}"
    )
    if not _send(organisation, subject, body):
        return 0
    Event.objects.filter(pk__in=[e.pk for e in events]).update(emailed_at=now)
    return count


def send_due_digests(now: dt.datetime | None = None) -> int:
    """Send each digest that is due (once a day, from DIGEST_HOUR); returns how many went."""
    now = now or timezone.now()
    sent = 0
    for row in AlertSettings.objects.filter(digest=True).select_related("organisation"):
        if not digest_due(row, now):
            continue
        with transaction.atomic():
            locked = AlertSettings.objects.select_for_update().get(pk=row.pk)
            if not digest_due(locked, now):
                continue  # another worker sent it meanwhile
            sent += int(send_digest(row.organisation, now) > 0)
            AlertSettings.objects.filter(pk=row.pk).update(digest_sent_at=now)
    return sent
