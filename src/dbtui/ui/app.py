"""The Textual application object."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from dbtui.core.config import Config
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.spec import ConnectionSpec
from dbtui.core.state import load_state, save_state
from dbtui.ui import errors as ui_errors
from dbtui.ui.hangup import watch_terminal
from dbtui.ui.palette import PALETTE, entry_help
from dbtui.ui.safe import plain_message
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.session import Session
from dbtui.ui.widgets.editor.query_editor import QueryEditor

#: Seconds between SIGHUP/SIGTERM and the process ending even if shutdown hangs.
EXIT_GRACE_S = 3.0


def _exit_later(status: int, delay: float) -> None:
    """End the process with ``status`` after ``delay`` seconds, from a daemon thread."""
    timer = threading.Timer(delay, os._exit, args=(status,))
    timer.daemon = True
    timer.start()


class DbtuiApp(App[int]):
    """dbtui: several connections side by side in one window."""

    CSS_PATH = "app.tcss"
    TITLE = "dbtui"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave dbtui", priority=True),
    ]

    def __init__(
        self,
        outcomes: Sequence[tuple[ConnectionSpec, Driver | DbtuiError | None]],
        *,
        config: Config | None = None,
        connect_timeout: float | None = None,
    ) -> None:
        """One session per ``(spec, outcome)``: a connected driver, the error of a failed
        attempt, or ``None`` to connect in the background once the screen is drawn.

        ``connect_timeout`` (seconds, from ``--connect-timeout``) applies to connections
        opened later (Ctrl+O); ``None`` means ``[ui] connect_timeout``, else 10 s."""
        super().__init__()
        ui_errors.install(self)  # unexpected errors are reported and logged, never fatal
        self.config = config
        self.connect_timeout = connect_timeout
        self.keymap: dict[str, str] = {}
        """The ``[keys]`` remaps in force (binding id -> keys), for help texts."""
        self.sessions = [
            Session(
                index=number,
                spec=spec,
                driver=outcome if isinstance(outcome, Driver) else None,
                error=outcome if isinstance(outcome, DbtuiError) else None,
                connecting=outcome is None,
            )
            for number, (spec, outcome) in enumerate(outcomes)
        ]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification (also ``Widget.notify``) as plain escaped text: never markup.

        Messages quote server text (error messages, names), so ``markup`` is ignored:
        control characters are escaped and ``[/]`` is shown, not parsed.
        """
        super().notify(
            plain_message(message),
            title=plain_message(title, limit=120),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_mount(self) -> None:
        """Apply the config's key remaps and the theme (the config's, else the last chosen)."""
        if self.config is not None and self.config.keys:
            self.keymap = dict(self.config.keys)
            self.set_keymap(self.keymap)
        remembered = load_state().get("theme")
        wanted = self.config.ui.theme if self.config is not None else None
        wanted = wanted or (remembered if isinstance(remembered, str) else None)
        if wanted in self.available_themes:
            self.theme = wanted
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        ui_errors.warn_if_data_dir_unwritable(self)
        if not self.is_headless:
            self._install_signal_handlers()

    def _install_signal_handlers(self) -> None:
        """SIGHUP (terminal or SSH connection closed) and SIGTERM save the editors, then quit.

        Plain ``signal.signal`` handlers, not the event loop's: when nobody reads the terminal
        any more, Textual's writer blocks and the event loop with it, and a loop handler would
        never run. This one starts the exit watchdog at once, then asks the loop to save.
        """
        loop = asyncio.get_running_loop()

        def on_signal(number: int, frame: object) -> None:
            _exit_later(128 + number, EXIT_GRACE_S)
            loop.call_soon_threadsafe(self._flush_and_exit, number)

        for number in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(ValueError, OSError):
                signal.signal(number, on_signal)
        if sys.__stdin__ is not None:  # a hang-up whose SIGHUP was swallowed on the way
            watch_terminal(sys.__stdin__.fileno(), lambda: on_signal(signal.SIGHUP, None))

    def flush_buffers(self, *, everything: bool = False) -> None:
        """Save every editor's unsaved text now (synchronously, atomically)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.flush_buffers(everything=everything)

    def _flush_and_exit(self, number: int) -> None:
        """Signal handler: save what was typed, then leave (status 128 + signal number).

        Saves at once, then again once the keys already read from the terminal
        have reached the editors (a call queued behind them on the app's and
        then on each editor's message queue), then exits. A watchdog ends the
        process :data:`EXIT_GRACE_S` later whatever happens: Textual's shutdown can
        block for ever writing to a terminal that is gone (seen after a tmux session
        was killed: processes left behind for good, deaf to further signals).
        """
        self.flush_buffers()

        def last_save() -> None:
            self.flush_buffers(everything=True)
            self.exit(return_code=128 + number)

        def behind_editors() -> None:
            editors = [
                editor
                for screen in self.screen_stack
                if isinstance(screen, MainScreen)
                for editor in screen.query(QueryEditor)
            ]
            pending = set(editors)

            def done(editor: QueryEditor) -> None:
                pending.discard(editor)
                if not pending:
                    last_save()

            for editor in editors:
                editor.call_later(done, editor)
            if not editors:
                last_save()

        self.call_later(behind_editors)

    def _remember_theme(self, theme: Theme) -> None:
        """Persist the user's theme choice for the next start."""
        save_state({"theme": theme.name})

    def _handle_exception(self, error: Exception) -> None:
        """Once running, an unexpected error is logged and shown, never fatal (see ui/errors.py)."""
        if self._running and self.is_running:
            ui_errors.report_unexpected(self, error, "updating the screen")
            return
        ui_errors.fatal_at_start(self, error)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Run an action; one aimed at a main screen still composing waits until it is ready.

        Keys typed ahead at start (F5, F6 over SSH) reach the screen before its editor
        exists; they are queued on the screen and run once it is composed.
        """
        target = default_namespace
        if isinstance(target, MainScreen) and not target.is_ready:
            target.call_later(self.run_action, action, target, namespaces)
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.sessions)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            bindings = _declared_bindings(screen)
            for entry in PALETTE:
                help_text = entry_help(entry, bindings, self.keymap)
                yield SystemCommand(entry.title, help_text, _runner(screen, entry.action))

    async def action_quit(self) -> None:
        """Quit, but ask first when a connection has an open transaction."""
        self.flush_buffers()
        open_ones = [
            session.name
            for session in self.sessions
            if session.driver is not None
            and session.driver.transaction_status in ("in transaction", "failed transaction")
        ]
        if not open_ones:
            self.exit(0)
            return
        names = ", ".join(open_ones)
        self.push_screen(
            ConfirmScreen(
                f"Roll back the open transaction on {names} and quit?",
                "Yes rolls back (nothing of it is committed). "
                "No returns to dbtui so you can COMMIT first.",
            ),
            lambda ok: self.exit(0) if ok else None,
        )

    def on_unmount(self) -> None:
        """Close every connection on the way out."""
        for session in self.sessions:
            if session.driver is not None:
                with contextlib.suppress(DbtuiError):
                    session.driver.close()


def _declared_bindings(screen: DOMNode) -> list[Binding]:
    """Every binding declared by ``screen`` and its widgets (their classes' ``BINDINGS``)."""
    nodes: list[DOMNode] = [screen, *screen.query("*")]
    classes = {cls for node in nodes for cls in type(node).__mro__}
    return [
        binding
        for cls in classes
        for binding in cls.__dict__.get("BINDINGS", ())
        if isinstance(binding, Binding)
    ]


def _runner(screen: MainScreen, action: str) -> Callable[[], Awaitable[None]]:
    """A palette callback that runs one screen action."""

    async def run() -> None:
        await screen.run_action(action)

    return run
