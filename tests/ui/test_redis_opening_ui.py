"""A lone Redis connection opens straight into its key browser; several open the main screen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import redis as redis_py
from uitools import current_screen, settle, until

from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.key_browser import RedisBrowserScreen
from dbtui.ui.screens.main import MainScreen

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_db3(redis_clean: str) -> str:
    """The harness Redis on database 3, holding two keys."""
    client = redis_py.Redis.from_url(redis_clean, db=3)
    client.set("user:1", "ada")
    client.set("user:2", "bob")
    client.close()
    return f"{redis_clean}/3"


async def test_a_lone_redis_opens_its_key_browser(redis_db3: str) -> None:
    app = DbtuiApp([(spec_from_url(redis_db3), None)])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(
            pilot, lambda: isinstance(current_screen(app), RedisBrowserScreen), "the browser"
        )
        screen = current_screen(app)
        assert isinstance(screen, RedisBrowserScreen)
        assert screen.keys.db == 3
        # pushed is not yet composed: under load the key list may not be mounted yet
        await until(pilot, lambda: bool(screen.query("#rb-keys")), "the key list")
        key_list = screen.key_list
        await until(pilot, lambda: key_list.scan_finished, "the scan")
        folder = key_list.tree_model.folder(b"user")
        assert folder is not None
        assert folder.count == 2
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(current_screen(app), MainScreen), "main screen")


async def test_redis_and_sqlite_open_the_main_screen(redis_db3: str, tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    specs = [spec_from_url(redis_db3), spec_from_url(f"sqlite://{path}")]
    app = DbtuiApp([(spec, None) for spec in specs])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await until(
            pilot, lambda: all(s.driver is not None for s in screen.sessions), "both connections"
        )
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
