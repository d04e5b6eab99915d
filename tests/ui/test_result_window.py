"""The results table holds a window of a long result and re-reads pages when scrolled back."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from uitools import settle

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.view import WINDOW_ROWS, ResultsView
from dbtui.ui.widgets.results.window_table import WindowTable

pytestmark = pytest.mark.postgres

SERIES = "select g as n, repeat('x', 50) as pad from generate_series(1, 1000000) g"


def app_for(url: str) -> DbtuiApp:
    spec = spec_from_url(url)
    return DbtuiApp([(spec, open_driver(spec))])


async def run(app: DbtuiApp, pilot: Pilot[int], statement: str) -> WindowTable:
    editor = app.screen.query_one(QueryEditor)
    editor.text = statement
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)
    table = app.screen.query_one(WindowTable)
    table.focus()
    return table


def shown(table: WindowTable) -> tuple[int, int]:
    """(the row number in the label column, the value of ``n``) under the cursor."""
    row = table.cursor_coordinate.row
    label = table.ordered_rows[row].label
    assert label is not None
    value = table.get_cell_at(table.cursor_coordinate._replace(column=0))
    return int(label.plain.replace(",", "")), int(str(value))


def footer(app: DbtuiApp) -> str:
    return str(app.screen.query_one("#results-footer").render())


async def test_scrolling_far_and_back_holds_only_a_window(postgres_db_url: str) -> None:
    app = app_for(postgres_db_url)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await run(app, pilot, SERIES)
        view = app.screen.query_one(ResultsView)
        assert table.row_count == 500
        assert "rows 1-500 of ≥ 500 in memory" in footer(app)
        most = 0
        for _ in range(24):  # the cursor to the last row held: the next page comes in
            table.move_cursor(row=table.row_count - 1)
            await settle(app)
            most = max(most, table.row_count)
            number, value = shown(table)
            assert number == value
        assert most <= WINDOW_ROWS
        assert len(view.items) <= WINDOW_ROWS
        assert view.first_index > 0, "rows dropped off the top of the window"
        assert shown(table)[0] > 10_000
        assert f"rows {view.first_index + 1:,}-" in footer(app)

        for _ in range(3):  # PgUp at the top of the window re-reads the page above
            table.move_cursor(row=0)
            await settle(app)
            number, value = shown(table)
            assert number == value
            assert table.row_count <= WINDOW_ROWS
        await pilot.press("pageup", "up", "up")
        await settle(app)
        number, value = shown(table)
        assert number == value

        await pilot.press("ctrl+home")  # row 1, re-read
        await settle(app)
        assert shown(table) == (1, 1)
        assert view.first_index == 0
        assert table.row_count <= WINDOW_ROWS
        assert "rows 1-" in footer(app)
        await pilot.press("down", "down", "pagedown")
        await settle(app)
        number, value = shown(table)
        assert number == value > 3


async def test_the_end_of_a_result_and_ctrl_end(postgres_db_url: str) -> None:
    app = app_for(postgres_db_url)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await run(app, pilot, "select g from generate_series(1, 2600) g")
        for _ in range(8):
            table.move_cursor(row=table.row_count - 1)
            await settle(app)
        assert shown(table) == (2600, 2600)
        assert "of 2,600 in memory · end of result" in footer(app)
        await pilot.press("ctrl+home")
        await settle(app)
        assert shown(table) == (1, 1)
        await pilot.press("ctrl+end")  # the end is known now: its page is read again
        await settle(app)
        assert shown(table) == (2600, 2600)
        assert table.row_count <= WINDOW_ROWS
