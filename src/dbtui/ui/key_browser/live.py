"""The live pane: MONITOR, SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE and XREAD BLOCK, streamed as a log.

``LiveScreen(keys, request)`` runs the request in a thread worker on a
dedicated connection (never the console's nor a pooled one) and shows what
arrives in a capped log (the last :data:`LOG_LINES` lines), with the count,
the rate, a pause that freezes the view while messages are still counted,
and a ``/`` filter. Esc stops the worker and closes the pane; the worker
closes its connection whenever the pane goes away. MONITOR first asks for a
confirmation, because it slows a busy server down.

:func:`open_live_pane` is the seam for the main window: called with the
statement about to run, it opens the pane and returns True for the
streaming commands the console cannot run.
"""

from __future__ import annotations

import time
from collections import deque
from functools import partial
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, RichLog, Static

from dbtui.core.capabilities.keys import KeyBrowser, LiveCommands, LiveFeed
from dbtui.core.display import display_text
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.live_feed import LiveEntry, LiveRequest
from dbtui.ui.key_browser import jobs
from dbtui.ui.key_browser.bindings import LIVE_BINDINGS
from dbtui.ui.key_browser.live_format import Rate, live_line
from dbtui.ui.key_browser.messages import LiveBatch, LiveEnded, LiveStarted
from dbtui.ui.safe import safe_join, safe_text
from dbtui.ui.screens.dialogs import ConfirmScreen, HelpScreen

LOG_LINES = 10_000
"""Lines kept (and shown) at most; older ones are forgotten."""

MONITOR_WARNING = (
    "MONITOR makes the server copy every command of every client to this pane. "
    "On a busy production server that can cut its throughput by half or more, "
    "for as long as the pane is open. Esc stops it."
)


def open_live_pane(app: App[object], driver: Driver, line: str, name: str = "") -> bool:
    """Open a :class:`LiveScreen` when ``line`` is a streaming Redis command; True when handled.

    For the main window, before it runs a statement: MONITOR, SUBSCRIBE,
    PSUBSCRIBE, SSUBSCRIBE and XREAD/XREADGROUP with BLOCK open the pane
    (on the console's current database); anything else returns False and
    runs as usual. XREADGROUP on a read-only connection is refused here with
    a notification (it writes); the pane would refuse it too.

    Args:
        app: The running app (pushes the screen, shows notifications).
        driver: The active connection's driver (only one with
            :class:`~dbtui.core.capabilities.keys.LiveCommands` qualifies).
        line: The statement about to run.
        name: The connection's label, for the pane's header.
    """
    if not isinstance(driver, LiveCommands):
        return False
    request = driver.live_request(line)
    if request is None:
        return False
    try:
        keys = driver.console_key_browser()
        if request.writes:
            keys.check_writable(f"{request.title} (it moves the group's pending entries)")
    except DbtuiError as error:
        app.notify(error.one_line(), severity="error", timeout=8)
        return True
    app.push_screen(LiveScreen(keys, request, name=name))
    return True


