"""The console's replies in the app (issue 16): redis-cli style lines, inert hostile data,
the big-read question before a 1,000,000-element LRANGE, Enter opening a value, and the
command help line."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import msgpack  # type: ignore[import-untyped]
import pytest
import redis as redis_py
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable
from uitools import connected_redis, current_screen, make_app, settle, until

from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.docs import CommandHint
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.screens.value_viewer import ValueScreen
from dbtui.ui.widgets.editor.command_help import CommandHelpLine
from dbtui.ui.widgets.results.replies import ReplyView

pytestmark = pytest.mark.redis

SIZE = (100, 30)
HOSTILE = "\x1b]52;c;aGk=\x07\x1b]0;pwned\x07\x1b[2J[bold red]x[/][/][link=http://e]y[/link]a\x00b\u202eevil"
RENDER_FORBIDDEN = ("\x1b]", "\x07", "\x00", "\u202e", "\x1b[2J", "\x9b")


def rendered(app: DbtuiApp) -> str:
    """The current screen exactly as Textual would write it to the terminal."""
    compositor: Any = app.screen._compositor
    return str(compositor.render_update(full=True).render_segments(app.console))


def reply_view(app: DbtuiApp) -> ReplyView:
    return app.screen.query_one(ReplyView)


async def run(app: DbtuiApp, pilot: Pilot[Any], text: str) -> None:
    """Put ``text`` in the editor and run it with F5."""
    screen = current_screen(app)
    assert isinstance(screen, MainScreen)
    editor = screen.editor()
    editor.text = text
    editor.focus()
    await pilot.press("f5")
    await settle(app)


async def test_replies_read_like_redis_cli(redis_clean: str) -> None:
    server = redis_py.Redis.from_url(redis_clean)
    server.hset("h", mapping={"name": "Ada", "age": "36"})
    server.set("foo", "bar")
    server.close()
    app = make_app(redis_clean)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await run(app, pilot, "GET foo")
        view = reply_view(app)
        assert view.display
        assert not app.screen.query_one("#results-table", DataTable).display
        assert view.plain_lines == ['"bar"']
        assert '"bar"' in rendered(app)
        await pilot.press("f4")
        assert app.focused is view, "F4 reaches the reply, not the hidden table"
        await run(app, pilot, "HGETALL h")
        assert view.plain_lines == ['1# "name" => "Ada"', '2# "age" => "36"']
        await run(app, pilot, "INFO keyspace")
        assert view.plain_lines[0] == "# Keyspace"
        assert "db0:keys=2" in view.plain_lines[1]
        await run(app, pilot, "MULTI")
        await run(app, pilot, "INCR h")
        await run(app, pilot, "EXEC")
        assert view.plain_lines[0].startswith("1) (error) WRONGTYPE")
        strip = view.render_line(0)
        assert any(
            s.style is not None and s.style.color is not None and s.style.color.name == "red"
            for s in strip
            if "WRONGTYPE" in s.text
        )
        # A SQL-style result afterwards brings the table back.
        await run(app, pilot, "DBSIZE")
        assert view.plain_lines == ["(integer) 2"]


async def test_hostile_replies_are_inert(redis_clean: str) -> None:
    server = redis_py.Redis.from_url(redis_clean)
    server.set("k", HOSTILE)
    server.hset("hh", mapping={HOSTILE: HOSTILE, "[/]": "[/bold]"})
    server.rpush("l", HOSTILE, "[/]")
    server.close()
    app = make_app(redis_clean)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        for line in (
            "GET k",
            "HGETALL hh",
            "LRANGE l 0 -1",
            'ECHO "\\x1b]0;t\\x07[/]"',
            "CLIENT LIST",
        ):
            await run(app, pilot, line)
            view = reply_view(app)
            assert view.lines, line
            assert all(text.isprintable() for text in view.plain_lines), view.plain_lines
            assert app.is_running
            out = rendered(app)
            found = [bad for bad in RENDER_FORBIDDEN if bad in out]
            assert not found, f"raw {found!r} in the terminal output after {line}"
        await run(app, pilot, "GET k")
        assert "[bold red]x[/]" in reply_view(app).plain_lines[0]  # shown, not parsed


async def test_enter_opens_the_value_and_big_reads_ask(redis_clean: str) -> None:
    server = redis_py.Redis.from_url(redis_clean)
    server.rpush("small", "caf\u00e9", "two")
    server.rpush("packed", gzip.compress(b'{"user": "Ada"}'), msgpack.packb({"id": 7}))
    pipe = server.pipeline(transaction=False)
    for start in range(0, 1_000_000, 10_000):
        pipe.rpush("big", *range(start, start + 10_000))
    pipe.execute()
    server.close()
    app = make_app(redis_clean)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await run(app, pilot, "LRANGE small 0 -1")
        view = reply_view(app)
        view.focus()
        await pilot.press("down", "enter")
        await settle(app)
        viewer = current_screen(app)
        assert isinstance(viewer, ValueScreen)
        assert viewer.value == "two"
        await pilot.press("escape")
        await settle(app)
        await run(app, pilot, "LRANGE packed 0 -1")
        view.focus()
        for down, fmt, text in ((0, "gzip+json", '"user": "Ada"'), (1, "msgpack", '"id": 7')):
            await pilot.press(*["down"] * down, "enter")
            await settle(app)
            viewer = current_screen(app)
            assert isinstance(viewer, ValueScreen)
            assert viewer.title_text.endswith(fmt)
            assert isinstance(viewer.value, str)
            assert text in viewer.value
            await pilot.press("escape")
            await settle(app)
        await run(app, pilot, "LRANGE big 0 499999")
        dialog = current_screen(app)
        assert isinstance(dialog, ConfirmScreen), "a 500,000-element read asks first"
        assert "500,000 elements" in dialog.question
        await pilot.press("escape")
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
        assert view.plain_lines[0].startswith("1) (binary) 1f 8b")  # nothing new was read


class HelpApp(App[None]):
    """Only the help line, following lines given by the test (the lead wires it to the editor)."""

    def compose(self) -> ComposeResult:
        yield CommandHelpLine(id="help")


@pytest.fixture
def redis_driver(redis_clean: str) -> Iterator[RedisDriver]:
    yield from connected_redis(redis_clean)


async def test_command_help_line_follows_what_is_typed(redis_driver: RedisDriver) -> None:
    app = HelpApp()
    async with app.run_test(size=(120, 3)) as pilot:
        line = app.query_one(CommandHelpLine)
        lookup = redis_driver.console.command_help
        line.follow(lookup, "hs")
        line.follow(lookup, "hset user:1 ")  # the newest line wins
        await until(pilot, lambda: line.doc is not None, "the HSET help")
        shown = str(line.render())
        assert shown.startswith("HSET key field value [field value ...] · since 2.0.0 · O(1)")
        line.follow(lookup, "config get ")
        await until(pilot, lambda: line.doc is not None and line.doc.name == "CONFIG GET", "help")
        assert "CONFIG GET parameter" in str(line.render())
        line.follow(lookup, "nosuch ")
        await until(pilot, lambda: line.doc is None, "no help for an unknown command")
        assert str(line.render()) == ""
        line.show_doc(hint_with_markup())
        await pilot.pause()
        assert "[/]" in str(line.render())  # shown, not parsed
        assert "\x1b" not in str(line.render())


def hint_with_markup() -> CommandHint:
    return CommandHint(
        name="X[/]", summary="", since="\x1b]0;t\x07", group="", complexity="[bold]", syntax="[/]"
    )
