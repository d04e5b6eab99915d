"""The Redis console in the app (issue 16): command help under the editor while typing,
and key names completed from the server, shown escaped. Real Redis; SQLite has neither."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis as redis_py
from textual.pilot import Pilot
from uitools import make_app, settle, until

from dbtui.drivers.redis.commands import split_command_line
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.editor.command_help import CommandHelpLine
from dbtui.ui.widgets.editor.completion import CompletionPopup
from dbtui.ui.widgets.editor.query_editor import QueryEditor

HOSTILE = b"user:\x1b]0;pwned\x07[bold red]x[/]\x00\xe2\x80\xaeevil"
FORBIDDEN = ("\x1b]", "\x07", "\x00", "\u202e")


def main_screen(app: DbtuiApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def type_text(app: DbtuiApp, pilot: Pilot[Any], text: str) -> QueryEditor:
    """Empty the editor, then type ``text`` key by key."""
    editor = main_screen(app).editor()
    editor.text = ""
    editor.focus()
    await pilot.press(*("space" if c == " " else c for c in text))
    return editor


def help_line(app: DbtuiApp) -> CommandHelpLine:
    return app.screen.query_one(CommandHelpLine)


def popup_open(app: DbtuiApp) -> bool:
    return any(popup.is_open for popup in app.screen.query(CompletionPopup))


def popup_labels(app: DbtuiApp) -> list[str]:
    return [c.label for c in app.screen.query_one(CompletionPopup).completions.candidates]


def rendered(app: DbtuiApp) -> str:
    compositor: Any = app.screen._compositor
    return str(compositor.render_update(full=True).render_segments(app.console))


@pytest.fixture
def keys_url(redis_clean: str) -> str:
    client = redis_py.Redis.from_url(redis_clean)
    client.mset({b"user:1": b"a", b"user:2": b"b", b"user:10": b"c", b"other": b"d"})
    client.set(HOSTILE, b"e")
    client.close()
    return redis_clean


@pytest.mark.redis
async def test_typing_a_command_shows_its_syntax_under_the_editor(redis_clean: str) -> None:
    app = make_app(redis_clean)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        line = help_line(app)
        assert line.display
        editor = await type_text(app, pilot, "LRANGE ")
        await until(pilot, lambda: line.doc is not None and line.doc.name == "LRANGE", "help")
        assert str(line.render()).startswith("LRANGE key start stop · since 1.0.0 · O(S+N)")
        assert editor.text == "LRANGE "  # typing went on while the help was read
        assert "key start stop" in rendered(app)  # on screen...
        assert line.region.height == 1
        assert line.region.y == editor.region.bottom  # ...right under the editor
        await pilot.press("ctrl+a")  # nothing typed that matters: the help follows the line
        editor.text = ""
        await until(pilot, lambda: line.doc is None, "no help for an empty line")


@pytest.mark.redis
async def test_get_completes_key_names_read_from_the_server(keys_url: str) -> None:
    app = make_app(keys_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = await type_text(app, pilot, "GET us")
        await pilot.press("tab")
        await until(pilot, lambda: popup_open(app), "the key names")
        popup = app.screen.query_one(CompletionPopup)
        labels = popup_labels(app)
        assert [label for label in labels if not label.startswith('"')] == [
            "user:1",
            "user:10",
            "user:2",
        ]
        await pilot.press("e", "r", ":", "1")  # typing filters the server's names
        assert popup_labels(app) == ["user:1", "user:10"]
        await pilot.press("enter")
        await pilot.pause()
        assert editor.text == "GET user:1"
        assert not popup.is_open


@pytest.mark.redis
async def test_hostile_key_names_are_offered_escaped_and_inserted_inert(keys_url: str) -> None:
    app = make_app(keys_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = await type_text(app, pilot, "TYPE user:")
        await pilot.press("ctrl+space")
        await until(pilot, lambda: popup_open(app), "the key names")
        assert popup_labels(app)[0].startswith('"user:\\x1b]0;pwned\\x07[bold red]x[/]')
        screen = rendered(app)
        assert "[bold red]x[/]" in screen  # shown as text, not parsed
        assert not any(bad in screen for bad in FORBIDDEN)
        await pilot.press("enter")  # the hostile name is first (byte order)
        await pilot.pause()
        assert split_command_line(editor.text) == [b"TYPE", HOSTILE]


@pytest.mark.redis
async def test_a_command_without_a_key_offers_no_key_names(keys_url: str) -> None:
    app = make_app(keys_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = await type_text(app, pilot, "ECHO us")
        await pilot.press("tab")
        await settle(app)
        assert not any(popup.is_open for popup in app.screen.query(CompletionPopup))
        assert editor.text == "ECHO us"
        assert any("Nothing to complete" in n.message for n in app._notifications)


async def test_a_sql_editor_has_no_command_help_line(tmp_path: Path) -> None:
    app = make_app(tmp_path / "plain.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await type_text(app, pilot, "SELECT 1")
        await settle(app)
        assert not help_line(app).display


@pytest.mark.redis
async def test_a_cut_short_list_is_read_again_for_the_longer_prefix(redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean)
    client.mset({f"k:{n}": n for n in range(300)})  # more than the 200 names read at once
    client.close()
    app = make_app(redis_clean)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await type_text(app, pilot, "GET k:")
        await pilot.press("tab")
        await until(pilot, lambda: popup_open(app), "the key names")
        assert len(popup_labels(app)) == 200
        await pilot.press("2")
        wanted = sorted(f"k:{n}" for n in range(300) if str(n).startswith("2"))
        await until(pilot, lambda: sorted(popup_labels(app)) == wanted, "every k:2… name")
