"""The organisation's outbound webhook: signed POSTs of events, retried with backoff.

Each event of a kind the organisation chose becomes a Delivery row; ``attempt`` is one try
(claimed atomically, so two workers never send the same try) and writes its outcome back.
The worker tries a new delivery at once and every due one each minute (tasks.py).

Signing (docs/api.md, "Webhooks"): ``LedgerSync-Signature: t=<unix seconds>,v1=<hex>``, where
v1 is HMAC-SHA256 with the endpoint's secret over ``"<t>." + body``, as Stripe signs its
webhooks; ``hmac`` and ``hashlib`` from the standard library do it. A receiver checks v1
and that t is recent (``verify``), so a copied request cannot be replayed later.

Redirects are never followed (so never to another host): a 3xx is a failed try that names
where it pointed. A try gets TIMEOUT seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import time

import httpx
from django.db import transaction
from django.utils import timezone

from ledgersync.alerts import events
from ledgersync.alerts.mail import alert_settings
from ledgersync.alerts.models import AlertSettings, Delivery, DeliveryState, Event
from ledgersync.sync.models import AuditEvent

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "LedgerSync-Signature"
TIMEOUT = 5.0  # seconds for one try, connecting and answering
MAX_ATTEMPTS = 10  # first try, then retries after 30 s, 1, 2, 4 ... 120 min (about 4 hours)
FIRST_RETRY = 30.0
LONGEST_WAIT = 2 * 3600.0
CLAIM = dt.timedelta(minutes=2)  # a try holds its delivery this long (longer than TIMEOUT)
TOLERANCE = 300  # seconds a receiver should accept between t and its own clock
SECRET_PREFIX = "whsec_"
USER_AGENT = "ledgersync-webhooks/1"


def sign(secret: str, payload: bytes, timestamp: int) -> str:
    """The signature header's value for ``payload`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str,
    header: str,
    payload: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE,
) -> bool:
    """Whether ``header`` signs ``payload`` with ``secret`` within ``tolerance`` seconds."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, payload, timestamp).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def rotate_secret(organisation, user=None) -> str:
    """A new signing secret for the organisation's webhook; returns it (shown once, stored
    encrypted). The old one stops signing at once."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row, _ = AlertSettings.objects.select_for_update().get_or_create(organisation=organisation)
        row.webhook_secret, row.webhook_secret_set_at = secret, timezone.now()
        row.save(update_fields=["webhook_secret", "webhook_secret_set_at"])
        AuditEvent.objects.create(
            organisation=organisation,
            user=user if user and user.is_authenticated else None,
            action="webhook:secret",
            detail="Webhook signing secret replaced",
        )
    return secret


def queue_deliveries(event: Event) -> list[Delivery]:
    """A Delivery for the event when the organisation's webhook takes its kind."""
    row = alert_settings(event.organisation)
    if not row.wants(event.kind):
        return []
    delivery = Delivery.objects.create(
        organisation=event.organisation,
        event=event,
        url=row.webhook_url,
        next_try_at=timezone.now(),
    )
    return [delivery]


def due(now: dt.datetime | None = None) -> list[int]:
    """Deliveries waiting for a try that is due now."""
    rows = Delivery.objects.filter(
        state=DeliveryState.PENDING, next_try_at__lte=now or timezone.now()
    )
    return list(rows.order_by("next_try_at").values_list("pk", flat=True)[:500])


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failed tries."""
    return min(LONGEST_WAIT, FIRST_RETRY * 2 ** (attempts - 1))


def attempt(
    delivery_id: int,
    *,
    now: dt.datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Delivery | None:
    """One try of a delivery that is due: POST the signed event and record the answer.

    Returns the delivery as it now stands, or None when there was no try to make (not due,
    over already, or another worker has it)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, next_try_at__lte=now
    ).update(next_try_at=now + CLAIM)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("event__organisation").get(pk=delivery_id)
    row = alert_settings(delivery.organisation)
    if not (row.webhook_url and row.webhook_secret):
        return _record(delivery, now, None, "The webhook was switched off", give_up=True)
    delivery.url = row.webhook_url  # a URL corrected in Settings takes effect on the next try
    payload = events.payload(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "LedgerSync-Event-Id": str(delivery.event_id),
        "LedgerSync-Event-Type": delivery.event.kind,
        SIGNATURE_HEADER: sign(row.webhook_secret, payload, int(time.time())),
    }
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, transport=transport) as client:
            response = client.post(delivery.url, content=payload, headers=headers)
    except httpx.TimeoutException:
        return _record(delivery, now, None, f"No answer within {TIMEOUT:g} seconds")
    except httpx.HTTPError as exc:
        return _record(delivery, now, None, f"Could not reach the address: {exc}")
    code = response.status_code
    if 200 <= code < 300:
        return _record(delivery, now, code, "")
    if response.is_redirect:
        where = response.headers.get("Location", "")
        error = f"Answered {code}, a redirect to {where}: redirects are not followed"
    else:
        error = f"Answered {code} {response.reason_phrase}".strip()
    return _record(delivery, now, code, error)


def _record(
    delivery: Delivery, now: dt.datetime, code: int | None, error: str, *, give_up: bool = False
) -> Delivery:
    delivery.attempts += 1
    delivery.response_code, delivery.last_error = code, error[:500]
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_try_at = (
            DeliveryState.DELIVERED,
            now,
            None,
        )
    elif give_up or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state, delivery.next_try_at = DeliveryState.GAVE_UP, None
    else:
        delivery.next_try_at = now + dt.timedelta(seconds=backoff(delivery.attempts))
    delivery.save(
        update_fields=[
            "url",
            "attempts",
            "response_code",
            "last_error",
            "state",
            "delivered_at",
            "next_try_at",
        ]
    )
    if error:
        log.info("webhook delivery %s try %s: %s", delivery.pk, delivery.attempts, error)
    return delivery
