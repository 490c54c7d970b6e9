"""Periodic jobs run once per schedule across workers: the claim in the queue's storage."""

from __future__ import annotations

import os
import time

import pytest
from huey import RedisHuey, SqliteHuey

from ledgersync.sync.periodic import LOCK_SECONDS, claim


@pytest.mark.redis
def test_two_workers_claiming_the_same_minute_on_redis_run_the_job_once():
    url = os.environ.get("LEDGERSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
    # Two Huey instances: what two worker processes each hold.
    first, second = (RedisHuey("ledgersync-periodic-test", url=url) for _ in range(2))
    name = f"job-{time.time()}"
    try:
        assert claim(name, huey=first) is True
        assert claim(name, huey=second) is False
        assert claim(name, huey=first) is False
        ttl = first.storage.conn.ttl(f"ledgersync-periodic:{name}")
        assert 0 < ttl <= LOCK_SECONDS
    finally:
        first.storage.conn.delete(f"ledgersync-periodic:{name}")


def test_the_sqlite_queue_claims_once_per_interval(tmp_path):
    first, second = (
        SqliteHuey("ledgersync-periodic-test", filename=str(tmp_path / "q.db")) for _ in range(2)
    )
    now = time.time()
    assert claim("job", now=now, huey=first) is True
    assert claim("job", now=now + 1, huey=second) is False
    assert claim("job", now=now + LOCK_SECONDS + 1, huey=second) is True
