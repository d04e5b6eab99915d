"""The connection manager: list, add, edit, test, delete and open saved connections.

Reads the config file named by ``$DBTUI_CONFIG`` (or the default location)
and writes it through :mod:`dbtui.core.config_write`: one connection's table
is rewritten in place, the rest of the file (comments included) is kept,
and the file is replaced atomically with mode 0600. Dismisses with the name
of the connection to open, or ``None``.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from dbtui.core.config import Config, ConfigError, SavedConnection, config_path, load_config
from dbtui.core.config_write import delete_connection, save_connection
from dbtui.core.display import display_text
from dbtui.core.spec import mask_password
from dbtui.ui.safe import safe_assemble, safe_text
from dbtui.ui.screens.connection_form import ConnectionForm
from dbtui.ui.screens.connection_test import ConnectionTested, TestsConnections
from dbtui.ui.screens.dialogs import ConfirmScreen


def entry_label(entry: SavedConnection) -> Text:
    """One list row: name, URL (masked, in case a hand-edited file holds a password), flags."""
    label = safe_assemble((entry.name, "bold"), "  ", (mask_password(entry.url), "dim"))
    if entry.read_only:
        label.append("  READ-ONLY", style="yellow")
    if entry.password_env:
        label.append(f"  password from ${display_text(entry.password_env)}", style="cyan")
    return label


class ConnectionsScreen(TestsConnections[str | None]):
    """Saved connections; every change is written to the config file at once."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="connections.close", tooltip="Go back"),
        Binding("a", "add", "Add", id="connections.add", tooltip="Save a new connection"),
        Binding("e", "edit", "Edit", id="connections.edit", tooltip="Edit the connection"),
        Binding("t", "test", "Test", id="connections.test", tooltip="Try to connect"),
        Binding("d", "delete", "Delete", id="connections.delete", tooltip="Remove it (asks first)"),
        Binding(
            "o",
            "open",
            "Open",
            id="connections.open",
            tooltip="Open it next to the current connections",
        ),
    ]

    def __init__(self, path: Path | None = None, *, connect_timeout: float | None = None) -> None:
        super().__init__()
        self.connect_timeout = connect_timeout
        self.path = path or config_path()
        self.config = Config(path=self.path)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall connections-dialog"):
            yield Static(Text("Saved connections", style="bold"), classes="dialog-title")
            yield OptionList(id="connections-list", compact=True)
            yield Static(id="connections-status", classes="dialog-body")
            yield Static(
                safe_text(f"{self.path} · Enter or o opens"),
                id="connections-path",
                classes="dialog-body",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self, select: str | None = None) -> None:
        """Read the config again and fill the list (keeping ``select`` highlighted)."""
        listing = self.query_one(OptionList)
        try:
            self.config = load_config(self.path)
        except ConfigError as error:
            self.config = Config(path=self.path)
            listing.clear_options()
            self.status(f"The config file is invalid; fix it first:\n{error.message}", "red")
            return
        listing.clear_options()
        listing.add_options(Option(entry_label(c), id=c.name) for c in self.config.connections)
        names = self.config.connection_names
        if not names:
            self.status("No saved connections yet: press a to add one.")
        else:
            listing.highlighted = names.index(select) if select in names else 0

    def status(self, text: str, style: str = "") -> None:
        """Show one line of feedback under the list."""
        self.query_one("#connections-status", Static).update(safe_text(text, style=style))

    def selected(self) -> SavedConnection | None:
        """The highlighted saved connection."""
        index = self.query_one(OptionList).highlighted
        connections = self.config.connections
        return connections[index] if index is not None and index < len(connections) else None

    def action_add(self) -> None:
        """Open an empty form; save what it returns."""
        form = ConnectionForm(None, self.config.connection_names, str(self.path))
        form.connect_timeout = self.connect_timeout
        self.app.push_screen(form, lambda entry: self._save(entry, None))

    def action_edit(self) -> None:
        """Open the form on the highlighted connection."""
        entry = self.selected()
        if entry is None:
            return
        form = ConnectionForm(entry, self.config.connection_names, str(self.path))
        form.connect_timeout = self.connect_timeout
        self.app.push_screen(form, lambda new: self._save(new, entry.name))

    def _save(self, entry: SavedConnection | None, old_name: str | None) -> None:
        if entry is None:
            return
        try:
            save_connection(self.path, entry, old_name=old_name)
        except ConfigError as error:
            self.status(f"Not saved: {error.message}", "red")
            return
        self.reload(select=entry.name)
        self.status(f"Saved {entry.name} in {self.path}.", "green")

    def action_test(self) -> None:
        """Try to connect to the highlighted connection."""
        entry = self.selected()
        if entry is not None:
            self.try_entry(entry)

    def on_connection_tested(self, event: ConnectionTested) -> None:
        """Report a test."""
        self.report_test(event)

    def action_delete(self) -> None:
        """Remove the highlighted connection after a yes."""
        entry = self.selected()
        if entry is None:
            return

        def delete(ok: bool | None) -> None:
            if not ok:
                return
            try:
                delete_connection(self.path, entry.name)
            except ConfigError as error:
                self.status(f"Not deleted: {error.message}", "red")
                return
            self.reload()
            self.status(f"Deleted {entry.name}.", "green")

        question = f"Delete the saved connection {entry.name}?"
        self.app.push_screen(ConfirmScreen(question, mask_password(entry.url)), delete)

    def action_open(self) -> None:
        """Close the manager and open the highlighted connection."""
        entry = self.selected()
        if entry is not None:
            self.dismiss(entry.name)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a connection opens it."""
        event.stop()
        self.action_open()
