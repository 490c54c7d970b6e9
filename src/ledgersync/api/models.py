"""API keys: one organisation each, read-only or read-write, stored as a hash only."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ledgersync.records.models import Organisation, OrgQuerySet


class Scope(models.TextChoices):
    READ_ONLY = "read_only", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiKey(models.Model):
    """A key a calling system sends as ``Authorization: Bearer lsk_<prefix>_<secret>``.

    Only the SHA-256 of the whole key is kept: the key is 240 random bits, so a fast hash
    is enough (nothing to brute-force), and the prefix finds the row without a scan.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.READ_WRITE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (lsk_{self.prefix}_…)"

    @property
    def read_only(self) -> bool:
        return self.scope == Scope.READ_ONLY

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
