"""A PostgreSQL connection dropped mid-session: clear message, reconnect, the editor text kept."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, RichLog
from uitools import settle, until

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor


async def test_lost_connection_reconnects_and_keeps_the_text(
    postgres_server: Any, postgres_db_url: str
) -> None:
    spec = spec_from_url(postgres_db_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        old_driver = screen.sessions[0].driver
        text = "SELECT 41 + 1 AS answer;\n-- my notes stay here"
        editor = screen.query_one(QueryEditor)
        editor.text = text
        editor.move_cursor((0, 0))
        editor.focus()
        dbname = postgres_db_url.rsplit("/", 1)[-1].split("?")[0]
        assert postgres_server.terminate_connections(dbname=dbname) >= 1
        await pilot.press("f5")
        await settle(app)
        log = "\n".join(line.text for line in screen.query_one("#messages", RichLog).lines)
        assert "Connection lost" in log
        assert screen.sessions[0].driver is not None
        assert screen.sessions[0].driver is not old_driver, "a fresh connection replaced it"
        assert editor.text == text
        await pilot.press("f5")
        await settle(app)
        table = screen.query_one("#results-table", DataTable)
        assert table.get_row_at(0) == ["42"]


async def test_enter_on_another_database_switches_to_it(
    postgres_server: Any, postgres_db_url: str
) -> None:
    import uuid

    from dbtui.ui.widgets.catalog.tree import CatalogTree

    other = f"other_{uuid.uuid4().hex[:8]}"
    postgres_server.create_database(other)
    try:
        spec = spec_from_url(postgres_db_url)
        driver = open_driver(spec)
        assert isinstance(driver, PostgresDriver)
        app = DbtuiApp([(spec, driver)])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app)
            tree = app.screen.query_one(CatalogTree)

            def listed() -> list[Any]:
                return [n for n in tree.session_node(0).children if str(n.label).endswith(other)]

            await until(pilot, lambda: bool(listed()), "the other database in the tree")
            target = listed()[0]
            tree.focus()
            tree.move_cursor(target)
            await pilot.pause()
            await until(pilot, lambda: tree.cursor_node is target, "the cursor on it")
            await pilot.press("enter")
            await until(pilot, lambda: driver.current_database == other, "the switch")
            await settle(app)
            assert driver.current_database == other
            labels = [str(n.label) for n in tree.session_node(0).children]
            assert f"◆ {other} current" in labels, "the tree now shows the new current database"
            editor = app.screen.query_one(QueryEditor)
            editor.text = "SELECT current_database()"
            editor.focus()
            await pilot.press("f5")
            await settle(app)
            assert app.screen.query_one("#results-table", DataTable).get_row_at(0) == [other]
            driver.close()
    finally:
        postgres_server.drop_database(other)
