"""``d`` on the catalog describes the object (psql's ``\\d``), Alt+P formats SQL in the editor;
driven through Pilot at 80x24 on real SQLite files and a real PostgreSQL."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest
from rich.console import Console
from textual.app import App
from textual.widgets import Static
from textual.widgets.tree import TreeNode
from uitools import current_screen, make_app, settle, until

from dbtui.core.catalog import CatalogNode
from dbtui.ui.screens.describe import DescribeScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree, NodeData
from dbtui.ui.widgets.editor.query_editor import QueryEditor

HOSTILE = "evil [b]x[/] \x1b[31m"
QUOTED = '"' + HOSTILE + '"'

SQLITE_SCHEMA = f"""
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    total REAL
);
CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders (id));
CREATE TABLE {QUOTED} ({QUOTED} INTEGER);
INSERT INTO customers (email) VALUES ('a@x');
INSERT INTO orders (customer_id, total) VALUES (1, 10), (1, 20);
"""

T = TypeVar("T")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SQLITE_SCHEMA)
    return path


def _walk(node: TreeNode[T]) -> Iterator[TreeNode[T]]:
    for child in node.children:
        yield child
        yield from _walk(child)


def _catalog_node(node: TreeNode[NodeData]) -> CatalogNode | None:
    return node.data.node if node.data is not None else None


async def open_node(app: App[int], label: str, kind: str) -> TreeNode[NodeData]:
    """Expand the catalog until a node of ``kind`` labelled ``label`` shows; put the cursor on it."""
    tree = app.screen.query_one(CatalogTree)
    for _ in range(10):
        for node in list(_walk(tree.root)):
            found = _catalog_node(node)
            if found is not None and found.label == label and found.kind == kind:
                tree.move_cursor(node)
                tree.focus()
                await settle(app)
                return node
            expandable = node.allow_expand and not node.is_expanded
            if expandable and found is not None and found.kind in ("database", "schema", "folder"):
                node.expand()
        await settle(app)
    pytest.fail(f"{kind} {label!r} not found in the catalog")


def screen_text(screen: DescribeScreen) -> str:
    """Everything the describe screen shows, rendered as a terminal would get it (no colour)."""
    console = Console(width=76, file=io.StringIO(), color_system=None)
    out = []
    for widget in screen.query_one("#describe-body").query(Static):
        with console.capture() as capture:
            console.print(widget.content)
        out.append(capture.get())
    return "\n".join(out)


async def test_d_describes_a_sqlite_table_with_keys_both_ways(shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await open_node(app, "orders", "table")
        await pilot.press("d")
        await settle(app)
        screen = current_screen(app)
        assert isinstance(screen, DescribeScreen)
        await until(pilot, lambda: screen.description is not None, "the description")
        description = screen.description
        assert description is not None
        assert description.title == "table orders"
        referenced = description.section("Referenced by")
        assert referenced is not None
        assert referenced.rows == (("refunds", "order_id", "orders(id)", ""),)
        foreign = description.section("Foreign keys")
        assert foreign is not None
        assert foreign.rows == (("customer_id", "customers(id)", ""),)
        assert description.ddl.startswith("CREATE TABLE orders (")
        await pilot.press("y")
        assert app.clipboard == description.ddl
        await pilot.press("escape")
        assert not isinstance(current_screen(app), DescribeScreen)


async def test_hostile_names_are_shown_inert(shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await open_node(app, HOSTILE, "table")
        await pilot.press("d")
        await settle(app)
        screen = current_screen(app)
        assert isinstance(screen, DescribeScreen)
        await until(pilot, lambda: screen.description is not None, "the description")
        shown = screen_text(screen)
        assert "[b]x[/]" in shown  # the brackets are text, not markup
        assert "\x1b" not in shown  # ESC is shown escaped, never sent to the terminal
        await pilot.press("y")
        assert app.clipboard == f"CREATE TABLE {QUOTED} ({QUOTED} INTEGER);\n"


async def test_d_on_a_database_says_there_is_nothing_to_describe(shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await open_node(app, "main", "database")
        await pilot.press("d")
        await settle(app)
        assert not isinstance(current_screen(app), DescribeScreen)
        messages = [str(n.message) for n in app._notifications]
        assert any("Nothing to describe here" in m for m in messages), messages


@pytest.mark.postgres
async def test_d_describes_a_postgres_table(postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE customers (id int PRIMARY KEY);"
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);"
            "CREATE TABLE refunds (id int PRIMARY KEY, order_id int REFERENCES orders);"
        )
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await open_node(app, "orders", "table")
        await pilot.press("d")
        await settle(app)
        screen = current_screen(app)
        assert isinstance(screen, DescribeScreen)
        await until(pilot, lambda: screen.description is not None, "the description")
        shown = screen_text(screen)
        assert "Referenced by (1)" in shown
        assert "refunds_order_id_fkey" in shown
        assert "Foreign keys (1)" in shown
        assert "orders_customer_id_fkey" in shown
        assert "CREATE TABLE public.orders (" in shown


MESSY = "select 1;\nselect a,b -- keep me\nfrom t where a=1;\nselect 3;"


async def test_alt_f_formats_the_statement_under_the_cursor_and_undoes(shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = MESSY
        editor.focus()
        editor.move_cursor((1, 3))
        await pilot.press("alt+p")
        await settle(app)
        assert editor.text == (
            "select 1;\nSELECT a,\n       b -- keep me\nFROM t\nWHERE a=1;\nselect 3;"
        )
        await pilot.press("ctrl+z")
        assert editor.text == MESSY


@pytest.mark.postgres
async def test_alt_f_formats_a_postgres_selection(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "select a,b /* keep */ from t where a=1"
        editor.focus()
        editor.select_all()
        await pilot.press("alt+p")
        await settle(app)
        assert editor.text == "SELECT a\n     , b\nFROM /* keep */ t\nWHERE a = 1"
        await pilot.press("ctrl+z")
        assert editor.text == "select a,b /* keep */ from t where a=1"
        editor.text = "selec oops"
        editor.move_cursor((0, 2))
        await pilot.press("alt+p")
        await settle(app)
        assert editor.text == "selec oops"  # refused, with a notification
        messages = [str(n.message) for n in app._notifications]
        assert any("does not parse" in m for m in messages), messages
