"""Running a script: every statement in order, each step logged, the last result shown."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import DataTable, RichLog, TabbedContent
from uitools import make_app, settle

from dbtui.ui.app import DbtuiApp
from dbtui.ui.widgets.editor.query_editor import QueryEditor

SCRIPT = """CREATE TABLE a (x INTEGER);
-- a comment; with a semicolon
INSERT INTO a VALUES (1), (2);
INSERT INTO a VALUES ('three;');
SELECT x FROM a ORDER BY rowid;
"""


async def log_text(app: DbtuiApp) -> str:
    """The Messages tab's text (a RichLog renders its lines once it is shown)."""
    app.screen.query_one(TabbedContent).active = "tab-messages"
    await settle(app)
    return "\n".join(line.text for line in app.screen.query_one("#messages", RichLog).lines)


def empty_db(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    sqlite3.connect(path).close()
    return path


async def test_run_all_runs_every_statement(tmp_path: Path) -> None:
    app = make_app(empty_db(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = SCRIPT
        editor.focus()
        await pilot.press("shift+f5")
        await settle(app)
        table = app.screen.query_one("#results-table", DataTable)
        assert [table.get_row_at(r)[0] for r in range(table.row_count)] == ["1", "2", "three;"]
        log = await log_text(app)
        assert "CREATE TABLE" in log
        assert "INSERT 2" in log


async def test_selection_of_several_statements_runs_them_all(tmp_path: Path) -> None:
    path = empty_db(tmp_path)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = SCRIPT
        editor.select_all()
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        assert app.screen.query_one("#results-table", DataTable).row_count == 3


async def test_an_error_stops_the_script_at_its_statement(tmp_path: Path) -> None:
    path = empty_db(tmp_path)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "CREATE TABLE b (x);\nINSERT INTO nope VALUES (1);\nCREATE TABLE c (x);"
        editor.focus()
        await pilot.press("shift+f5")
        await settle(app)
        assert "no such table: nope" in await log_text(app)
        assert editor.cursor_location[0] == 1, "the cursor moved to the failing statement"
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
    assert tables == {"b"}, "statements after the error did not run"
