"""DateTime(...) in a where filter: year, month and day, then optionally the time."""

from __future__ import annotations

from datetime import datetime

import pytest

from ledgersync.sandbox.xero.errors import QueryParseFailed
from ledgersync.sandbox.xero.query import parse_where


def _holds(where: str, when: datetime) -> bool:
    return parse_where(where, lambda record, name: record[name])({"Date": when})


def test_a_date_alone_is_midnight():
    assert _holds("Date == DateTime(2024, 05, 01)", datetime(2024, 5, 1)) is True


def test_the_time_follows_the_date():
    assert _holds("Date == DateTime(2024, 5, 1, 13, 30, 15)", datetime(2024, 5, 1, 13, 30, 15))
    assert _holds(
        "Date == DateTime(2024, 5, 1, 13, 30, 15, 7)", datetime(2024, 5, 1, 13, 30, 15, 7)
    )


@pytest.mark.parametrize("numbers", ["2024, 5", "2024, 5, 1, 1, 1, 1, 1, 1", "2024, 13, 1"])
def test_a_datetime_without_a_valid_day_is_a_parse_failure(numbers):
    with pytest.raises(QueryParseFailed) as caught:
        parse_where(f"Date == DateTime({numbers})", lambda record, name: record[name])
    assert str(caught.value) == "DateTime(...) needs year, month and day"
