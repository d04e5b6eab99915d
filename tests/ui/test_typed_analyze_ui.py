"""F5 on an ``EXPLAIN ANALYZE`` typed in the editor asks like F7 and never commits (issue #12).

A SELECT of a function that inserts asks first (the function is not known to be
read-only); a Yes runs it inside a transaction that is rolled back, shows the
plan rows, and the table stays empty. A plain ``EXPLAIN ANALYZE SELECT 1`` runs
without a question.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from textual.pilot import Pilot
from uitools import current_screen, settle

from dbtui.core.registry import open_driver
from dbtui.core.results import RowsResult
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor

SIZE = (100, 30)


@pytest.fixture
def pg_url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "create table t (x int); create function f() returns int language plpgsql "
            "volatile as $$ begin insert into t values (42); return 1; end $$"
        )
    return postgres_db_url


def rows_in_t(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("select count(*) from t").fetchone()
        assert row is not None
        return int(row[0])


async def run(app: DbtuiApp, pilot: Pilot[Any], text: str) -> None:
    editor = app.screen.query_one(QueryEditor)
    editor.text = text
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)


def shown_plan(app: DbtuiApp) -> str:
    screen = current_screen(app)
    assert isinstance(screen, MainScreen)
    result = screen.session.result
    assert isinstance(result, RowsResult), f"no rows shown, but {result!r}"
    return result.statement


async def test_f5_on_typed_analyze_asks_and_never_commits(pg_url: str) -> None:
    spec = spec_from_url(pg_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await run(app, pilot, "explain (analyze, buffers) select f()")
        screen = current_screen(app)
        assert isinstance(screen, ConfirmScreen)
        assert "rolled back" in screen.question
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await settle(app)
        assert "select f()" in shown_plan(app)
        await run(app, pilot, "EXPLAIN ANALYZE SELECT 1")
        assert not isinstance(current_screen(app), ConfirmScreen)
        assert shown_plan(app) == "EXPLAIN ANALYZE SELECT 1"
    assert rows_in_t(pg_url) == 0
