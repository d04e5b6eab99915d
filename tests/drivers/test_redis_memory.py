"""Redis memory analysis on the real server: biggest keys and namespaces, missing TTLs,
compressible strings, and the memory view opened from the key browser."""

from __future__ import annotations

import asyncio

import redis as redis_py
from textual.app import App

from dbtui.core.advice import HealthKind
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.memory import analyse_memory
from dbtui.ui.key_browser import RedisBrowserScreen
from dbtui.ui.key_browser.memory_screen import MemoryScreen


def load(url: str) -> None:
    raw = redis_py.Redis.from_url(url)
    pipe = raw.pipeline()
    for number in range(2000):
        pipe.set(f"session:{number}", "x" * 40, ex=None if number % 10 == 0 else 3600)
    pipe.set("blob:report", ("quarterly numbers " * 1500).encode())
    pipe.hset("cart:1", mapping={"item": "1"})
    pipe.execute()
    raw.close()


def test_analysis_finds_big_keys_missing_ttls_and_compressible_values(redis_clean: str) -> None:
    load(redis_clean)
    driver = open_driver(spec_from_url(redis_clean))
    assert isinstance(driver, RedisDriver)
    seen: list[int] = []
    try:
        findings = analyse_memory(driver.keyspace(), progress=lambda _, keys: seen.append(keys))
    finally:
        driver.close()
    kinds = {finding.kind for finding in findings}
    assert HealthKind.BIG_KEY in kinds
    biggest = next(f for f in findings if f.kind is HealthKind.BIG_KEY)
    assert biggest.subject == "blob:report"
    namespaces = [f.subject for f in findings if f.kind is HealthKind.BIG_NAMESPACE]
    assert namespaces[0] == "session:*"
    missing = [f for f in findings if f.kind is HealthKind.MISSING_TTL]
    assert missing and "session:*" in missing[0].detail  # noqa: PT018
    assert any(f.kind is HealthKind.COMPRESSIBLE and f.subject == "blob:report" for f in findings)
    assert seen[-1] == 2002, "progress reported every key"


class Host(App[None]):
    def __init__(self, driver: RedisDriver) -> None:
        super().__init__()
        self.driver = driver

    def on_mount(self) -> None:
        self.push_screen(RedisBrowserScreen(self.driver, "test", None))


async def test_memory_view_from_the_browser(redis_clean: str) -> None:
    load(redis_clean)
    driver = open_driver(spec_from_url(redis_clean))
    assert isinstance(driver, RedisDriver)
    app = Host(driver)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await asyncio.sleep(0.3)
            await pilot.press("M")
            screen = app.screen
            assert isinstance(screen, MemoryScreen)
            for _ in range(200):
                await asyncio.sleep(0.05)
                if screen.findings:
                    break
            assert screen.findings[0].subject == "blob:report"
            await pilot.press("escape")
            assert isinstance(app.screen, RedisBrowserScreen)
    finally:
        driver.close()
