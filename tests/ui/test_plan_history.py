"""The compare key picks any plan of this session's plan history (issue #15)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rich.console import Console
from textual.widgets import DataTable, OptionList, Static
from uitools import make_app, settle

from dbtui.core.plan import Plan, PlanNode
from dbtui.core.plans.format import ratio_words
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.advice_detail import PlanCompareScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.plan.history import PlanHistory, PlanPickScreen, entry_label
from dbtui.ui.widgets.plan.view import PlanView

STATEMENTS = (
    "SELECT 1 AS one",
    "SELECT g FROM generate_series(1, 1000) AS g",
    "SELECT count(*) FROM generate_series(1, 100000) AS g",
)


def shown(app: DbtuiApp) -> str:
    """Every Static of the active screen, as the terminal would show it."""
    console = Console(width=200, record=True)
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def test_compare_with_a_plan_picked_from_the_history(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        for statement in STATEMENTS:
            editor.text = statement
            editor.focus()
            await pilot.press("f6")
            await settle(app)
        view = app.screen.query_one(PlanView)
        assert [e.plan.statement.strip() for e in view.history.entries] == list(STATEMENTS)
        app.screen.query_one("#plan-table", DataTable).focus()
        await pilot.press("c")
        picker = app.screen
        assert isinstance(picker, PlanPickScreen)
        listing = picker.query_one(OptionList)
        assert listing.option_count == 3
        assert "(this plan)" in str(listing.get_option_at_index(0).prompt)
        assert listing.highlighted == 1, "the previous plan is preselected"
        assert "generate_series(1, 1000)" in str(listing.get_option_at_index(1).prompt)
        await pilot.press("down", "enter")  # the oldest: the first statement
        screen = app.screen
        assert isinstance(screen, PlanCompareScreen)
        assert screen.before.statement.strip() == STATEMENTS[0]
        assert screen.after.statement.strip() == STATEMENTS[2]
        text = shown(app)
        assert "#1 SELECT 1 AS one" in text
        assert "#3 SELECT count(*) FROM generate_series(1, 100000) AS g" in text
        assert "this plan" in text
        words = ratio_words(screen.before.root.total_cost, screen.after.root.total_cost, "cost")
        assert words.endswith("more costly"), words
        assert f"({words})" in text
        await pilot.press("escape")
        await pilot.press("c")
        assert isinstance(app.screen, PlanPickScreen)
        await pilot.press("up", "enter")  # the current plan with itself: refused, still picking
        assert isinstance(app.screen, PlanPickScreen)
        # any two: Space marks the oldest, then Enter on the middle one compares those two
        await pilot.press("down", "down", "space", "up", "enter")
        pair = app.screen
        assert isinstance(pair, PlanCompareScreen)
        assert pair.before.statement.strip() == STATEMENTS[0]
        assert pair.after.statement.strip() == STATEMENTS[1]
        assert "this plan" not in shown(app), "neither of the two is the current plan"
        await pilot.press("escape")
        await pilot.press("c")
        assert isinstance(app.screen, PlanPickScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, (PlanPickScreen, PlanCompareScreen))


async def test_one_plan_has_nothing_to_compare_with(tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a INTEGER)")
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT * FROM t WHERE a > 1"
        editor.focus()
        await pilot.press("f6")
        await settle(app)
        assert len(app.screen.query_one(PlanView).history.entries) == 1
        app.screen.query_one("#plan-table", DataTable).focus()
        await pilot.press("c")
        assert not isinstance(app.screen, PlanPickScreen)
        messages = [str(n.message) for n in app._notifications]
        assert any("Nothing to compare with" in m for m in messages), messages


def test_history_keeps_the_last_twenty_and_labels_hostile_statements_inertly() -> None:
    history = PlanHistory()
    for number in range(25):
        history.record(Plan("sqlite", f"SELECT {number}", PlanNode("SCAN", "SCAN t")))
    assert len(history.entries) == 20
    assert history.entries[0].number == 6
    assert history.current is not None
    assert history.current.plan.statement == "SELECT 24"
    assert history.previous is not None
    assert history.previous.plan.statement == "SELECT 23"
    hostile = history.record(
        Plan("sqlite", "\n  SELECT '[/]\x1b[31m[b]x'\nFROM t", PlanNode("S", "S"))
    )
    label = entry_label(hostile, current=True)
    assert "\x1b" not in label.plain
    assert "[/]" in label.plain
    assert "[b]x" in label.plain
    assert "FROM t" not in label.plain, "only the first line"
    assert label.plain.endswith("(this plan)")
