from __future__ import annotations

import os

import pytest
from huey import RedisHuey


@pytest.mark.redis
def test_a_task_round_trips_through_redis():
    url = os.environ.get("LEDGERSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    huey = RedisHuey("ledgersync-test", url=url)
    huey.flush()

    @huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert huey.pending_count() == 1
    task = huey.dequeue()
    huey.execute(task)
    assert result.get() == 5
    assert huey.pending_count() == 0
