"""At 40x12 every pane stays on screen, and F8 zooms each one to the whole screen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.geometry import Region
from textual.widget import Widget
from uitools import settle, until

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.results.view import ResultsView

SIZE = (40, 12)


def visible(widget: Widget, screen: Region) -> Region:
    """The part of ``widget`` on screen (empty when it is hidden or pushed off)."""
    return widget.region.intersection(screen) if widget.display else Region()


async def test_every_pane_is_visible_and_zoomable_at_40x12(tmp_path: Path) -> None:
    path = tmp_path / "small.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE fruit (name TEXT)")
        conn.executemany("INSERT INTO fruit VALUES (?)", [("apple",), ("pear",), ("fig",)])
    spec = spec_from_url(f"sqlite://{path}")
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        whole = Region(0, 0, *SIZE)
        editor = screen.editor()
        editor.load_text("SELECT name FROM fruit ORDER BY name;")
        editor.focus()
        await pilot.press("f5")
        await until(pilot, lambda: screen.session.result is not None, "the result")
        await settle(app)

        catalog = screen.query_one("#catalog")
        editors = screen.query_one("#editors")
        output = screen.query_one("#output")
        table = screen.query_one(ResultsView).table
        for pane in (catalog, editors, output):
            shown = visible(pane, whole)
            assert shown.height >= 2, f"{pane.id} keeps rows at 40x12: {shown}"
            assert shown.width >= 8, f"{pane.id} keeps columns at 40x12: {shown}"
        assert visible(table, whole).height >= 2, "the results table shows a header and a row"
        assert visible(editor, whole).width >= 20, "the editor keeps room to type"

        for key, pane in (("f4", output), ("f2", catalog), ("f3", editors)):
            await pilot.press(key, "f8")
            assert screen.maximized is pane, f"F8 after {key} zooms {pane.id}"
            zoomed = visible(pane, whole)
            assert zoomed.height >= SIZE[1] - 2, f"{pane.id} fills the screen: {zoomed}"
            assert zoomed.width == SIZE[0]
            await pilot.press("f8")
            assert screen.maximized is None, "F8 again restores the layout"
        assert visible(output, whole).height >= 2


async def test_default_layout_is_unchanged_at_80x24(tmp_path: Path) -> None:
    spec = spec_from_url(f"sqlite://{tmp_path / 'big.db'}?mode=rwc")
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#sidebar").region.width == 28
        assert screen.query_one("#editors").region.height == 9
