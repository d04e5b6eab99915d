"""The export dialog on PostgreSQL: a CSV file export of a big result goes through COPY."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input
from uitools import settle

from dbtui.core.registry import open_driver
from dbtui.core.results import RowsResult
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.export_dialog import ExportScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.view import ResultsView

pytestmark = pytest.mark.postgres


async def test_a_csv_file_export_of_a_big_postgres_result_uses_copy(
    postgres_db_url: str, tmp_path: Path
) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE big AS SELECT g AS n, g % 2 = 0 AS even, 'w' || g AS word"
            " FROM generate_series(1, 3000) g"
        )
    spec = spec_from_url(postgres_db_url, read_only=True)
    app = DbtuiApp([(spec, open_driver(spec))])
    target = tmp_path / "big.csv"
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT n, even, word FROM big ORDER BY n"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        table = app.screen.query_one("#results-table", DataTable)
        table.focus()
        assert table.row_count == 500
        await pilot.press("e")
        await settle(app)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(app)
        assert not isinstance(app.screen, ExportScreen)
        view = app.screen.query_one(ResultsView)
        result = view.result
        assert isinstance(result, RowsResult)
        assert result.rows.fetched == 500  # the server wrote the file: no row was fetched
        table.move_cursor(row=499)
        await settle(app)
        assert table.row_count == 1000  # paging the shown result goes on
        assert table.get_cell_at(Coordinate(500, 0)) == "501"
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "n,even,word"
    assert lines[1] == "1,false,w1"
    assert lines[-1] == "3000,true,w3000"
    assert len(lines) == 3001
