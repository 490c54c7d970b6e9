"""Events (one row per problem or run seen), an organisation's alert settings, and webhook
deliveries (one row per event sent to the organisation's endpoint, with its attempts)."""

from __future__ import annotations

from django.db import models

from ledgersync.records.models import Organisation, OrgQuerySet
from ledgersync.sync.crypto import EncryptedTextField


class EventKind(models.TextChoices):
    """What happened. The first four are problems a person is e-mailed about."""

    RELINK_NEEDED = "connection.relink_needed", "A connection needs relinking"
    RUN_FAILED = "run.failed", "A sync run failed"
    DOCUMENTS_REJECTED = "documents.rejected", "The package rejected a document"
    PAYMENTS_PULL_FAILED = "payments.pull_failed", "Payments could not be pulled"
    RUN_FINISHED = "run.finished", "A sync run finished"


# Problems a person is told about by e-mail; the rest are for job systems (webhook, API).
EMAILED_KINDS = frozenset(
    {
        EventKind.RELINK_NEEDED,
        EventKind.RUN_FAILED,
        EventKind.DOCUMENTS_REJECTED,
        EventKind.PAYMENTS_PULL_FAILED,
    }
)


class Event(models.Model):
    """One thing that happened. ``key`` names the problem (a connection, a run, a document
    and its status code) so the same problem seen again is recognised (one e-mail a day)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    key = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When a person was e-mailed about it (alone or in a digest); null: not (yet).
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["organisation", "kind", "key"]),
            models.Index(fields=["organisation", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class AlertSettings(models.Model):
    """Who hears about problems, and the organisation's webhook."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="alert_settings"
    )
    extra_emails = models.TextField(
        blank=True, help_text="More addresses to e-mail besides the Administrators."
    )
    digest = models.BooleanField(
        default=False, help_text="One e-mail a day listing the problems, instead of one each."
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_events = models.JSONField(default=list, blank=True)
    webhook_secret = EncryptedTextField(blank=True, null=True)
    webhook_secret_set_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"alerts of {self.organisation}"

    @property
    def addresses(self) -> list[str]:
        return [a for a in self.extra_emails.replace(",", "\n").split() if a]

    def wants(self, kind: str) -> bool:
        """Whether the webhook is set up and takes this kind of event."""
        return bool(self.webhook_url and self.webhook_secret and kind in self.webhook_events)


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    GAVE_UP = "gave_up", "Gave up"


class Delivery(models.Model):
    """One event on its way to the organisation's webhook, and how its attempts went."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    url = models.URLField(max_length=500)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "next_try_at"])]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.event}"
