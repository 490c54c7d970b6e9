"""An unreachable database or queue answers 503 with Retry-After, never a 500 or traceback."""

from __future__ import annotations

import json
import logging

import redis.exceptions
from django.db.utils import OperationalError
from django.test import RequestFactory

from ledgersync.outage import Throttle
from ledgersync.web.outage import OutageMiddleware


def answer(path: str, exc: BaseException):
    middleware = OutageMiddleware(lambda request: None)
    return middleware.process_exception(RequestFactory().get(path), exc)


def test_the_ui_shows_a_temporarily_unavailable_page():
    response = answer("/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"temporarily unavailable" in response.content
    assert b"database" in response.content
    assert b"Traceback" not in response.content


def test_the_api_answers_its_json_error_shape_for_the_queue():
    response = answer("/api/v1/runs", redis.exceptions.ConnectionError("refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    error = json.loads(response.content)["error"]
    assert error["code"] == "temporarily_unavailable"
    assert "queue" in error["message"]
    assert set(error) == {"code", "message", "field", "details"}


def test_other_errors_are_left_alone():
    assert answer("/", ValueError("a bug")) is None


def test_the_throttle_logs_one_line_per_kind_per_interval(caplog):
    throttle = Throttle(interval=60)
    logger = logging.getLogger("ledgersync.test.outage")
    with caplog.at_level(logging.WARNING, logger="ledgersync.test.outage"):
        for _ in range(500):
            throttle.warn(logger, "database", "database unreachable")
            throttle.warn(logger, "queue", "queue unreachable")
    assert [r.getMessage() for r in caplog.records] == ["database unreachable", "queue unreachable"]
