"""Statements that destroy objects run only after the object's name is typed (issue 12, section 4).

F5 on ``DROP TABLE t`` (SQLite, PostgreSQL), ``FLUSHDB`` (Redis) or
``db.c.drop()`` (MongoDB) opens a :class:`ConfirmScreen` whose Yes stays
disabled until the exact name is typed: stray text, Tab and Enter change
nothing on the real server; typing the name, Tab and Enter runs it.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pymongo
import pytest
import redis as redis_py
from textual.pilot import Pilot
from uitools import current_screen, make_app, settle

from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen

SIZE = (100, 30)

#: Ways of answering that must not confirm: stray words, a wrong or partial name, bare Tab+Enter.
WRONG = (
    ["tab", "enter"],
    [*"yes", "tab", "enter"],
    ["tab", *"yes", "tab", "enter"],
    ["tab", *"drop", "tab", "enter"],
    ["shift+tab", *"selectkey", "tab", "enter"],
    ["tab", "enter", "tab", "enter", "tab", "enter"],
)

MongoClient = pymongo.MongoClient[dict[str, object]]


async def ask(
    app: DbtuiApp, pilot: Pilot[Any], text: str, *, script: bool = False
) -> ConfirmScreen:
    """Run ``text`` with F5 (Shift+F5 for a script) and return the question it raised."""
    await settle(app)
    screen = current_screen(app)
    assert isinstance(screen, MainScreen)
    editor = screen.editor()
    editor.text = text
    editor.focus()
    await pilot.press("shift+f5" if script else "f5")
    await settle(app)
    dialog = current_screen(app)
    assert isinstance(dialog, ConfirmScreen), f"no confirmation for {text!r}"
    return dialog


async def answer(app: DbtuiApp, pilot: Pilot[Any], keys: list[str]) -> None:
    """Press ``keys`` in the open dialog, then leave it (Esc) if it is still open."""
    await pilot.press(*keys)
    await settle(app)
    if isinstance(current_screen(app), ConfirmScreen):
        await pilot.press("escape")
        await settle(app)
    assert isinstance(current_screen(app), MainScreen)


async def refuse_wrong_answers(app: DbtuiApp, pilot: Pilot[Any], text: str, typed: str) -> None:
    """Each :data:`WRONG` answer to ``text``'s question (and ``typed`` in the wrong case)."""
    for keys in (*WRONG, ["tab", *typed.swapcase(), "tab", "enter"], ["tab", *typed[:-1], "tab"]):
        dialog = await ask(app, pilot, text)
        assert dialog.typed == typed
        await answer(app, pilot, [*keys, "enter"] if keys[-1] == "tab" else keys)


# ----------------------------------------------------------------- SQLite
def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {str(row[0]) for row in conn.execute("SELECT name FROM sqlite_schema")}


@pytest.fixture
def lite(tmp_path: Path) -> Path:
    path = tmp_path / "typed.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x');"
            "CREATE TABLE u (a INTEGER); CREATE TABLE v (a INTEGER);"
        )
    conn.close()
    return path


async def test_sqlite_drop_table_needs_the_name(lite: Path) -> None:
    app = make_app(f"sqlite://{lite}")
    async with app.run_test(size=SIZE) as pilot:
        await refuse_wrong_answers(app, pilot, "DROP TABLE t", "t")
        assert "t" in sqlite_tables(lite)
        dialog = await ask(app, pilot, "DROP TABLE t")
        assert "DROP TABLE t" in dialog.question
        await answer(app, pilot, ["tab", "t", "tab", "enter"])
        assert "t" not in sqlite_tables(lite)


