"""The key tree is built by the scan worker, off the UI thread (issue #19), against the harness's Redis."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import redis as redis_py
from textual.app import App
from uitools import until

import dbtui.ui
from dbtui.drivers.redis import RedisDriver
from dbtui.ui.key_browser import RedisBrowserScreen
from dbtui.ui.key_browser.tree_model import ScanModels

pytestmark = pytest.mark.redis


class BrowserApp(App[None]):
    """A bare app that opens the browser."""

    CSS_PATH = Path(dbtui.ui.__file__).parent / "app.tcss"

    def __init__(self, driver: RedisDriver) -> None:
        super().__init__()
        self.browser = RedisBrowserScreen(driver, "test", None)

    def on_mount(self) -> None:
        self.push_screen(self.browser)


def _load(client: redis_py.Redis, count: int) -> None:
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"w:{i % 4}:{i}", i)
        if len(pipe) >= 5000:
            pipe.execute()
    pipe.execute()


async def test_the_scan_feeds_the_tree_outside_the_ui_thread(
    driver: RedisDriver, client: redis_py.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(client, 40_000)
    feeders: set[str] = set()
    original = ScanModels.feed

    def feed(self: ScanModels, keys: list[bytes]) -> None:
        feeders.add(threading.current_thread().name)
        original(self, keys)

    monkeypatch.setattr(ScanModels, "feed", feed)
    app = BrowserApp(driver)
    async with app.run_test(size=(80, 24)) as pilot:
        key_list = app.browser.key_list
        await until(pilot, lambda: key_list.scan_finished and not key_list.scanning, "the scan")
        await pilot.pause(0.3)
        assert feeders
        assert threading.main_thread().name not in feeders
        model = key_list.tree_model
        assert model.root.count == 40_000
        assert {name: f.count for name, f in model.root.children[b"w"].children.items()} == {
            str(d).encode(): 10_000 for d in range(4)
        }
        assert key_list.flat_model.root.count == 40_000
        assert str(key_list.root.children[0].label).startswith("w 40k")
        await pilot.press("f")  # the flat list was filled by the worker too
        await pilot.pause(0.3)
        assert key_list.flat
        assert len(key_list.root.children) > 10
