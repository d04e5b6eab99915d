"""Each way the app used to crash (issue #13), reproduced against real servers: it must keep running.

An app that crashed re-raises the exception when ``run_test`` exits, so a test that reaches its
assertions with the app still running proves the crash is gone; every test also checks the
visible outcome.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets import DataTable, RichLog
from uitools import make_app, settle, until

from dbtui.core.crashlog import error_log_path
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor


def read_language(editor: QueryEditor) -> str | None:
    """``editor.language`` through a call, so mypy does not keep an earlier narrowing."""
    return editor.language


def main_screen(app: DbtuiApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def notifications(app: DbtuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def messages_text(app: DbtuiApp) -> str:
    log = app.screen.query_one("#messages", RichLog)
    return "\n".join(line.text for line in log.lines)


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "small.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a INTEGER)")
    return path


# -- r on a Redis or MongoDB connection ----------------------------------------------------------


async def _reconnect_keeps_running(app: DbtuiApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        screen = main_screen(app)
        old = screen.sessions[0].driver
        tree = screen.query_one(CatalogTree)
        tree.focus()
        tree.move_cursor(tree.session_node(0))
        await pilot.press("r")
        await settle(app)
        assert app.is_running
        assert screen.sessions[0].driver is not None
        assert screen.sessions[0].driver is not old, "a fresh connection replaced the old one"
        assert "Connected to" in notifications(app)
        assert screen.editor().language is None  # no grammar for these: plain text


async def test_reconnect_redis_does_not_crash(redis_clean: str) -> None:
    await _reconnect_keeps_running(make_app(redis_clean))


async def test_reconnect_mongo_does_not_crash(mongo_url: str) -> None:
    await _reconnect_keeps_running(make_app(f"{mongo_url.rstrip('/')}/crashes"))


async def test_editor_language_filter_cannot_be_bypassed(small_db: Path) -> None:
    app = make_app(f"sqlite://{small_db}")
    async with app.run_test(size=(100, 30)):
        editor = main_screen(app).editor()
        assert editor.language == "sql"
        for wanted, shown in (("redis", None), ("text", None), ("sql", "sql")):
            editor.language = wanted
            assert read_language(editor) == shown


# -- F5 / F6 before the editor exists -------------------------------------------------------------


@pytest.mark.parametrize("action", ["run", "explain", "run_all", "advise", "focus_editor"])
async def test_keys_before_the_editor_exists_wait_for_it(small_db: Path, action: str) -> None:
    """A key typed ahead reaches a main screen that has not composed its editor yet."""
    app = make_app(f"sqlite://{small_db}")
    async with app.run_test(size=(100, 30)):
        await settle(app)
        sessions = main_screen(app).sessions
        fresh = MainScreen(sessions)
        app.push_screen(fresh)
        # The screen is pushed but not composed: exactly the state of the first seconds.
        await app.run_action(action, fresh)
        await settle(app)
        assert app.is_running
        assert fresh.query(QueryEditor)


async def test_f5_before_the_editor_exists_runs_once_it_does(small_db: Path) -> None:
    app = make_app(f"sqlite://{small_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        sessions = main_screen(app).sessions
        fresh = MainScreen(sessions)
        app.push_screen(fresh)
        await app.run_action("run", fresh)
        await until(pilot, lambda: bool(fresh.query(QueryEditor)), "the editor")
        await settle(app)
        # The queued F5 ran once the editor existed, on the text it starts with.
        assert fresh.query_one("#results-table", DataTable).row_count >= 1
        fresh.editor().text = "SELECT 7 AS seven"
        await pilot.press("f5")
        await settle(app)
        assert fresh.query_one("#results-table", DataTable).get_row_at(0) == ["7"]


# -- a SQLite statement of more than 10,000 tokens -----------------------------------------------


async def test_huge_sqlite_insert_runs(small_db: Path) -> None:
    app = make_app(f"sqlite://{small_db}?mode=rw")
    statement = "INSERT INTO t VALUES " + ",".join(f"({n})" for n in range(1, 3001)) + ";"
    assert len(statement) > 19_000
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = main_screen(app).editor()
        editor.text = statement
        editor.move_cursor((0, 5))
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        assert app.is_running
        assert "Unexpected" not in notifications(app)
    with sqlite3.connect(small_db) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (3000,)


async def test_huge_sqlite_select_explains(small_db: Path) -> None:
    app = make_app(f"sqlite://{small_db}")
    statement = "SELECT * FROM t WHERE a IN (" + ",".join(str(n) for n in range(6000)) + ")"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = main_screen(app).editor()
        editor.text = statement
        editor.focus()
        await pilot.press("f6")
        await settle(app)
        assert app.is_running
        assert "Maximum number of tokens" not in notifications(app)
        assert "Unexpected" not in notifications(app)


# -- F9 on a table with quotes and capitals in its name ------------------------------------------


async def test_advise_on_a_quoted_mixed_case_table(tmp_path: Path) -> None:
    path = tmp_path / "quoted.db"
    with sqlite3.connect(path) as conn:
        conn.execute("""CREATE TABLE "We""ird' T" (a INTEGER, b TEXT)""")
        conn.executemany(
            """INSERT INTO "We""ird' T" VALUES (?, ?)""", [(n, str(n)) for n in range(3000)]
        )
    app = make_app(f"sqlite://{path}")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        editor = main_screen(app).editor()
        editor.text = """SELECT * FROM "We""ird' T" WHERE a = 5"""
        editor.focus()
        await pilot.press("f9")
        await settle(app)
        assert app.is_running
        assert "Unexpected" not in notifications(app)
        table = main_screen(app).query_one("#advice").query_one(DataTable)
        assert table.row_count >= 1, "the verified index on column a is suggested"


# -- an unexpected error in a worker or a handler --------------------------------------------------


def _explode() -> None:
    raise RuntimeError("boom in a worker")


@pytest.mark.writes_error_log
async def test_unexpected_worker_error_is_shown_and_logged(small_db: Path) -> None:
    app = make_app(f"sqlite://{small_db}")
    async with app.run_test(size=(100, 30)):
        await settle(app)
        screen = main_screen(app)
        screen.editor().text = "SELECT 1 -- kept"
        screen.start(_explode, "query-0", "a job that fails")
        await settle(app)
        assert app.is_running
        shown = notifications(app)
        log = error_log_path()
        assert "a job that fails" in shown
        assert "Nothing you typed was lost" in shown
        assert str(log) in shown
        assert "RuntimeError: boom in a worker" in log.read_text(encoding="utf-8")
        assert "Traceback" in log.read_text(encoding="utf-8")
        assert screen.editor().text == "SELECT 1 -- kept"


@pytest.mark.writes_error_log
async def test_unexpected_handler_error_is_shown_and_logged(small_db: Path) -> None:
    app = make_app(f"sqlite://{small_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        screen = main_screen(app)
        screen.call_later(_explode)
        await settle(app)
        assert app.is_running
        assert "RuntimeError" in error_log_path().read_text(encoding="utf-8")
        assert str(error_log_path()) in notifications(app)
        # The screen still answers keys after the error.
        screen.editor().text = "SELECT 3"
        screen.editor().focus()
        await pilot.press("f5")
        await settle(app)
        assert screen.query_one("#results-table", DataTable).get_row_at(0) == ["3"]


# -- an unwritable data directory ------------------------------------------------------------------


async def test_unwritable_data_directory_is_announced(
    small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data directory that cannot be written (tests run as root, so a file blocks the path)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    app = make_app(f"sqlite://{small_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = main_screen(app).editor()
        editor.focus()
        await pilot.press("s", "e", "l")
        await pilot.pause(1.5)
        await settle(app)
        assert app.is_running
        shown = notifications(app)
        assert str(blocker / "data" / "dbtui") in shown
        assert "not be saved" in shown
        assert "Unexpected" not in shown


@pytest.mark.writes_error_log
async def test_an_error_while_the_first_screen_composes_is_reported() -> None:
    """A screen that fails to compose (here: no connection at all) is reported and logged."""
    app = DbtuiApp([])
    async with app.run_test(size=(100, 30)):
        assert app.is_running
        shown = notifications(app)
        assert "Unexpected error" in shown
        assert str(error_log_path()) in shown
    assert "IndexError" in error_log_path().read_text(encoding="utf-8")


@pytest.mark.writes_error_log
async def test_an_error_in_a_widget_handler_leaves_the_widget_alive(small_db: Path) -> None:
    """The editor (a Textual TextArea) runs F5's work; an error there must not kill it."""
    app = make_app(f"sqlite://{small_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = main_screen(app).editor()
        editor.text = ""
        editor.focus()
        editor.call_later(_explode)
        await settle(app)
        await pilot.press("o", "k")
        await settle(app)
        assert app.is_running
        assert editor.text == "ok", "the editor still handles keys"
        assert "running a callback" in notifications(app)
