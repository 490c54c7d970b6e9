"""Connections to accounting packages, AccsID links, and (later) sync runs and attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ledgersync.providers.registry import choices as provider_choices
from ledgersync.records.models import Account, Organisation, OrgQuerySet, Supplier
from ledgersync.sync.crypto import EncryptedTextField


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    RELINK_NEEDED = "relink_needed", "Relink needed"
    DISCONNECTED = "disconnected", "Not connected"


class Connection(models.Model):
    """An organisation's OAuth link to one provider company (realm / tenant / business).

    A row outlives a disconnect (tokens are wiped, the row stays) so reconnecting to the same
    company finds it again. Only one row per organisation is live (connected or relink needed).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="connections")
    provider = models.CharField(max_length=20, choices=provider_choices())
    company_id = models.CharField(max_length=100)
    company_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.DISCONNECTED
    )
    status_detail = models.CharField(max_length=500, blank=True)
    access_token = EncryptedTextField(blank=True, null=True)
    refresh_token = EncryptedTextField(blank=True, null=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider", "company_id"], name="connection_per_company"
            ),
            models.UniqueConstraint(
                fields=["organisation"], condition=~Q(status="disconnected"),
                name="one_live_connection_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.company_name or self.company_id}"

    @property
    def is_live(self) -> bool:
        return self.status != ConnectionStatus.DISCONNECTED


class LinkMethod(models.TextChoices):
    LINK_THIS = "link_this", "Link This"
    CREATE_NEW = "create_new", "Create New"
    TYPED = "typed", "Typed AccsID"
    SUGGESTION = "suggestion", "Suggestion"


class AccsIdLink(models.Model):
    """The provider-side id of an account or supplier in one provider company.

    Keyed by provider and company id rather than by connection row, so a disconnect,
    a relink or a change of package loses nothing.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    provider = models.CharField(max_length=20, choices=provider_choices())
    company_id = models.CharField(max_length=100)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="accs_links"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="accs_links"
    )
    remote_id = models.CharField("AccsID", max_length=100)
    method = models.CharField(max_length=20, choices=LinkMethod.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "company_id", "account"], condition=Q(account__isnull=False),
                name="one_link_per_account",
            ),
            models.UniqueConstraint(
                fields=["provider", "company_id", "supplier"], condition=Q(supplier__isnull=False),
                name="one_link_per_supplier",
            ),
            models.CheckConstraint(
                condition=Q(account__isnull=False, supplier__isnull=True)
                | Q(account__isnull=True, supplier__isnull=False),
                name="link_names_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account or self.supplier} = {self.remote_id}"
