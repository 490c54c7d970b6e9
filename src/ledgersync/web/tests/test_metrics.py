"""GET /metrics: off without LEDGERSYNC_METRICS_TOKEN, 401 without the right bearer token,
and with it the Prometheus exposition of what the database holds, in a bounded number of
queries, or 503 while the database is down."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import redis.exceptions
from django.db.utils import OperationalError
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org
from ledgersync.sync import metrics
from ledgersync.sync.models import (
    Attempt,
    AttemptState,
    Connection,
    ConnectionStatus,
    DocumentState,
    RunState,
    SyncRun,
)
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-metrics-token-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client, token: str = TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def samples(response) -> dict[tuple[str, frozenset], float]:
    """Every sample of the exposition, keyed by name and labels."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def labels(**kwargs) -> frozenset:
    return frozenset(kwargs.items())


@pytest.fixture
def synced_world():
    """Three sales invoices (one synced, one not linked, one never checked), a finished run
    of 90 seconds with 7 API calls, and its two pushes (one succeeded, one rate-limited)."""
    organisation = make_org()
    connection = Connection.objects.create(
        organisation=organisation,
        provider="quickbooks",
        company_id="9130",
        status=ConnectionStatus.CONNECTED,
    )
    synced, unlinked, unchecked = (create_document(organisation, invoice_data()) for _ in "abc")
    DocumentState.objects.filter(document=unchecked).delete()
    for document, code in ((synced, StatusCode.SYNCED), (unlinked, StatusCode.ACCOUNT_NOT_LINKED)):
        DocumentState.objects.update_or_create(
            document=document, defaults={"status_code": code, "provider": "quickbooks"}
        )
    start = timezone.now() - dt.timedelta(minutes=5)
    run = SyncRun.objects.create(
        organisation=organisation,
        connection=connection,
        doc_type="sales_invoice",
        state=RunState.FINISHED,
        started_at=start,
        finished_at=start + dt.timedelta(seconds=90),
        api_calls=7,
        rate_limit_waits=2,
        rate_limit_seconds=12.5,
    )
    for document, state, code in (
        (synced, AttemptState.SUCCEEDED, StatusCode.SYNCED),
        (unlinked, AttemptState.FAILED, StatusCode.RATE_LIMITED),
    ):
        Attempt.objects.create(
            organisation=organisation,
            run=run,
            document=document,
            provider="quickbooks",
            company_id="9130",
            idempotency_key=f"key-{document.pk}",
            state=state,
            status_code=code,
        )
    return organisation


def test_metrics_are_off_while_the_token_is_unset(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404


@pytest.mark.parametrize(
    "header", [None, "", "Bearer wrong-token-0123456789", f"Basic {TOKEN}", TOKEN, "Bearer"]
)
def test_a_missing_or_wrong_token_answers_401_saying_what_to_send(client, token, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "text/plain"
    assert response.content == (
        b"Send the token as the header: Authorization: Bearer <LEDGERSYNC_METRICS_TOKEN>\n"
    )
    assert response["WWW-Authenticate"] == 'Bearer realm="ledgersync metrics"'


def test_the_exposition_counts_what_the_database_holds(client, token, synced_world):
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found = samples(response)
    documents = "ledgersync_documents"
    invoice = {"doc_type": "sales_invoice"}
    assert found[(documents, labels(provider="quickbooks", status_code="SYNCED", **invoice))] == 1
    unlinked = labels(provider="quickbooks", status_code="ACCOUNT_NOT_LINKED", **invoice)
    assert found[(documents, unlinked)] == 1
    assert found[(documents, labels(provider="none", status_code="NOT_CHECKED", **invoice))] == 1
    attempts = "ledgersync_push_attempts_total"
    ok = labels(provider="quickbooks", state="succeeded", status_code="SYNCED")
    waited = labels(provider="quickbooks", state="failed", status_code="RATE_LIMITED")
    assert (found[(attempts, ok)], found[(attempts, waited)]) == (1, 1)
    assert found[("ledgersync_api_calls_total", labels(provider="quickbooks"))] == 7
    assert found[("ledgersync_rate_limit_waits_total", labels(provider="quickbooks"))] == 2
    assert (
        found[("ledgersync_rate_limit_wait_seconds_total", labels(provider="quickbooks"))] == 12.5
    )
    assert found[("ledgersync_sync_runs", labels(provider="quickbooks", state="finished"))] == 1
    duration = "ledgersync_sync_run_duration_seconds"
    assert found[(f"{duration}_count", labels(provider="quickbooks"))] == 1
    assert found[(f"{duration}_sum", labels(provider="quickbooks"))] == 90
    assert found[(f"{duration}_bucket", labels(provider="quickbooks", le="60.0"))] == 0
    assert found[(f"{duration}_bucket", labels(provider="quickbooks", le="300.0"))] == 1
    assert found[(f"{duration}_bucket", labels(provider="quickbooks", le="+Inf"))] == 1
    connected = labels(provider="quickbooks", status=ConnectionStatus.CONNECTED)
    assert found[("ledgersync_connections", connected)] == 1
    assert found[("ledgersync_queue_up", labels())] == 1
    assert ("ledgersync_queue_pending_tasks", labels()) in found


def test_every_metric_has_help_text_and_the_ledgersync_prefix(client, token, synced_world):
    families = list(text_string_to_metric_families(scrape(client).content.decode()))
    assert families
    for family in families:
        assert family.name.startswith("ledgersync_")
        assert family.documentation


def test_a_scrape_makes_a_bounded_number_of_queries(
    client, token, synced_world, django_assert_max_num_queries
):
    for _ in range(20):
        create_document(synced_world, invoice_data())
    with django_assert_max_num_queries(6):
        assert scrape(client).status_code == 200


def test_an_unreachable_queue_is_a_gauge_not_an_error(client, token, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def refuse():
        raise redis.exceptions.ConnectionError("refused")

    monkeypatch.setattr(HUEY, "pending_count", refuse)
    response = scrape(client)
    assert response.status_code == 200
    found = samples(response)
    assert found[("ledgersync_queue_up", labels())] == 0
    assert ("ledgersync_queue_pending_tasks", labels()) not in found


def test_with_the_database_down_metrics_answers_503(client, token, monkeypatch):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(metrics, "_documents", down)
    response = scrape(client)
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.content
    assert b"Traceback" not in response.content


def settings_error(**env: str) -> str:
    """What importing the settings under ``env`` prints on stderr ("" when it starts)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERSYNC_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="ledgersync.settings")
    probe = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", probe], env=clean, capture_output=True, text=True, timeout=60
    )
    return result.stderr


@pytest.mark.parametrize("value", ["short", "has a space in the middle of it"])
def test_a_weak_metrics_token_stops_start_up_naming_the_variable(value):
    error = settings_error(LEDGERSYNC_METRICS_TOKEN=value)
    assert "ConfigError: LEDGERSYNC_METRICS_TOKEN must be at least 16 characters" in error


def test_a_long_metrics_token_starts():
    assert settings_error(LEDGERSYNC_METRICS_TOKEN=TOKEN) == ""
