"""The Textual application object."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from dbtui.core.config import Config
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.spec import ConnectionSpec
from dbtui.core.state import load_state, save_state
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.session import Session


@dataclass(frozen=True)
class PaletteEntry:
    """One action offered in the command palette."""

    title: str
    help: str
    action: str


#: Every main-screen action, so everything is reachable without knowing a key.
PALETTE = (
    PaletteEntry("Run statement", "Run the statement under the cursor (F5)", "run"),
    PaletteEntry("Run all statements", "Run the whole editor as a script (Shift+F5)", "run_all"),
    PaletteEntry("Explain", "Show the plan of the statement under the cursor (F6)", "explain"),
    PaletteEntry(
        "Explain analyze", "Run the statement and show the measured plan (F7)", "explain_analyze"
    ),
    PaletteEntry("Advise indexes", "Verified index suggestions for the statement (F9)", "advise"),
    PaletteEntry("Advise workload", "Index suggestions for the top statements", "advise_workload"),
    PaletteEntry("Index health", "Unused, duplicate and missing indexes", "advise_health"),
    PaletteEntry("New editor tab", "Another editor for this connection (Ctrl+T)", "new_tab"),
    PaletteEntry(
        "Next editor tab", "Show the next tab of this connection (Ctrl+PgDn)", "next_tab(1)"
    ),
    PaletteEntry("Close editor tab", "Close the shown tab (Ctrl+F4)", "close_tab"),
    PaletteEntry("History", "Search this connection's query history (Ctrl+R)", "history"),
    PaletteEntry(
        "Connections", "Add, edit, test, delete or open saved connections (Ctrl+O)", "connections"
    ),
    PaletteEntry(
        "Reload completion",
        "Read the catalog again for completion; MongoDB samples the fields (Ctrl+L)",
        "refresh_completion",
    ),
    PaletteEntry("Export result", "Export the shown result to a file or the clipboard", "export"),
    PaletteEntry(
        "Aggregate", "MongoDB: edit and run a pipeline, stage by stage (A in results)", "aggregate"
    ),
    PaletteEntry("Cancel", "Cancel the running statement (Esc)", "cancel"),
    PaletteEntry("Focus catalog", "Move to the catalog tree (F2)", "focus_catalog"),
    PaletteEntry("Focus editor", "Move to the editor (F3)", "focus_editor"),
    PaletteEntry("Focus output", "Move to the output tabs (F4)", "focus_output"),
    PaletteEntry("Zoom pane", "Maximise the focused pane or restore (F8)", "zoom"),
    PaletteEntry("Help", "Show the keys of the focused pane (F1)", "help"),
)


class DbtuiApp(App[int]):
    """dbtui: several connections side by side in one window."""

    CSS_PATH = "app.tcss"
    TITLE = "dbtui"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave dbtui", priority=True),
    ]

    def __init__(
        self,
        outcomes: Sequence[tuple[ConnectionSpec, Driver | DbtuiError]],
        *,
        config: Config | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.sessions = [
            Session(
                index=number,
                spec=spec,
                driver=outcome if isinstance(outcome, Driver) else None,
                error=outcome if isinstance(outcome, DbtuiError) else None,
            )
            for number, (spec, outcome) in enumerate(outcomes)
        ]

    def on_mount(self) -> None:
        """Apply the config's key remaps and the theme (the config's, else the last chosen)."""
        if self.config is not None and self.config.keys:
            self.set_keymap(dict(self.config.keys))
        remembered = load_state().get("theme")
        wanted = self.config.ui.theme if self.config is not None else None
        wanted = wanted or (remembered if isinstance(remembered, str) else None)
        if wanted in self.available_themes:
            self.theme = wanted
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        """Persist the user's theme choice for the next start."""
        save_state({"theme": theme.name})

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.sessions)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for entry in PALETTE:
                yield SystemCommand(entry.title, entry.help, _runner(screen, entry.action))

    async def action_quit(self) -> None:
        """Quit, but ask first when a connection has an open transaction."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.flush_buffers()
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


def _runner(screen: MainScreen, action: str) -> Callable[[], Awaitable[None]]:
    """A palette callback that runs one screen action."""

    async def run() -> None:
        await screen.run_action(action)

    return run
