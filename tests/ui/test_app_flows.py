"""Main UI flows driven through Textual's Pilot, against real SQLite databases."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, RichLog, TabbedContent
from textual.widgets.tree import TreeNode
from uitools import focused_widget, make_app, settle

from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor


@pytest.fixture
def shop_db(tmp_path: Path) -> Path:
    """A small real database with two tables."""
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                                 total REAL);
            INSERT INTO customers (name) VALUES ('ada'), ('grace'), ('linus');
            """
        )
        conn.executemany("INSERT INTO orders (customer_id, total) VALUES (?, ?)", [(1, 2.5)] * 1200)
    return path


def screen_of(app: DbtuiApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def messages_text(app: DbtuiApp) -> str:
    log = app.screen.query_one("#messages", RichLog)
    return "\n".join(line.text for line in log.lines)


async def run_text(app: DbtuiApp, pilot: Pilot[int], text: str) -> None:
    editor = app.screen.query_one(QueryEditor)
    editor.text = text
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)


async def test_catalog_expands_to_tables_and_columns(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        tree = app.screen.query_one(CatalogTree)
        connection = tree.session_node(0)
        assert connection.is_expanded
        labels = [str(node.label) for node in tree.root.children[0].children]
        assert labels, "the connection node has catalog children once loaded"
        # Expand everything below until the customers table's columns show up.
        found = False
        for _ in range(12):
            for node in list(_walk(connection)):
                if node.allow_expand and not node.is_expanded:
                    node.expand()
            await settle(app)
            if any(
                "name" in str(node.label) and "TEXT" in str(node.label)
                for node in _walk(connection)
            ):
                found = True
                break
        assert found, [str(n.label) for n in _walk(connection)]
        await pilot.press("f1")
        assert app.screen.__class__.__name__ == "HelpScreen"


TreeDataT = TypeVar("TreeDataT")


def _walk(node: TreeNode[TreeDataT]) -> Iterator[TreeNode[TreeDataT]]:
    for child in node.children:
        yield child
        yield from _walk(child)


async def test_run_query_shows_rows_and_pages_more(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_text(app, pilot, "SELECT id, total FROM orders ORDER BY id")
        table = app.screen.query_one("#results-table", DataTable)
        assert app.screen.query_one(TabbedContent).active == "tab-results"
        assert table.row_count == 500  # one page, not the whole result
        assert [str(c.label) for c in table.columns.values()] == ["id", "total"]
        table.focus()
        table.move_cursor(row=table.row_count - 1)
        await settle(app)
        assert table.row_count == 1000


async def test_null_is_distinct_from_the_string_null(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_text(app, pilot, "SELECT NULL AS a, 'NULL' AS b")
        table = app.screen.query_one("#results-table", DataTable)
        first, second = table.get_row_at(0)
        assert str(first) == "NULL"
        assert getattr(first, "style", "") != "", "NULL is styled, unlike the string 'NULL'"
        assert second == "NULL"


async def test_bad_sql_reports_error_and_app_keeps_running(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_text(app, pilot, "SELEC id FROM orders")
        assert app.screen.query_one(TabbedContent).active == "tab-messages"
        assert "syntax error" in messages_text(app)
        assert not screen_of(app).session.busy
        editor = app.screen.query_one(QueryEditor)
        assert editor.text == "SELEC id FROM orders", "the typed text is kept"
        await run_text(app, pilot, "SELECT count(*) FROM customers")
        table = app.screen.query_one("#results-table", DataTable)
        assert table.get_row_at(0) == ["3"]


async def test_cancel_a_long_query(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
            "SELECT count(*) FROM c"
        )
        editor.focus()
        await pilot.press("f5")
        for _ in range(40):
            await asyncio.sleep(0.05)
            if screen_of(app).session.busy:
                break
        assert screen_of(app).session.busy
        await pilot.press("escape")
        await settle(app)
        assert not screen_of(app).session.busy
        assert "Cancelled" in messages_text(app) or "cancel" in messages_text(app).lower()
        await run_text(app, pilot, "SELECT 42")
        assert app.screen.query_one("#results-table", DataTable).get_row_at(0) == ["42"]


async def test_failed_connection_is_listed_with_its_error(shop_db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "missing.db"
    app = make_app(f"sqlite://{shop_db}", f"sqlite://{missing}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        tree = app.screen.query_one(CatalogTree)
        failed = tree.session_node(1)
        assert "✖" in str(failed.label)
        assert screen_of(app).sessions[1].driver is None
        # Create the file, then retry from the tree: the connection comes back.
        missing.parent.mkdir()
        sqlite3.connect(missing).close()
        tree.focus()
        tree.move_cursor(failed)
        await pilot.press("r")
        await settle(app)
        assert screen_of(app).sessions[1].driver is not None
        assert "●" in str(tree.session_node(1).label)


async def test_explain_shows_a_plan_tree_with_a_scan_warning(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT * FROM orders WHERE total > 2 ORDER BY total"
        editor.focus()
        await pilot.press("f6")
        await settle(app)
        assert app.screen.query_one(TabbedContent).active == "tab-plan"
        plan_table = app.screen.query_one("#plan-table", DataTable)
        labels = [str(plan_table.get_row_at(row)[-1]) for row in range(plan_table.row_count)]
        assert any("SCAN orders" in label for label in labels), labels
        plan_table.focus()
        plan_table.move_cursor(
            row=labels.index(next(label for label in labels if "SCAN orders" in label))
        )
        await pilot.press("enter")
        assert app.screen.__class__.__name__ == "NodeDetailScreen"


async def test_quit_with_open_transaction_asks_first(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_text(app, pilot, "BEGIN")
        assert "in transaction" in str(app.screen.query_one("#editor-title").render())
        await pilot.press("ctrl+q")
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert app.is_running
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+q")
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await pilot.pause()
    assert app.return_code == 0


async def test_quit_without_transaction_exits_at_once(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_function_keys_move_focus_between_panes(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await run_text(app, pilot, "SELECT * FROM customers")
        await pilot.press("f2")
        assert isinstance(focused_widget(app), CatalogTree)
        await pilot.press("f4")
        assert focused_widget(app) is app.screen.query_one("#results-table", DataTable)
        await pilot.press("f3")
        assert isinstance(focused_widget(app), QueryEditor)
        for tab in ("tab-plan", "tab-advice", "tab-messages", "tab-details"):
            app.screen.query_one(TabbedContent).active = tab
            await pilot.pause()
            await pilot.press("f4")  # must never crash, whatever the tab holds
        await pilot.press("f8")
        assert app.screen.maximized is not None
        await pilot.press("f8")
        assert app.screen.maximized is None


async def test_enter_on_a_cell_shows_the_whole_value_and_copies_it(shop_db: Path) -> None:
    from dbtui.ui.screens.value_viewer import ValueScreen

    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_text(app, pilot, "SELECT 7 AS id, printf('%.200c', 'x') || 'END' AS long_text")
        table = app.screen.query_one("#results-table", DataTable)
        assert str(table.get_row_at(0)[1]).endswith("…"), "the cell is cut in the table"
        table.focus()
        table.move_cursor(row=0, column=1)
        await pilot.press("enter")
        viewer = app.screen
        assert isinstance(viewer, ValueScreen)
        assert viewer.text == "x" * 200 + "END"
        await pilot.press("y")
        assert app.clipboard == "x" * 200 + "END"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_destructive_statement_asks_first(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_text(app, pilot, "DELETE FROM orders")
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(app)
        with sqlite3.connect(shop_db) as conn:
            assert conn.execute("SELECT count(*) FROM orders").fetchone() == (1200,)
        await run_text(app, pilot, "DROP TABLE orders")
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        # Yes: Tab from the focused No to the box, type the table's name, Tab to Yes, Enter
        await pilot.press("tab", *"orders", "tab", "enter")
        await settle(app)
        with sqlite3.connect(shop_db) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
        assert "orders" not in tables


async def test_error_moves_the_cursor_to_the_position(shop_db: Path) -> None:
    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_text(app, pilot, "SELECT 1;\nSELECT id FROM orders WHERE id = = 3")
        editor = app.screen.query_one(QueryEditor)
        assert editor.text.startswith("SELECT 1;")
        # The cursor was on line 0, so the first statement ran; now run the broken one.
        editor.move_cursor((1, 0))
        await pilot.press("f5")
        await settle(app)
        row, column = editor.cursor_location
        assert row == 1
        assert editor.text.split("\n")[1][column:].startswith("= 3")


async def test_f5_right_after_typing_runs_the_whole_text(shop_db: Path) -> None:
    """Keys arriving in one burst (tmux, paste, fast typists): F5 must see every character."""
    from textual import events

    app = make_app(f"sqlite://{shop_db}")
    async with app.run_test(size=(100, 30)):
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = ""
        editor.focus()
        await settle(app)
        for character in "SELECT 6 * 7":
            key = "space" if character == " " else ("asterisk" if character == "*" else character)
            app.post_message(events.Key(key, character))
        app.post_message(events.Key("f5", None))
        await settle(app)
        assert editor.text == "SELECT 6 * 7"
        assert app.screen.query_one("#results-table", DataTable).get_row_at(0) == ["42"]
