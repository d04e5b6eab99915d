"""Read-only connections refuse dangerous commands at once: no "run it anyway?" first (issue #13).

FLUSHALL on Redis, ``drop()`` on MongoDB and ``DROP TABLE`` on SQLite used to ask for confirmation and only
then be refused. In read-only mode they are refused straight away: no
:class:`ConfirmScreen`, a refusal notification, nothing changed on the server.
The same commands on a writable connection still ask (so the test can fail).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest
import redis as redis_py
from textual.pilot import Pilot
from uitools import current_screen, make_app, settle

from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen

SIZE = (100, 30)


def notifications(app: DbtuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def run_in_editor(app: DbtuiApp, pilot: Pilot[Any], text: str) -> None:
    await settle(app)
    screen = current_screen(app)
    assert isinstance(screen, MainScreen)
    editor = screen.editor()
    editor.text = text
    editor.focus()
    await pilot.press("f5")
    await settle(app)


@pytest.fixture
def mongo_db(mongo_url: str) -> Iterator[tuple[str, pymongo.MongoClient[dict[str, object]]]]:
    name = f"ro_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    client[name].people.insert_many([{"name": f"p{i}"} for i in range(3)])
    yield f"{mongo_url.rstrip('/')}/{name}", client
    client.drop_database(name)
    client.close()


async def test_redis_flushall_is_refused_without_asking(redis_clean: str) -> None:
    server = redis_py.Redis.from_url(redis_clean)
    server.set("precious", "1")
    app = make_app(redis_clean, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_editor(app, pilot, "FLUSHALL")
        assert not isinstance(current_screen(app), ConfirmScreen)
        shown = notifications(app)
        assert "FLUSHALL" in shown
        assert "read-only" in shown
        await run_in_editor(app, pilot, "CONFIG SET maxmemory 1")
        assert not isinstance(current_screen(app), ConfirmScreen)
        assert "config|set" in notifications(app)
    assert server.get("precious") == b"1"
    assert server.config_get("maxmemory")["maxmemory"] != "1"


async def test_redis_flushall_still_asks_when_writable(redis_clean: str) -> None:
    server = redis_py.Redis.from_url(redis_clean)
    server.set("precious", "1")
    app = make_app(redis_clean, read_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_editor(app, pilot, "FLUSHALL")
        assert isinstance(current_screen(app), ConfirmScreen)
        await pilot.press("escape")
        await settle(app)
    assert server.get("precious") == b"1"


async def test_mongo_drop_is_refused_without_asking(
    mongo_db: tuple[str, pymongo.MongoClient[dict[str, object]]],
) -> None:
    url, client = mongo_db
    database = url.rsplit("/", 1)[1]
    app = make_app(url, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_editor(app, pilot, "db.people.drop()")
        assert not isinstance(current_screen(app), ConfirmScreen)
        assert "read-only" in notifications(app)
        await run_in_editor(app, pilot, "db.people.deleteMany({})")
        assert not isinstance(current_screen(app), ConfirmScreen)
        await run_in_editor(app, pilot, "db.dropDatabase()")
        assert not isinstance(current_screen(app), ConfirmScreen)
    assert client[database].people.count_documents({}) == 3


async def test_mongo_drop_still_asks_when_writable(
    mongo_db: tuple[str, pymongo.MongoClient[dict[str, object]]],
) -> None:
    url, client = mongo_db
    database = url.rsplit("/", 1)[1]
    app = make_app(url, read_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_editor(app, pilot, "db.people.drop()")
        assert isinstance(current_screen(app), ConfirmScreen)
        await pilot.press("escape")
        await settle(app)
    assert client[database].people.count_documents({}) == 3


def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "ro.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (id INTEGER)")
    conn.execute("INSERT INTO x VALUES (1)")
    conn.commit()
    conn.close()
    return path


def sqlite_tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()


async def test_sqlite_drop_is_refused_without_asking(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path)
    app = make_app(f"sqlite://{path}", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_editor(app, pilot, "DROP TABLE x")
        assert not isinstance(current_screen(app), ConfirmScreen)
        shown = notifications(app)
        assert "DROP TABLE x" in shown
        assert "read-only" in shown
        await run_in_editor(app, pilot, "DELETE FROM x WHERE true")
        assert not isinstance(current_screen(app), ConfirmScreen)
    assert sqlite_tables(path) == ["x"]


async def test_sqlite_drop_still_asks_when_writable(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path)
    app = make_app(f"sqlite://{path}", read_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_in_editor(app, pilot, "DROP TABLE x")
        assert isinstance(current_screen(app), ConfirmScreen)
        await pilot.press("escape")
        await settle(app)
    assert sqlite_tables(path) == ["x"]
