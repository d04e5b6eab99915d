"""``p`` in the Plan tab: a pasted EXPLAIN output is read (in a worker) and shown as the tree.

On a real PostgreSQL connection (its driver is a ``PlanReading``); an unreadable paste names
the line and keeps the text; SQLite has no such capability, so ``p`` does nothing there.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from rich.console import Console
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent
from uitools import current_screen, make_app, settle

from dbtui.core.capabilities import PlanReading
from dbtui.ui.app import DbtuiApp
from dbtui.ui.safe import SafeTextArea
from dbtui.ui.widgets.plan.paste import PlanPasteScreen
from dbtui.ui.widgets.plan.view import PlanView
from dbtui.ui.workbench import workbench_of

TEXT_PLAN = (
    Path(__file__).parent.parent / "fixtures" / "plans" / "workers-sort-pg15.txt"
).read_text(encoding="utf-8")
GARBAGE = (
    " Limit  (cost=0.00..1.00 rows=1 width=4)\n"
    "   ->  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n"
    "[/] \x1b[31m junk [b]\u202e\n"
    "         Filter: (a = 1)"
)


def rendered(static: Static) -> str:
    console = Console(width=300, record=True)
    console.print(static.content)
    return console.export_text()


async def open_paste(app: DbtuiApp, pilot: Pilot[Any]) -> PlanPasteScreen:
    """Show the Plan tab, press ``p``, return the dialog."""
    await settle(app)
    await pilot.press("alt+l")
    await pilot.press("p")
    await settle(app)
    screen = current_screen(app)
    assert isinstance(screen, PlanPasteScreen), type(screen)
    return screen


async def paste(app: DbtuiApp, pilot: Pilot[Any], text: str) -> PlanPasteScreen:
    """Open the dialog, paste ``text`` as a terminal would, press OK."""
    dialog = await open_paste(app, pilot)
    area = dialog.query_one("#plan-paste-text", SafeTextArea)
    app.post_message(events.Paste(text))  # as a terminal sends it
    await settle(app)
    assert area.text == text
    await pilot.click("#plan-paste-ok")
    await settle(app)
    return dialog


async def test_a_pasted_psql_text_plan_is_shown_as_the_tree(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await paste(app, pilot, TEXT_PLAN)
        assert not isinstance(current_screen(app), PlanPasteScreen), "the dialog closed"
        assert app.screen.query_one(TabbedContent).active == "tab-plan"
        view = app.screen.query_one(PlanView)
        assert view.plan is not None
        assert [row.node.label for row in view.rows] == [
            "Gather Merge",
            "Sort",
            "Parallel Seq Scan on orders",
        ]
        assert view.plan.analysed
        assert "execution" in rendered(app.screen.query_one("#plan-summary", Static))
        # The next ``p`` offers the same text again.
        dialog = await open_paste(app, pilot)
        assert dialog.query_one("#plan-paste-text", SafeTextArea).text == TEXT_PLAN


async def test_an_unreadable_paste_names_the_line_and_keeps_the_text(
    postgres_db_url: str,
) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await paste(app, pilot, GARBAGE)
        assert current_screen(app) is dialog, "the dialog stays open"
        assert dialog.query_one("#plan-paste-text", SafeTextArea).text == GARBAGE
        shown = rendered(dialog.query_one("#plan-paste-error", Static))
        assert "line 3 is not part of a plan" in shown
        assert "\x1b" not in shown, "hostile text is inert"
        assert "\u202e" not in shown
        assert "[/]" in shown, "markup in the paste is shown, not parsed"
        messages = [n.message for n in app._notifications]
        assert any("line 3" in m for m in messages), messages
        # Esc closes without a plan; the text comes back with the next ``p``.
        await pilot.press("escape")
        await settle(app)
        assert not isinstance(current_screen(app), PlanPasteScreen)
        assert app.screen.query_one(PlanView).plan is None
        again = await open_paste(app, pilot)
        assert again.query_one("#plan-paste-text", SafeTextArea).text == GARBAGE


async def test_a_sqlite_session_has_no_paste(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY)")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        driver = workbench_of(app.screen).session.driver
        assert driver is not None
        assert not isinstance(driver, PlanReading)
        await pilot.press("alt+l")
        await pilot.press("p")
        await settle(app)
        assert not isinstance(current_screen(app), PlanPasteScreen)
        view = app.screen.query_one(PlanView)
        assert view.plan is None
        assert not view.check_action("paste_plan", ())
