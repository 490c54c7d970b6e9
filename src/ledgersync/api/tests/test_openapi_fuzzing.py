"""Schemathesis against the OpenAPI document, in-process through the WSGI app: whatever
it sends, no 5xx, and every answer matches the document (status, content type, schema)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledgersync.api.keys import create_key
from ledgersync.records.demo_data import seed_demo
from ledgersync.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(db, monkeypatch):
    monkeypatch.setattr("ledgersync.api.auth.REQUESTS_PER_MINUTE", 1_000_000)
    # Calls go straight into the WSGI app, whose request signals would close the test's
    # database connection mid-transaction (Django's own test client unhooks them the same way).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    organisation = seed_demo()
    yield {"Authorization": f"Bearer {create_key(organisation, 'fuzz')[1]}"}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error_or_an_undocumented_answer(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
