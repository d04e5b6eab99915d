"""Writes that affect more than the user thinks wait for a deliberate yes (real servers, Pilot).

F5 on ``DELETE ... WHERE 1 = 1`` runs it in a transaction and asks with the real row count;
Esc rolls it back. MongoDB counts what ``deleteMany`` matches before sending anything. A
document edit whose document another client changed meanwhile is refused, its text kept.
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
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static
from uitools import current_screen, make_app, settle

from dbtui.core.config import Config, UiConfig
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.document_editor import DocumentEditorScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor

Client = pymongo.MongoClient[dict[str, Any]]


async def run(app: DbtuiApp, pilot: Pilot[int], text: str) -> None:
    """Put ``text`` in the editor and press F5."""
    editor = app.screen.query_one(QueryEditor)
    editor.text = text
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)


def dialog_text(app: DbtuiApp) -> str:
    """The question and detail of the confirmation on screen."""
    screen = current_screen(app)
    assert isinstance(screen, ConfirmScreen), f"no confirmation, but {screen!r}"
    return "\n".join(str(static.render()) for static in screen.query(Static))


def pg_rows(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM t").fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture
def pg_table(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id serial PRIMARY KEY, a int)")
        conn.execute("INSERT INTO t (a) SELECT g FROM generate_series(1, 12345) g")
    return postgres_db_url


async def test_delete_where_1_eq_1_shows_the_count_and_esc_keeps_every_row(
    pg_table: str,
) -> None:
    app = make_app(pg_table)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run(app, pilot, "DELETE FROM t WHERE 1 = 1")
        text = dialog_text(app)
        assert "DELETE would remove 12,345 rows from t. Commit?" in text
        assert pg_rows(pg_table) == 12345  # held, not committed
        await pilot.press("y")  # a letter never answers yes
        await pilot.press("escape")
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
        assert pg_rows(pg_table) == 12345
        main = app.screen
        assert isinstance(main, MainScreen)
        assert not main.session.busy
        assert main.session.driver is not None
        assert main.session.driver.transaction_status == "idle"


async def test_small_write_commits_at_once_and_threshold_comes_from_config(
    pg_table: str,
) -> None:
    config = Config(path=Path("unused.toml"), ui=UiConfig(confirm_rows_over=20_000))
    app = make_app(pg_table, config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run(app, pilot, "DELETE FROM t WHERE id > 12340")
        assert isinstance(current_screen(app), MainScreen)  # 5 rows: no question
        assert pg_rows(pg_table) == 12340
        await run(app, pilot, "DELETE FROM t WHERE id > 0")  # under 20,000: committed
        assert isinstance(current_screen(app), MainScreen)
        assert pg_rows(pg_table) == 0


async def test_sqlite_tab_enter_commits_and_the_script_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(500)])
    conn.execute("CREATE TABLE log (x TEXT)")
    conn.commit()
    conn.close()
    app = make_app(f"sqlite://{path}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "UPDATE t SET a = a + 1 WHERE a >= 0;\nINSERT INTO log VALUES ('after');"
        editor.focus()
        await pilot.press("shift+f5")
        await settle(app)
        assert "UPDATE would change 500 rows of t. Commit?" in dialog_text(app)
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT min(a) FROM t").fetchone() == (1,)
        assert check.execute("SELECT x FROM log").fetchall() == [("after",)]
    finally:
        check.close()


async def test_quitting_while_a_write_waits_rolls_it_back(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(300)])
    conn.commit()
    conn.close()
    app = make_app(f"sqlite://{path}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run(app, pilot, "DELETE FROM t WHERE true")
        assert "DELETE would remove 300 rows from t" in dialog_text(app)
        await pilot.press("ctrl+q")  # the open transaction is named: asks before quitting
        await settle(app)
        assert "Roll back the open transaction" in dialog_text(app)
        await pilot.press("tab", "enter")
        await settle(app)
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT count(*) FROM t").fetchone() == (300,)
    finally:
        check.close()


@pytest.fixture
def mongo_db(mongo_url: str) -> Iterator[tuple[str, Client]]:
    name = f"held_{uuid.uuid4().hex[:8]}"
    client: Client = pymongo.MongoClient(mongo_url)
    try:
        yield name, client
    finally:
        client.drop_database(name)
        client.close()


async def test_mongo_delete_many_match_all_asks_with_the_count(
    mongo_url: str, mongo_db: tuple[str, Client]
) -> None:
    name, client = mongo_db
    client[name].c.insert_many([{"name": f"n{i}"} for i in range(250)])
    app = make_app(f"{mongo_url.rstrip('/')}/{name}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run(app, pilot, 'db.c.deleteMany({name: {$ne: "zzz"}})')
        text = dialog_text(app)
        assert f"deleteMany would delete more than 100 documents from {name}.c" in text
        await pilot.press("escape")
        await settle(app)
        assert client[name].c.count_documents({}) == 250
        await run(app, pilot, 'db.c.deleteMany({name: {$ne: "zzz"}})')
        await pilot.press("tab", "enter")
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
        assert client[name].c.count_documents({}) == 0


async def test_mongo_delete_many_empty_filter_needs_the_collection_name_typed(
    mongo_url: str, mongo_db: tuple[str, Client]
) -> None:
    name, client = mongo_db
    client[name].c.insert_many([{"n": i} for i in range(3)])
    app = make_app(f"{mongo_url.rstrip('/')}/{name}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run(app, pilot, "db.c.deleteMany({})")
        assert f"deleteMany would delete 3 documents from {name}.c" in dialog_text(app)
        dialog = current_screen(app)
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.query_one("#yes", Button).disabled  # until "c" is typed
        dialog.query_one("#typed", Input).focus()
        await pilot.press("c", "tab", "enter")
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
        assert client[name].c.count_documents({}) == 0


async def test_concurrent_document_edit_is_detected_and_the_text_kept(
    mongo_url: str, mongo_db: tuple[str, Client]
) -> None:
    name, client = mongo_db
    client[name].people.insert_one({"_id": 1, "name": "Ada", "city": "Oslo"})
    app = make_app(f"{mongo_url.rstrip('/')}/{name}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run(app, pilot, "db.people.find({})")
        table = app.screen.query_one("#results-table")
        table.focus()
        await pilot.press("E")
        await settle(app)
        editing = current_screen(app)
        assert isinstance(editing, DocumentEditorScreen)
        screen: DocumentEditorScreen = editing
        edited = screen.editor.text.replace('"Oslo"', '"Bergen"')
        screen.editor.text = edited
        other: Client = pymongo.MongoClient(mongo_url)  # another client, meanwhile
        try:
            other[name].people.update_one({"_id": 1}, {"$set": {"name": "Ada L."}})
        finally:
            other.close()
        await pilot.press("ctrl+s")
        await settle(app)
        assert current_screen(app) is screen  # still open
        assert screen.editor.text == edited  # nothing the user typed is lost
        assert screen.last_error is not None
        assert "changed since you opened it" in screen.last_error.message
        status = str(screen.query_one("#document-status", Static).render())
        assert "changed since you opened it" in status
    assert client[name].people.find_one({"_id": 1}) == {
        "_id": 1,
        "name": "Ada L.",
        "city": "Oslo",
    }
