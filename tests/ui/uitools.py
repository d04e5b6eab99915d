"""Helpers shared by the UI tests (importable because pytest puts this folder on sys.path)."""

from __future__ import annotations

import asyncio

from textual.app import App


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
