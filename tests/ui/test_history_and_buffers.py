"""Query history (Ctrl+R) and editor text that survives a restart, on real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from textual.widgets import DataTable, OptionList
from uitools import make_app, settle

from dbtui.ui.screens.history_search import HistoryScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor


def database(tmp_path: Path) -> Path:
    path = tmp_path / "h.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users (name) VALUES ('ada')")
    return path


async def test_typed_text_is_restored_on_the_next_start(tmp_path: Path) -> None:
    path = database(tmp_path)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press(*"SELECT 'kept across restarts'")
        await asyncio.sleep(0.8)  # past the save delay
        await settle(app)
        typed = editor.text
    # A new app (as after a lost SSH session) opens with the same text.
    again = make_app(path)
    async with again.run_test(size=(100, 30)):
        await settle(again)
        assert again.screen.query_one(QueryEditor).text == typed
        assert "SELECT 'kept across restarts'" in typed


async def test_history_search_puts_a_statement_back(tmp_path: Path) -> None:
    path = database(tmp_path)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        for statement in ("SELECT name FROM users", "SELECT count(*) FROM users", "SELEC broken"):
            editor.text = statement
            editor.focus()
            await pilot.press("f5")
            await settle(app)
        editor.text = "-- scratch"
        await pilot.press("ctrl+r")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert [e.statement for e in screen.entries][:3] == [
            "SELEC broken",
            "SELECT count(*) FROM users",
            "SELECT name FROM users",
        ]
        assert not screen.entries[0].ok
        await pilot.press(*"cnt usrs")  # fuzzy: letters in order
        await settle(app)
        assert [e.statement for e in screen.entries] == ["SELECT count(*) FROM users"]
        assert screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await settle(app)
        assert not isinstance(app.screen, HistoryScreen)
        assert editor.text == "-- scratch\n\nSELECT count(*) FROM users"


async def test_editor_tabs_switch_close_and_come_back_after_a_restart(tmp_path: Path) -> None:
    path = database(tmp_path)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT 'first tab'"
        await pilot.press("ctrl+t")
        assert editor.text == ""
        assert "[2]" in str(app.screen.query_one("#editor-title").render())
        await pilot.press(*"SELECT 2")
        await pilot.press("ctrl+t")
        editor.text = "SELECT 'third'"
        await pilot.press("ctrl+pageup")
        assert editor.text == "SELECT 2"
        await pilot.press("f5")
        await settle(app)
        assert app.screen.query_one("#results-table", DataTable).get_row_at(0) == ["2"]
        await pilot.press("ctrl+pagedown")
        assert editor.text == "SELECT 'third'"
        await pilot.press("ctrl+f4")  # the tab holds text: asks first
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await settle(app)
        assert editor.text == "SELECT 2", "the neighbour tab is shown after closing"
        await pilot.press("ctrl+q")
        await settle(app)
    again = make_app(path)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again)
        editor = again.screen.query_one(QueryEditor)
        assert editor.text == "SELECT 'first tab'"
        await pilot.press("ctrl+pagedown")
        assert editor.text == "SELECT 2"
        await pilot.press("ctrl+pagedown")
        assert editor.text == "SELECT 'first tab'", "only two tabs came back"
