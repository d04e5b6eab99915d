"""Fixtures shared by the Redis UI tests: connected drivers and a raw client on the
harness's flushed standalone server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_py
from uitools import connected_redis

from dbtui.drivers.redis import RedisDriver


@pytest.fixture
def driver(redis_clean: str) -> Iterator[RedisDriver]:
    """A connected Redis driver on a flushed server."""
    yield from connected_redis(redis_clean)


@pytest.fixture
def ro_driver(redis_clean: str) -> Iterator[RedisDriver]:
    """The same, read-only."""
    yield from connected_redis(redis_clean, read_only=True)


@pytest.fixture
def client(redis_clean: str) -> Iterator[redis_py.Redis]:
    """A plain redis-py client for setting data up and checking it."""
    c = redis_py.Redis.from_url(redis_clean)
    yield c
    c.close()
