"""The Advice tab says what the advisor tried when it has nothing to suggest (real PG + HypoPG)."""

from __future__ import annotations

import psycopg
import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static
from uitools import make_app, settle

from dbtui.ui.widgets.advice.view import AdviceView
from dbtui.ui.widgets.editor.query_editor import QueryEditor


@pytest.fixture
def orders_url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL);"
            "INSERT INTO orders SELECT g, g % 5000 FROM generate_series(1, 100000) g;"
            "ANALYZE orders"
        )
    return postgres_db_url


async def test_nothing_to_suggest_says_what_was_tried(orders_url: str) -> None:
    app = make_app(orders_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT * FROM orders WHERE id = 5"
        editor.focus()
        await pilot.press("f9")
        await settle(app)
        view = app.screen.query_one(AdviceView)
        assert view.items == []
        assert any("orders_pkey" in line for line in view.tried)
        summary = str(app.screen.query_one("#advice-summary", Static).render())
        assert "What was tried" in summary
        table = app.screen.query_one("#advice-table", DataTable)
        assert table.row_count == len(view.tried)
        shown = " ".join(
            str(table.get_cell_at(Coordinate(row, 1))) for row in range(table.row_count)
        )
        assert "already served by the existing index orders_pkey" in " ".join(shown.split())
        editor.text = "SELECT * FROM orders WHERE customer_id = 42"
        editor.focus()
        await pilot.press("f9")  # a statement that gets a suggestion: the tried lines go
        await settle(app)
        assert view.items
        assert view.tried == ()