class LiveScreen(Screen[None]):
    """A streaming command's output, live.

    Args:
        keys: Where to listen (database for XREAD, read-only flag, servers).
        request: What to run.
        name: The connection's label, shown first in the header.
    """

    CSS_PATH = Path(__file__).parent / "redis.tcss"
    BINDINGS = LIVE_BINDINGS

    def __init__(self, keys: KeyBrowser, request: LiveRequest, *, name: str = "") -> None:
        super().__init__()
        self.keys = keys
        self.request = request
        self.connection_name = name
        self.entries: deque[LiveEntry] = deque(maxlen=LOG_LINES)
        """The last entries received (the filter and resume redraw from these)."""
        self.received = 0
        self.dropped = 0
        self.new_while_paused = 0
        self.paused = False
        self.running = False
        self.filter = ""
        self.client_ids: tuple[int, ...] = ()
        self.nodes: tuple[str, ...] = ()
        self.stream: LiveFeed | None = None
        self.flow = jobs.Flow()
        self.rate = Rate(time.monotonic())
        self.state = "starting…"

    def compose(self) -> ComposeResult:
        with Horizontal(id="lv-top"):
            yield Static(id="lv-title")
            yield Static(id="lv-stats")
        yield Static(id="lv-info")
        with Horizontal(id="lv-filters"):
            yield Static("/", id="lv-slash")
            yield Input(placeholder="show lines containing…, Enter", id="lv-filter", compact=True)
        yield RichLog(id="lv-log", max_lines=LOG_LINES, wrap=False, markup=False, highlight=False)
        yield Footer()

    @property
    def log_view(self) -> RichLog:
        """The log widget."""
        return self.query_one("#lv-log", RichLog)

    def on_mount(self) -> None:
        title = safe_text(
            f" {self.connection_name} " if self.connection_name else " ", "bold reverse"
        )
        title.append(f" {display_text(self.request.title)}", style="bold")
        if self.request.kind == "xread":
            title.append(f" db{self.keys.db:d}")
        self.query_one("#lv-title", Static).update(title)
        self.log_view.focus()
        self.set_interval(1.0, self._render_stats)
        if self.request.kind == "monitor":
            self.state = "waiting for your answer"
            self._render_stats()
            question = ConfirmScreen("Start MONITOR? It slows the server down.", MONITOR_WARNING)
            self.app.push_screen(question, self._answered)
        else:
            self.start()

    def _answered(self, ok: bool | None) -> None:
        if ok:
            self.start()
        else:
            self.dismiss(None)

    def on_unmount(self) -> None:
        """Stop the worker; it closes the dedicated connection on its way out."""
        self._stop_worker()

    # ------------------------------------------------------------- worker
    def start(self) -> None:
        """Open a dedicated connection and listen (again, after a stop)."""
        self.flow = jobs.Flow()
        self.stream = self.keys.live_feed(self.request)
        self.running = True
        self.state = "connecting…"
        self._info("")
        self._render_stats()
        job = partial(jobs.run_live, self.post_message, self.stream, self.flow)
        self.run_worker(job, thread=True, group="live", description="live", exit_on_error=False)

    def _stop_worker(self) -> None:
        self.flow.cancelled.set()
        if self.stream is not None:
            self.stream.interrupt()

    def on_live_started(self, event: LiveStarted) -> None:
        """Say where the pane listens and as which client."""
        self.client_ids, self.nodes = event.client_ids, event.nodes
        self.state = "live"
        ids = ", ".join(str(client) for client in event.client_ids)
        where = ", ".join(event.nodes)
        self._info(f"on {where} as client {ids} · keeps the last {LOG_LINES:,} lines")
        self._render_stats()

    def on_live_batch(self, event: LiveBatch) -> None:
        """Keep the entries, count them, and show them unless the view is paused."""
        self.flow.release()
        if not self.running:
            return
        self.entries.extend(event.entries)
        self.received += len(event.entries)
        self.dropped += event.dropped
        self.rate.add(time.monotonic(), len(event.entries) + event.dropped)
        if self.paused:
            self.new_while_paused += len(event.entries)
        else:
            self._write(event.entries)
        self._render_stats()

    def on_live_ended(self, event: LiveEnded) -> None:
        """Show why the pane stopped (its connection is closed by now)."""
        self.running = False
        if event.error is not None:
            self.state = "stopped"
            self._info(safe_text(f"{event.error.one_line()} · r listens again", style="red"))
            self.notify(event.error.one_line(), severity="error", timeout=8)
        else:
            self.state = "stopped"
        self._render_stats()

    # ------------------------------------------------------------- drawing
    def _matches(self, line: Text) -> bool:
        return not self.filter or self.filter in line.plain.casefold()

    def _write(self, entries: list[LiveEntry] | deque[LiveEntry]) -> None:
        show_node = len(self.nodes) > 1
        lines = [live_line(entry, show_node=show_node) for entry in entries]
        lines = [line for line in lines if self._matches(line)]
        if lines:
            self.log_view.write(Text("\n").join(lines))

    def _redraw(self) -> None:
        self.log_view.clear()
        self._write(self.entries)

    def _render_stats(self) -> None:
        rate = self.rate.per_second(time.monotonic()) if self.running else 0.0
        text = Text(f"{self.received:,} received")
        if self.running:
            text.append(f" · {rate:,.1f}/s")
        if self.dropped:
            text.append(f" · {self.dropped:,} skipped (too fast)", style="yellow")
        if self.filter:
            text.append(" · filtered", style="cyan")
        if self.paused:
            text.append(f" · PAUSED, {self.new_while_paused:,} new", style="bold yellow")
        else:
            text.append(
                f" · {display_text(self.state)}", style="green" if self.state == "live" else "dim"
            )
        self.query_one("#lv-stats", Static).update(text)

    def _info(self, text: Text | str) -> None:
        self.query_one("#lv-info", Static).update(safe_join(text))

    # ------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "/" is typed into the filter rather than focusing it again."""
        if action == "focus_filter":
            return not isinstance(self.focused, Input)
        return True

    def action_stop(self) -> None:
        """Leave the filter; from the log, stop listening and close the pane."""
        if isinstance(self.focused, Input):
            self.log_view.focus()
            return
        self._stop_worker()
        self.dismiss(None)

    def action_focus_filter(self) -> None:
        """Move to the filter."""
        self.query_one("#lv-filter", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Show only the kept lines containing the text (any case); empty shows all."""
        event.stop()
        self.filter = event.value.strip().casefold()
        self._redraw()
        self.log_view.focus()
        self._render_stats()

    def action_pause(self) -> None:
        """Freeze the view (entries keep arriving and are counted), or catch up."""
        self.paused = not self.paused
        if not self.paused:
            self.new_while_paused = 0
            self._redraw()
        self._render_stats()

    def action_clear(self) -> None:
        """Forget what was received so far (the counters keep going)."""
        self.entries.clear()
        self.log_view.clear()

    def action_restart(self) -> None:
        """Listen again once the pane stopped (after an error or a lost connection)."""
        if self.running:
            self.notify("Still listening.")
            return
        self.start()

    def action_help(self) -> None:
        """List the keys of the pane."""
        rows = []
        for binding in LIVE_BINDINGS:
            assert isinstance(binding, Binding)
            rows.append((binding.key_display or binding.key, binding.description, binding.tooltip))
        self.app.push_screen(HelpScreen(rows))
