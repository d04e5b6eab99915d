"""Reaching the end of a big result: last row (G / Ctrl+End) and fetch all (F) read in the
background with progress, cancel from any pane, and a memory cap (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from uitools import make_app, settle, until

from dbtui.core.window import read_tail
from dbtui.ui.app import DbtuiApp
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.reading import FETCH_ALL_ROWS
from dbtui.ui.widgets.results.view import WINDOW_ROWS, ResultsView
from dbtui.ui.widgets.results.window_table import WindowTable

SLOW = "select g, md5(repeat(g::text, 300)) from generate_series(1, 3000000) g"
"""Rows the server computes slowly as they are fetched: cancelled long before the end."""
BIG = "create table big as select g as id, 'row ' || g as label from generate_series(1, 200000) g"


async def run(app: DbtuiApp, pilot: Pilot[int], statement: str) -> WindowTable:
    """Run ``statement`` from the editor; the result table, focused."""
    editor = app.screen.query_one(QueryEditor)
    editor.text = statement
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)
    table = app.screen.query_one(WindowTable)
    table.focus()
    return table


def under_cursor(table: WindowTable) -> tuple[int, int]:
    """(the row number in the label column, the id) under the cursor."""
    row = table.cursor_coordinate.row
    label = table.ordered_rows[row].label
    assert label is not None
    value = table.get_cell_at(table.cursor_coordinate._replace(column=0))
    return int(label.plain.replace(",", "")), int(str(value))


def footer(app: DbtuiApp) -> str:
    return str(app.screen.query_one("#results-footer").render())


def test_read_tail_keeps_the_last_rows_and_counts_on() -> None:
    source = list(range(10, 990))
    seen: list[int] = []

    def fetch(size: int) -> list[int]:
        page = source[:size]
        del source[:size]
        return page

    tail = read_tail(
        fetch, 10, list(range(10)), keep=25, page_size=100, stop=lambda: False, progress=seen.append
    )
    assert tail.total == 990 == tail.end
    assert tail.items == list(range(965, 990))
    assert tail.start == 965
    assert seen[0] == 110
    assert seen[-1] == 990
    stopped = read_tail(fetch, 0, [1, 2], keep=5, page_size=3, stop=lambda: True, progress=print)
    assert stopped.total is None
    assert stopped.items == [1, 2]
    assert stopped.start == -2


@pytest.mark.postgres
async def test_last_row_of_200000_rows_shows_its_id_and_the_total(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await run(app, pilot, BIG)
        table = await run(app, pilot, "select id, label from big order by id")
        view = app.screen.query_one(ResultsView)
        assert "of ≥ 500" in footer(app)
        await pilot.press("ctrl+end")
        await until(pilot, lambda: view.reading is None and view.window.total is not None, "end")
        await settle(app)
        assert under_cursor(table) == (200_000, 200_000)
        assert "of 200,000 in memory" in footer(app)
        assert len(view.items) <= WINDOW_ROWS
        assert table.row_count <= WINDOW_ROWS
        await pilot.press("ctrl+home")  # and back to row 1 (re-read)
        await settle(app)
        assert under_cursor(table) == (1, 1)
        await pilot.press("G")  # the end is known now: straight there
        await settle(app)
        assert under_cursor(table) == (200_000, 200_000)


@pytest.mark.postgres
async def test_fetch_all_keeps_the_last_rows_at_the_memory_cap(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await run(app, pilot, BIG)
        table = await run(app, pilot, "select id from big order by id")
        view = app.screen.query_one(ResultsView)
        told: list[str] = []  # every notification, also one whose timeout passed under load
        notify = app.notify

        def recording(message: str, **options: Any) -> None:
            told.append(message)
            notify(message, **options)

        app.notify = recording  # type: ignore[method-assign]
        await pilot.press("F")
        await until(pilot, lambda: view.reading is None and view.window.total is not None, "all")
        await settle(app)
        assert len(view.items) == FETCH_ALL_ROWS == table.row_count
        assert view.first_index == 200_000 - FETCH_ALL_ROWS
        text = footer(app)
        assert "of 200,000 in memory" in text, text
        assert "memory cap" in text, text
        assert any("Memory cap reached" in m for m in told), told
        assert any("rows 1-190,000 were let go" in m for m in told), told
        assert under_cursor(table) == (200_000, 200_000)


@pytest.mark.postgres
async def test_reading_to_the_end_is_cancelled_from_another_pane(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        table = await run(app, pilot, SLOW)
        view = app.screen.query_one(ResultsView)
        await pilot.press("G")
        assert view.reading is not None, (footer(app), [n.message for n in app._notifications])
        await until(pilot, lambda: "rows read · Esc stops" in footer(app), "progress")
        app.screen.query_one(CatalogTree).focus()
        await pilot.press("ctrl+c")
        await until(pilot, lambda: view.reading is None, "the reading to stop")
        await settle(app)
        assert view.window.total is None, "stopped before the end"
        assert "cancelled" in footer(app), footer(app)
        number, value = under_cursor(table)
        assert number == value <= view.window.end < 3_000_000
        assert len(view.items) <= WINDOW_ROWS
        # Esc with nothing running goes to the focused widget again (no cancel binding live)
        assert not app.screen.check_action("cancel", ())
