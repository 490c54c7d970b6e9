"""Creating, checking and revoking API keys (the UI, the command line and the API use these)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone

from ledgersync.api.models import ApiKey, Scope
from ledgersync.records.models import Organisation
from ledgersync.sync.models import AuditEvent

KEY_PREFIX = "lsk_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_key(
    organisation: Organisation, name: str, *, read_only: bool = False, user=None
) -> tuple[ApiKey, str]:
    """A new key; returns the row and the key itself, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("the key needs a name of 1 to 100 characters")
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(30)}"
    key = ApiKey.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        key_hash=_hash(raw),
        scope=Scope.READ_ONLY if read_only else Scope.READ_WRITE,
        created_by=user if user and user.is_authenticated else None,
    )
    AuditEvent.objects.create(
        organisation=organisation,
        user=key.created_by,
        action="apikey:create",
        detail=f"API key {key} created ({key.get_scope_display()})",
    )
    return key, raw


def authenticate(raw: str) -> ApiKey | None:
    """The active key for a bearer token, or None. Constant-time on the hash."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    prefix, _, secret = raw[len(KEY_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    key = (
        ApiKey.objects.select_related("organisation")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw)):
        return None
    now = timezone.now()
    # One write a minute at most: a busy integration must not turn every read into a write.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def revoke(key: ApiKey, *, user=None) -> None:
    if key.revoked_at is not None:
        return
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    AuditEvent.objects.create(
        organisation=key.organisation,
        user=user if user and user.is_authenticated else None,
        action="apikey:revoke",
        detail=f"API key {key} revoked",
    )
