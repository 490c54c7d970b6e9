"""What the last payments pull found (sync/payments.py): per synced document its balance
and the payments applied to it, per connection the cursor. Imported by sync/models.py."""

from __future__ import annotations

from django.db import models

from ledgersync.sync.paid import PaidWord


class PaymentsPull(models.Model):
    """One connection's payments pull: the provider's cursor (its own time of the newest
    change already stored), and how the last try went (shown on the connection)."""

    connection = models.OneToOneField(
        "sync.Connection", on_delete=models.CASCADE, related_name="payments_pull"
    )
    cursor = models.DateTimeField(null=True, blank=True, help_text="The package's own time.")
    tried_at = models.DateTimeField(null=True, blank=True)
    pulled_at = models.DateTimeField(null=True, blank=True, help_text="Last pull that worked.")
    error = models.CharField(max_length=500, blank=True)
    api_calls = models.PositiveIntegerField(default=0, help_text="Calls the last pull made.")
    changed = models.PositiveIntegerField(default=0, help_text="Documents the last pull changed.")

    def __str__(self) -> str:
        return f"payments pull of connection {self.connection_id}"


class PaidBalance(models.Model):
    """A synced document as the package last said it stands: its total, what is still
    outstanding, and (``state``) paid / part paid / unpaid, worked out by sync/paid.py."""

    document = models.OneToOneField(
        "records.Document", on_delete=models.CASCADE, related_name="paid", primary_key=True
    )
    provider = models.CharField(max_length=20)
    company_id = models.CharField(max_length=100)
    remote_id = models.CharField(max_length=100)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    outstanding = models.DecimalField(max_digits=14, decimal_places=2)
    state = models.CharField(max_length=10, choices=PaidWord.choices, db_index=True)
    changed_at = models.DateTimeField(help_text="When a pull last found it changed.")

    def __str__(self) -> str:
        return f"{self.document_id}: {self.state} ({self.outstanding} outstanding)"


class RemotePaymentRow(models.Model):
    """One payment (or credit allocated) the package applied to a document."""

    balance = models.ForeignKey(PaidBalance, on_delete=models.CASCADE, related_name="payments")
    remote_id = models.CharField(max_length=100, blank=True)
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["paid_on", "remote_id", "pk"]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount} {self.reference}"
