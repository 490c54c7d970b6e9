"""API keys: bearer only, hashed at rest, revocable, read-only keys cannot write, a budget."""

from __future__ import annotations

import hashlib

import pytest

from ledgersync.api.keys import create_key, revoke
from ledgersync.api.models import ApiKey
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.records.models import Account, Role
from ledgersync.records.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_its_hash(org):
    key, raw = create_key(org, "job system")

    stored = ApiKey.objects.get(pk=key.pk)
    assert raw.startswith(f"lsk_{stored.prefix}_")
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.key_hash, stored.prefix, stored.name}


def test_a_call_without_a_key_gets_401_with_a_stable_code():
    response = ApiClient(None).get("/accounts")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("token", ["nonsense", "lsk_", "lsk_abc_def", "lsk_" + "a" * 300])
def test_a_wrong_key_gets_401(org, token):
    assert ApiClient(token).get("/accounts").status_code == 401


def test_a_revoked_key_stops_working(org):
    key, raw = create_key(org, "old")
    assert ApiClient(raw).get("/accounts").status_code == 200

    revoke(key)

    response = ApiClient(raw).get("/accounts")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_read_only_key_reads_but_cannot_write(org, read_only_api):
    assert read_only_api.get("/accounts").json()["count"] == 1

    response = read_only_api.post("/accounts", {"number": "A9", "name": "Seaview Hotel"})

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "read_only_key",
        "field": None,
        "details": [],
        "message": "The API key 'reports' is read-only; use a read-write key to change data.",
    }
    assert not Account.objects.filter(number="A9").exists()


def test_more_calls_than_the_budget_get_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr("ledgersync.api.auth.REQUESTS_PER_MINUTE", 2)

    codes = [api.get("/tax-codes").status_code for _ in range(3)]

    assert codes[:2] == [200, 200]
    if codes[2] == 200:  # the minute turned between calls; the next window is fresh
        codes[2] = [api.get("/tax-codes").status_code for _ in range(3)][-1]
    assert codes[2] == 429
    response = api.get("/tax-codes")
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_administrators_create_and_revoke_keys_on_the_settings_page(org, client):
    admin = make_user(org, Role.ADMINISTRATOR)
    client.force_login(admin)

    page = client.post("/settings/api-keys/", {"name": "Job system", "scope": "read_only"})

    assert page.status_code == 200
    key = ApiKey.objects.get(organisation=org)
    raw = page.context["new_key"]
    assert (key.name, key.read_only, key.created_by) == ("Job system", True, admin)
    assert raw in page.content.decode()
    assert raw not in client.get("/settings/api-keys/").content.decode()  # shown once

    client.post(f"/settings/api-keys/{key.pk}/revoke")

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert ApiClient(raw).get("/accounts").status_code == 401


@pytest.mark.parametrize("role", [Role.ACCOUNTS, Role.ENGINEER])
def test_only_administrators_see_the_api_keys_page(org, client, role):
    client.force_login(make_user(org, role))

    assert client.get("/settings/api-keys/").status_code == 403
    assert client.post("/settings/api-keys/", {"name": "sneaky"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_an_administrator_cannot_revoke_another_organisations_key(org, client, other_api):
    client.force_login(make_user(org, Role.ADMINISTRATOR))
    theirs = ApiKey.objects.get(name="theirs")

    assert client.post(f"/settings/api-keys/{theirs.pk}/revoke").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
