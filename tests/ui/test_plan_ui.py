"""The Plan tab on a real PostgreSQL plan: EXPLAIN ANALYZE, metric cycling, stats, details."""

from __future__ import annotations

import subprocess
import sys

from rich.console import Console
from rich.text import Text
from textual.widgets import DataTable, Static, TabbedContent
from uitools import settle

from dbtui.core.driver import Driver
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import NodeDetailScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.plan.view import PlanView


def rendered(static: Static) -> str:
    console = Console(width=200, record=True)
    console.print(static.content)
    return console.export_text()


def items_app(url: str) -> tuple[DbtuiApp, Driver]:
    """An app on a database holding ``items`` (60,000 rows, analysed), and its driver."""
    spec = spec_from_url(url)
    driver = open_driver(spec)
    for sql in (
        "CREATE TABLE items AS SELECT g AS id, g % 1000 AS k FROM generate_series(1, 60000) g",
        "ANALYZE items",
    ):
        list(driver.execute(sql))
    return DbtuiApp([(spec, driver)]), driver


async def test_explain_analyze_tree_metrics_stats_and_details(postgres_db_url: str) -> None:
    app, _ = items_app(postgres_db_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT k, count(*) FROM items WHERE k < 10 GROUP BY k ORDER BY k"
        editor.focus()
        await pilot.press("f7")  # a read: no confirmation needed
        await settle(app)
        assert app.screen.query_one(TabbedContent).active == "tab-plan"
        view = app.screen.query_one(PlanView)
        assert view.plan is not None
        assert view.plan.analysed
        assert "execution" in rendered(app.screen.query_one("#plan-summary", Static))
        table = app.screen.query_one("#plan-table", DataTable)
        headers = [str(column.label) for column in table.columns.values()]
        assert headers[0] == "time"
        assert "excl ms" in headers
        table.focus()
        await pilot.press("m")
        assert str(next(iter(table.columns.values())).label) == "rows"
        labels = [str(table.get_row_at(row)[-1]) for row in range(table.row_count)]
        scan_row = next(i for i, label in enumerate(labels) if "Seq Scan on items" in label)
        await pilot.press("s")
        assert view.has_class("-stats")
        assert "items" in rendered(app.screen.query_one("#plan-stats-body", Static))
        await pilot.press("s")
        assert not view.has_class("-stats")
        table.move_cursor(row=scan_row)
        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, NodeDetailScreen)
        text = "\n".join(rendered(static) for static in detail.query(Static))
        assert "Seq Scan on items" in text
        assert "Filter" in text
        assert "(k < 10)" in text
        assert "Rows Removed by Filter" in text
        assert "exclusive time" in text


async def test_compare_with_the_previous_plan(postgres_db_url: str) -> None:
    from dbtui.ui.screens.advice_detail import PlanCompareScreen

    app, driver = items_app(postgres_db_url)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT * FROM items WHERE k = 7"
        editor.focus()
        await pilot.press("f6")
        await settle(app)
        list(driver.execute("CREATE INDEX items_k ON items (k)"))
        await pilot.press("f6")
        await settle(app)
        app.screen.query_one("#plan-table", DataTable).focus()
        await pilot.press("c", "enter")  # the picker preselects the previous plan
        screen = app.screen
        assert isinstance(screen, PlanCompareScreen)
        assert screen.before.root.label != screen.after.root.label or any(
            node.index == "items_k" for node in screen.after.nodes()
        )
        text = "\n".join(rendered(static) for static in screen.query(Static))
        assert "removed" in text
        assert "added" in text
        assert "items_k" in text


async def test_tree_labels_read_as_dbtui_explain_prints_them(postgres_db_url: str) -> None:
    """The node column of the Plan tab and the tree of ``dbtui explain`` are the same text."""
    statement = "SELECT k, count(*) FROM items WHERE k < 10 GROUP BY k ORDER BY k"
    app, _ = items_app(postgres_db_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = statement
        editor.focus()
        await pilot.press("f7")
        await settle(app)
        table = app.screen.query_one("#plan-table", DataTable)
        labels = [table.get_row_at(row)[-1] for row in range(table.row_count)]
    shown = [label.plain for label in labels if isinstance(label, Text)]
    assert len(shown) == len(labels) >= 3
    assert any("⚠ seq-scan-filter" in label for label in shown), shown
    cli = subprocess.run(
        [sys.executable, "-m", "dbtui", "explain", "--analyze", postgres_db_url, statement],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    tree = cli.stdout.splitlines()[1 : 1 + len(shown)]
    for line, label in zip(tree, shown, strict=True):
        assert line.endswith(" " + label), (line, label)


def test_compare_says_48x_slower_not_0x() -> None:
    """The ratio reads right both ways (it printed a 48x slowdown as "(0.0x)")."""
    from dbtui.core.plan import Plan, PlanNode, PlanSummary
    from dbtui.ui.screens.advice_detail import comparison

    def timed(ms: float) -> Plan:
        root = PlanNode("Seq Scan", "Seq Scan on t", relation="t", exclusive_ms=ms)
        return Plan("postgresql", "q", root, PlanSummary(execution_ms=ms), analysed=True)

    for before, after, words in ((2.0, 96.0, "(48x slower)"), (96.0, 2.0, "(48x faster)")):
        console = Console(width=120, record=True)
        console.print(comparison(timed(before), timed(after)))
        shown = console.export_text()
        assert words in shown
        assert "0.0x" not in shown
