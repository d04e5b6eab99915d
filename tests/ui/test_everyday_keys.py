"""Issue 17's everyday keys: select all, zooming the editor, Ctrl+C from any pane, a key for
every output tab, and a title line that keeps the state visible at 80 columns."""

from __future__ import annotations

import pytest
from textual._xterm_parser import XTermParser
from textual.widgets import Static, TabbedContent
from uitools import focused_widget, make_app, settle, until

from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.editor.title import EditorTitle, title_text
from dbtui.ui.widgets.results.messages import MessagesLog

pytestmark = pytest.mark.postgres


def from_terminal(app: DbtuiApp, sequence: str) -> None:
    """Feed ``sequence`` to the app as a terminal's bytes, read by Textual's own parser."""
    parser = XTermParser()
    for event in [*parser.feed(sequence), *parser.feed("")]:
        app.post_message(event)


def title(app: DbtuiApp) -> str:
    return str(app.screen.query_one("#editor-title", Static).render())


def main_screen(app: DbtuiApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_select_all_and_zooming_the_editor(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "select 1;\nselect 2;\nselect 3"
        editor.move_cursor((1, 3))
        editor.focus()
        from_terminal(app, "\x1ba")  # Alt+A as a terminal sends it
        await settle(app)
        assert editor.selected_text == editor.text
        await pilot.press("ctrl+a")  # TextArea's own: the start of the line, not select all
        assert editor.selected_text == ""
        editors = app.screen.query_one("#editors")
        assert editors.region.height == 9
        await pilot.press("f8")
        await pilot.pause()
        assert main_screen(app).maximized is editors
        assert editors.region.height >= 20, editors.region
        assert focused_widget(app) is editor
        await pilot.press("f8")
        await pilot.pause()
        assert editors.region.height == 9


async def test_ctrl_c_cancels_a_running_statement_from_the_catalog(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        screen = main_screen(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "select pg_sleep(60)"
        editor.focus()
        await pilot.press("f5")
        await until(pilot, lambda: screen.session.busy, "the statement to run")
        app.screen.query_one(CatalogTree).focus()
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not screen.session.busy, "the cancel")
        await settle(app)
        assert screen.query_one(TabbedContent).active == "tab-messages"
        assert "cancel" in str(app.screen.query_one(MessagesLog).lines).lower()


async def test_every_output_tab_has_a_key_listed_in_help(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)):
        await settle(app)
        tabs = app.screen.query_one(TabbedContent)
        for key, tab in [
            ("alt+d", "tab-details"),
            ("alt+m", "tab-messages"),
            ("alt+v", "tab-advice"),
            ("alt+l", "tab-plan"),
            ("alt+r", "tab-results"),
        ]:
            editor = app.screen.query_one(QueryEditor)
            editor.focus()
            await settle(app)
            before = editor.text
            from_terminal(app, "\x1b" + key[-1])  # what a terminal sends for Alt+letter
            await settle(app)
            assert editor.text == before, "the letter was not typed into the editor"
            assert tabs.active == tab, (key, focused_widget(app), app.screen.focused)
            focused = focused_widget(app)
            assert focused is not None
            assert tabs in focused.ancestors, (key, focused)
        listed = {
            key: active.binding.description
            for key, active in app.active_bindings.items()
            if active.enabled and key.startswith("alt+")
        }
        assert listed["alt+m"] == "Messages tab"
        assert listed["alt+d"] == "Details tab"


async def test_title_keeps_the_state_at_80_columns_with_six_tabs(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        screen = main_screen(app)
        for _ in range(5):
            await pilot.press("ctrl+t")
        await settle(app)
        editor = screen.editor()
        editor.text = "begin"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        await pilot.press("ctrl+pageup")
        await settle(app)
        line = title(app)
        width = app.screen.query_one(EditorTitle).size.width
        assert len(line) <= width
        assert "5/6" in line, line
        assert "READ-ONLY" in line, line
        assert "in transaction" in line, line
        assert line.startswith(f" {screen.session.name[:8]}"), "the name comes first, cut"
        full = title_text(screen.session)
        assert full.cell_len > width, "the whole line would not fit: it was shortened"
        assert title_text(screen.session, 300).plain == full.plain, "a wide line is whole"
        assert " 1 [2] 3 " not in line, "the tab strip gave way to 5/6"
