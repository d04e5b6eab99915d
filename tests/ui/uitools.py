"""Helpers shared by the UI tests (importable because pytest puts this folder on sys.path)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver


async def settle(app: App[object], quiet_ticks: int = 3, limit: int = 400) -> None:
    """Wait until no worker runs for a few ticks, so the messages they posted were handled.

    Workers start from messages and post messages when they end, so "no worker
    running right now" is not enough: the app must stay quiet for a few ticks.
    """
    idle = 0
    for _ in range(limit):
        await asyncio.sleep(0.05)
        await app.workers.wait_for_complete()
        idle = 0 if any(worker.is_running for worker in app.workers) else idle + 1
        if idle >= quiet_ticks:
            return


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds (fails after a generous 30 s)."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    pytest.fail(f"timed out waiting for {what}")


def connected_redis(url: str, read_only: bool = False) -> Iterator[RedisDriver]:
    """A connected Redis driver for ``url``, closed when the generator finishes."""
    driver = RedisDriver(spec_from_url(url, read_only=read_only))
    driver.connect()
    yield driver
    driver.close()
