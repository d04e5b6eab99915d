"""Big values open at once in the viewer, showing a bounded part and saying which."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_py
from rich.text import Text
from textual import events
from textual.widgets import Static, TextArea, Tree
from uitools import current_screen, settle

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.value_viewer import LEAF_CHARS, VIEW_LIMIT, ValueScreen
from dbtui.ui.widgets.editor.query_editor import HIGHLIGHT_LIMIT, PASTE_LIMIT, QueryEditor
from dbtui.ui.widgets.results.window_table import WindowTable

SIZE = 20 * 1024 * 1024


def language(editor: QueryEditor) -> str | None:
    """``editor.language``, read through a call (mypy keeps narrowed attributes)."""
    return editor.language


@pytest.fixture
def client(redis_clean: str) -> Iterator[redis_py.Redis]:
    conn = redis_py.Redis.from_url(redis_clean)
    yield conn
    conn.close()


@pytest.mark.redis
async def test_a_20_mib_string_opens_showing_only_its_first_part(
    redis_clean: str, client: redis_py.Redis
) -> None:
    head = b"start!" + b"\x1b[31m[b]x[/b]"  # escape sequences and markup stay inert text
    client.set("big", head + b"a" * (SIZE - len(head) - 4) + b"tail")
    spec = spec_from_url(redis_clean)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "GET big"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        table = app.screen.query_one(WindowTable)
        assert table.row_count == 1
        assert len(str(table.get_cell_at(table.cursor_coordinate))) <= 80
        table.focus()
        await pilot.press("enter")
        await settle(app)
        viewer = current_screen(app)
        assert isinstance(viewer, ValueScreen)
        text = viewer.query_one("#value-text", TextArea).text.replace("\n", "")
        assert text.startswith("\\x" + head.hex())  # bytes are shown as hex, like the cell
        assert len(text) == 2 + 2 * VIEW_LIMIT  # the first part only, formatted
        assert len(viewer.text) == len(text)  # what y copies: the part shown
        part = str(viewer.query_one("#value-part", Static).render())
        assert part.startswith("first 64 KiB of 20 MiB")
        await pilot.press("n")
        await pilot.pause()
        part = str(viewer.query_one("#value-part", Static).render())
        assert part.startswith("64 KiB to 128 KiB of 20 MiB")
        viewer.part_offset = SIZE - VIEW_LIMIT - VIEW_LIMIT  # the part before the last
        await pilot.press("n")
        await pilot.pause()
        assert (
            viewer.query_one("#value-text", TextArea).text.replace("\n", "").endswith(b"tail".hex())
        )
        assert "19.9 MiB to 20 MiB of 20 MiB" in str(
            viewer.query_one("#value-part", Static).render()
        )
        await pilot.press("n")  # past the last part: it stays
        await pilot.pause()
        assert viewer.text.endswith(b"tail".hex())
        await pilot.press("p", "escape")
        await pilot.pause()
        assert not isinstance(current_screen(app), ValueScreen)


async def test_a_long_member_of_a_tree_is_cut() -> None:
    from textual.app import App

    class One(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ValueScreen("doc", {"big": "é" * SIZE, "n": 1}))

    app = One()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tree = current_screen(app).query_one(Tree)
        labels = [Text.assemble(node.label).plain for node in tree.root.children]
        assert labels[0].startswith("big: " + "é" * 100)
        assert labels[0].count("é") <= LEAF_CHARS
        assert labels[1] == "n: 1"


async def test_a_big_paste_pauses_highlighting_and_a_huge_one_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    sqlite3.connect(db).close()
    spec = spec_from_url(f"sqlite://{db}")
    app = DbtuiApp([(spec, open_driver(spec))])
    script = "".join(f"INSERT INTO t VALUES ({i}, 'value {i}');\n" for i in range(20_000))
    assert HIGHLIGHT_LIMIT < len(script) < PASTE_LIMIT
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = ""
        editor.focus()
        assert editor.language == "sql"
        app.post_message(events.Paste(script))
        await pilot.pause()
        assert editor.text == script
        assert language(editor) is None
        assert editor.paused_language == "sql"
        app.post_message(events.Paste("x" * (PASTE_LIMIT + 1)))
        await pilot.pause()
        assert editor.text == script  # refused, nothing inserted
        messages = [n.message for n in app._notifications]
        assert any("Not pasted" in m for m in messages)
        assert any("Syntax highlighting is off" in m for m in messages)
        editor.text = "select 1"
        await pilot.pause()
        assert language(editor) == "sql"
