"""The Advice tab on a real PostgreSQL with hypopg: advise, open the evidence, create, compare."""

from __future__ import annotations

import psycopg
from textual.widgets import DataTable, TabbedContent
from uitools import settle

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.advice_detail import AdviceDetailScreen, PlanCompareScreen
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.widgets.advice.view import AdviceView
from dbtui.ui.widgets.editor.query_editor import QueryEditor


async def test_advise_then_create_the_index_and_compare(postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE orders AS SELECT g AS id, g % 5000 AS customer_id, md5(g::text) AS note "
            "FROM generate_series(1, 200000) g"
        )
        conn.execute("ANALYZE orders")
    spec = spec_from_url(postgres_db_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT * FROM orders WHERE customer_id = 42"
        editor.focus()
        await pilot.press("f9")
        await settle(app)
        assert app.screen.query_one(TabbedContent).active == "tab-advice"
        view = app.screen.query_one(AdviceView)
        assert view.items, "a selective filter on an unindexed column gets a suggestion"
        first = view.items[0]
        assert isinstance(first, Suggestion)
        assert first.confidence is Confidence.VERIFIED
        assert "customer_id" in first.ddl
        table = app.screen.query_one("#advice-table", DataTable)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        assert isinstance(app.screen, AdviceDetailScreen)
        await pilot.press("escape")
        await pilot.press("y")
        assert app.clipboard == first.ddl
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await settle(app)
        assert isinstance(app.screen, PlanCompareScreen)
        assert any("customer_id" in node.label or node.index for node in app.screen.after.nodes())
    with psycopg.connect(postgres_db_url) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'"
        ).fetchone()
    assert count is not None
    assert count[0] == 1, "the suggested index really exists now"
