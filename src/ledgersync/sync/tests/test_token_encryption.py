from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from ledgersync.records.tests.factories import make_org
from ledgersync.sync import crypto
from ledgersync.sync.models import Connection, ConnectionStatus

pytestmark = pytest.mark.django_db


def raw_column(pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM sync_connection WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_tokens_are_encrypted_at_rest_and_read_back_plain():
    conn = Connection.objects.create(
        organisation=make_org(),
        provider="quickbooks",
        company_id="123",
        status=ConnectionStatus.CONNECTED,
        access_token="access-SECRET",
        refresh_token="refresh-SECRET",
    )
    stored = raw_column(conn.pk, "refresh_token")
    assert "SECRET" not in stored
    assert Connection.objects.get(pk=conn.pk).refresh_token == "refresh-SECRET"


def test_an_old_key_still_decrypts_after_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("refresh-1")
    settings.ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == "refresh-1"
    rotated = crypto.rotate(token)
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "refresh-1"
    with pytest.raises(ValueError, match="encryption key has changed"):
        crypto.decrypt(token)


def test_rotate_keys_re_encrypts_stored_tokens_under_the_newest_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    conn = Connection.objects.create(
        organisation=make_org(),
        provider="quickbooks",
        company_id="123",
        status=ConnectionStatus.CONNECTED,
        access_token="access-1",
        refresh_token="refresh-1",
    )
    settings.ENCRYPTION_KEYS = [new, old]
    from ledgersync.cli import main

    assert main(["rotate-keys"]) == 0
    settings.ENCRYPTION_KEYS = [new]  # the old key is gone: only rotated rows still read
    assert (
        Fernet(new.encode()).decrypt(raw_column(conn.pk, "refresh_token").encode()) == b"refresh-1"
    )
    stored = Connection.objects.get(pk=conn.pk)
    assert (stored.access_token, stored.refresh_token) == ("access-1", "refresh-1")
