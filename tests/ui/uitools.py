"""Helpers shared by the UI tests (importable because pytest puts this folder on sys.path)."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from drivertools import connected
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment, Segments
from rich.style import Style
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TextArea
from textual.worker import WorkerFailed

import dbtui.ui
from dbtui.core.config import Config
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.registry import open_driver
from dbtui.core.spec import ConnectionSpec, spec_from_url
from dbtui.drivers.redis import RedisDriver
from dbtui.ui.app import DbtuiApp

ReturnT = TypeVar("ReturnT")


async def settle(app: App[ReturnT], quiet_ticks: int = 3, limit: int = 400) -> None:
    """Wait until no worker runs for a few ticks, so the messages they posted were handled.

    Workers start from messages and post messages when they end, so "no worker
    running right now" is not enough: the app must stay quiet for a few ticks. A worker
    that failed is not re-raised here: the app reports and logs it, and the autouse
    ``_no_unexpected_errors`` fixture fails any test after which the error log was written.
    """
    idle = 0
    for _ in range(limit):
        await asyncio.sleep(0.05)
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        idle = 0 if any(worker.is_running for worker in app.workers) else idle + 1
        if idle >= quiet_ticks:
            return


def make_app(
    *targets: str | Path,
    read_only: bool = False,
    config: Config | None = None,
    name: str | None = None,
    app_class: type[DbtuiApp] = DbtuiApp,
) -> DbtuiApp:
    """The app over real connections, one per URL (a :class:`Path` is a SQLite file).

    A connection that cannot be opened is kept as its error (a :class:`DbtuiError`), as the
    CLI does when it starts the window.
    ``name`` names every connection (snapshots use it to hide random ports and temp paths).
    """
    outcomes: list[tuple[ConnectionSpec, Driver | DbtuiError]] = []
    for target in targets:
        url = f"sqlite://{target}" if isinstance(target, Path) else target
        spec = spec_from_url(url, read_only=read_only, name=name)
        try:
            outcomes.append((spec, open_driver(spec)))
        except DbtuiError as error:
            outcomes.append((spec, error))
    return app_class(outcomes, config=config)


async def still(pilot: Pilot[Any]) -> None:
    """Make the screen still for a snapshot: workers settled, no toast, no blinking cursor.

    A ``TextArea`` caches its rendered lines under a key that, once the blink is off, no
    longer says whether the cursor was drawn: turned off during the blink's dark phase it
    would keep showing no cursor. Its cache is emptied so the focused editor's cursor shows.
    """
    await settle(pilot.app)
    pilot.app.clear_notifications()
    for widget in pilot.app.screen.query("*"):
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False
        if isinstance(widget, TextArea):
            widget.notify_style_update()
            widget.refresh()
    await pilot.pause()


def _in_16_colours(style: Style | None) -> Style | None:
    """``style`` with its colours downgraded as Textual does for a 16-colour terminal."""
    if style is None:
        return None
    color = style.color.downgrade(ColorSystem.STANDARD) if style.color else None
    bgcolor = style.bgcolor.downgrade(ColorSystem.STANDARD) if style.bgcolor else None
    return style + Style.from_color(color, bgcolor)


class SixteenColourApp(DbtuiApp):
    """The real app whose screenshots show what a 16-colour terminal shows.

    When the terminal's colour system is "standard" (``TERM=xterm`` without ``COLORTERM``, or
    ``TEXTUAL_COLOR_SYSTEM=standard``) Textual writes every colour downgraded with Rich's
    ``Color.downgrade(ColorSystem.STANDARD)`` (``textual.strip``). ``App.export_screenshot``
    always records truecolor, so this one applies the same downgrade before drawing the SVG;
    the 16 colours are then drawn in Rich's SVG terminal palette.
    """

    SIXTEEN_COLOURS = True
    """Picked up by :func:`dbtui.ui.widgets.editor.themes.shows_16_colours` (headless apps)."""

    CSS_PATH = str(Path(dbtui.ui.__file__).parent / "app.tcss")
    """Absolute: a relative path would be read next to this file."""

    def export_screenshot(self, *, title: str | None = None, simplify: bool = True) -> str:
        width, height = self.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        update = self.screen._compositor.render_update(
            full=True, screen_stack=self._background_screens, simplify=simplify
        )
        assert update is not None, "a full update always renders"
        segments = [
            Segment(text, _in_16_colours(style), control)
            for text, style, control in console.render(update)
        ]
        console.print(Segments(segments))
        return console.export_svg(title=title or self.title)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds (fails after a generous 30 s)."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    pytest.fail(f"timed out waiting for {what}")


def current_screen(app: App[ReturnT]) -> Screen[object]:
    """``app.screen``, read through a call.

    mypy keeps ``app.screen`` narrowed by an earlier ``isinstance`` or ``is`` assert even after
    a key press moved the app to another screen; a call's result is never narrowed.
    """
    return app.screen


def focused_widget(app: App[ReturnT]) -> Widget | None:
    """``app.focused``, read through a call (see :func:`current_screen`)."""
    return app.focused


def connected_redis(url: str, read_only: bool = False) -> Iterator[RedisDriver]:
    """A connected Redis driver for ``url``, closed when the generator finishes."""
    yield from connected(RedisDriver, url, read_only=read_only)
