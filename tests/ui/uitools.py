"""Helpers shared by the UI tests (importable because pytest puts this folder on sys.path)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver

ReturnT = TypeVar("ReturnT")


async def settle(app: App[ReturnT], quiet_ticks: int = 3, limit: int = 400) -> None:
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


def current_screen(app: App[ReturnT]) -> Screen[object]:
    """``app.screen``, read through a call.

    mypy keeps ``app.screen`` narrowed by an earlier ``isinstance`` or ``is`` assert even after
    a key press moved the app to another screen; a call's result is never narrowed.
    """
    return app.screen


def focused_widget(app: App[ReturnT]) -> Widget | None:
    """``app.focused``, read through a call (see :func:`current_screen`)."""
    return app.focused


def connected_redis(url: str, read_only: bool = False) -> Iterator[RedisDriver]:
    """A connected Redis driver for ``url``, closed when the generator finishes."""
    driver = RedisDriver(spec_from_url(url, read_only=read_only))
    driver.connect()
    yield driver
    driver.close()