async def test_sqlite_script_needs_every_name(lite: Path) -> None:
    script = "ALTER TABLE u ADD COLUMN z INTEGER;\nDROP TABLE u;\nDROP TABLE v;\n"
    app = make_app(f"sqlite://{lite}")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await ask(app, pilot, script, script=True)
        assert dialog.typed == "u, v"
        await answer(app, pilot, ["tab", "u", "tab", "enter"])
        assert {"u", "v"} <= sqlite_tables(lite)
        await ask(app, pilot, script, script=True)
        await answer(app, pilot, ["tab", *"u, v", "tab", "enter"])
        assert not {"u", "v"} & sqlite_tables(lite)


async def test_sqlite_delete_without_where_needs_no_name(lite: Path) -> None:
    app = make_app(f"sqlite://{lite}")
    async with app.run_test(size=SIZE):
        await settle(app)
        screen = current_screen(app)
        assert isinstance(screen, MainScreen)
        driver = screen.session.driver
        assert driver is not None
        needed = driver.needs_confirmation("DELETE FROM t")
        assert needed is not None
        assert needed.typed is None, "rows, not an object: Tab to Yes and Enter is enough"
        dropped = driver.needs_confirmation("ALTER TABLE t DROP COLUMN b")
        assert dropped is not None
        assert dropped.typed == "b"


# ----------------------------------------------------------------- PostgreSQL
def pg_has(url: str, name: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()
    return bool(row and row[0])


async def test_postgres_drop_table_needs_the_name(postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (a int); CREATE TABLE keep_me (a int)")
    app = make_app(postgres_db_url)
    async with app.run_test(size=SIZE) as pilot:
        await refuse_wrong_answers(app, pilot, "DROP TABLE t", "t")
        assert pg_has(postgres_db_url, "t")
        truncate = await ask(app, pilot, "TRUNCATE public.keep_me")
        assert truncate.typed == "public.keep_me"
        await answer(app, pilot, ["escape"])
        await ask(app, pilot, "DROP TABLE t")
        await answer(app, pilot, ["tab", "t", "tab", "enter"])
        assert not pg_has(postgres_db_url, "t")
        assert pg_has(postgres_db_url, "keep_me")


# ----------------------------------------------------------------- Redis
async def test_redis_flushdb_needs_flushdb_typed(redis_clean: str) -> None:
    server = redis_py.Redis.from_url(redis_clean)
    server.set("precious", "1")
    server.set("also", "2")
    app = make_app(redis_clean)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await refuse_wrong_answers(app, pilot, "FLUSHDB", "FLUSHDB")
            assert server.dbsize() == 2
            several = await ask(app, pilot, "DEL precious also")
            assert several.typed == "2"
            await answer(app, pilot, ["tab", "enter"])
            assert server.dbsize() == 2
            await ask(app, pilot, "FLUSHDB")
            await answer(app, pilot, ["tab", *"FLUSHDB", "tab", "enter"])
            assert server.dbsize() == 0
    finally:
        server.close()


# ----------------------------------------------------------------- MongoDB
@pytest.fixture
def mongo_db(mongo_url: str) -> Iterator[tuple[str, str, MongoClient]]:
    name = f"typed_{uuid.uuid4().hex[:8]}"
    client: MongoClient = pymongo.MongoClient(mongo_url)
    client[name].c.insert_many([{"n": i} for i in range(3)])
    yield f"{mongo_url.rstrip('/')}/{name}", name, client
    client.drop_database(name)
    client.close()


async def test_mongo_drop_needs_the_collection_name(
    mongo_db: tuple[str, str, MongoClient],
) -> None:
    url, name, client = mongo_db
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await refuse_wrong_answers(app, pilot, "db.c.drop()", "c")
        assert client[name].c.count_documents({}) == 3
        database = await ask(app, pilot, "db.dropDatabase()")
        assert database.typed == name
        await answer(app, pilot, ["tab", "c", "tab", "enter"])
        assert client[name].c.count_documents({}) == 3
        await ask(app, pilot, "db.c.drop()")
        await answer(app, pilot, ["tab", "c", "tab", "enter"])
        assert "c" not in client[name].list_collection_names()
