"""Encryption of tokens at rest with MultiFernet (newest key first; older keys decrypt).

Keys come from LEDGERSYNC_ENCRYPTION_KEYS (comma-separated Fernet keys). Without it a key
is derived from SECRET_KEY, so a single secret is enough to start; rotating means putting a
new key first and running `ledgersync rotate-keys`.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


def _derived_key(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ledgersync tokens").derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)


@functools.cache
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    return MultiFernet([Fernet(_derived_key(secret))])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt a stored token: the encryption key has changed") from None


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def rotate_stored_tokens() -> int:
    """Re-encrypt every stored token under the newest key; returns how many rows changed."""
    from ledgersync.sync.models import Connection

    changed = 0
    rows = Connection.objects.exclude(refresh_token=None)
    for pk, access, refresh in rows.values_list("pk", "access_token", "refresh_token"):
        # values_list decrypts; saving through the field encrypts again under the newest key.
        Connection.objects.filter(pk=pk).update(access_token=access, refresh_token=refresh)
        changed += 1
    return changed


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give the plain text back."""

    def from_db_value(self, value, expression, connection):
        return None if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value in (None, "") else encrypt(value)
