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
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.screens.value_viewer import LEAF_CHARS, VIEW_LIMIT, ValueScreen
from dbtui.ui.widgets.editor.query_editor import HIGHLIGHT_LIMIT, PASTE_LIMIT, QueryEditor
from dbtui.ui.widgets.results.replies import ReplyView

SIZE = 20 * 1024 * 1024


def get_calls(client: redis_py.Redis) -> int:
    """How many GET commands the server has run (INFO commandstats)."""
    stats = client.info("commandstats")
    entry = stats.get("cmdstat_get", {})
    return int(entry.get("calls", 0)) if isinstance(entry, dict) else 0


def language(editor: QueryEditor) -> str | None:
    """``editor.language``, read through a call (mypy keeps narrowed attributes)."""
    return editor.language


@pytest.fixture
def client(redis_clean: str) -> Iterator[redis_py.Redis]:
    conn = redis_py.Redis.from_url(redis_clean)
    yield conn
    conn.close()


@pytest.mark.redis
async def test_a_20_mib_string_asks_first_then_opens_showing_only_its_first_part(
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
        gets = get_calls(client)
        await pilot.press("f5")  # the console's big-read guard measures (STRLEN) and asks
        await settle(app)
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert question.question.startswith("GET big returns ")
        assert f"({SIZE:,} bytes)" in question.question  # says the size
        await pilot.press("n")  # no: nothing is sent
        await settle(app)
        assert isinstance(app.screen, MainScreen)
        assert get_calls(client) == gets
        await pilot.press("f5")
        await settle(app)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("tab", "enter")  # yes (Tab from the focused No, then Enter)
        await settle(app)
        assert get_calls(client) == gets + 1
        replies = app.screen.query_one(ReplyView)  # shown as redis-cli shows it
        assert replies.display
        assert len(replies.plain_lines) == 1
        line = replies.plain_lines[0]
        assert len(line) <= 1100, "the reply line is clipped"
        assert line.endswith(f'…" ({SIZE:,} bytes)')  # and says the size
        assert "\x1b" not in line  # the escape sequence is shown escaped
        replies.focus()
        await pilot.press("enter")
        await settle(app)
        viewer = current_screen(app)
        assert isinstance(viewer, ValueScreen)
        text = viewer.query_one("#value-text", TextArea).text.replace("\n", "")
        assert text.startswith(head.decode())  # UTF-8 text opens as text (ESC shown inert)
        assert len(text) == VIEW_LIMIT  # the first part only
        assert len(viewer.text) == len(text)  # what y copies: the part shown
        part = str(viewer.query_one("#value-part", Static).render())
        assert part.startswith(f"first {VIEW_LIMIT:,} characters of {SIZE:,} characters")
        await pilot.press("n")
        await pilot.pause()
        part = str(viewer.query_one("#value-part", Static).render())
        assert part.startswith(f"{VIEW_LIMIT:,} characters to {2 * VIEW_LIMIT:,} characters of")
        viewer.part_offset = SIZE - VIEW_LIMIT - VIEW_LIMIT  # the part before the last
        await pilot.press("n")
        await pilot.pause()
        assert viewer.query_one("#value-text", TextArea).text.replace("\n", "").endswith("tail")
        last = str(viewer.query_one("#value-part", Static).render())
        assert last.startswith(f"{SIZE - VIEW_LIMIT:,} characters to {SIZE:,} characters of")
        await pilot.press("n")  # past the last part: it stays
        await pilot.pause()
        assert viewer.text.endswith("tail")
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
