"""Ctrl+R: search this connection's query history and put a statement back in the editor."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dbtui.core.display import display_text
from dbtui.core.history import History, HistoryEntry
from dbtui.ui.safe import safe_text


def entry_label(entry: HistoryEntry, width: int = 90) -> Text:
    """One line: when, how long, whether it failed, and the statement."""
    flat = " ".join(entry.statement.split())
    if len(flat) > width:
        flat = flat[: width - 1] + "…"
    when = entry.time.astimezone().strftime("%m-%d %H:%M")
    took = "" if entry.duration_ms is None else f"{entry.duration_ms:,.0f} ms"
    text = safe_text(f"{when} {took:>9} ", style="dim")
    text.append("✖ " if not entry.ok else "  ", style="red")
    text.append(display_text(flat))
    return text


class HistoryScreen(ModalScreen[str | None]):
    """Type to filter (substring, all words, or fuzzy); Enter returns the statement."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="history.close"),
        Binding("down", "focus_list", "Results", show=False, id="history.list"),
    ]

    @dataclass
    class Found(Message):
        """Search results for ``query``."""

        query: str
        entries: list[HistoryEntry]

    def __init__(self, history: History, connection: str) -> None:
        super().__init__()
        self.history = history
        self.connection = connection
        self.entries: list[HistoryEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(
                safe_text(f"History of {self.connection}", style="bold"), classes="dialog-title"
            )
            yield Input(placeholder="search: words, or letters in order (slct usrs)")
            yield OptionList(id="history-list")
            yield Static(
                "Enter puts the statement in the editor · Esc closes", classes="dialog-body"
            )

    def on_mount(self) -> None:
        self.run_search("")

    @work(thread=True, exclusive=True, group="history-search", exit_on_error=False)
    def run_search(self, query: str) -> None:
        """Search the history file off the UI thread."""
        try:
            entries = self.history.search(query)
        except OSError:
            entries = []
        self.post_message(self.Found(query, entries))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def on_history_screen_found(self, event: Found) -> None:
        """Show the matches (stale results for an older query are ignored)."""
        if event.query != self.query_one(Input).value:
            return
        self.entries = event.entries
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(entry_label(entry)) for entry in event.entries])
        if event.entries:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box takes the best match."""
        self.dismiss(self.entries[0].statement if self.entries else None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.entries[event.option_index].statement)

    def action_focus_list(self) -> None:
        """Move from the search box to the list."""
        self.query_one(OptionList).focus()
