"""The key browser's top line: connection and database, scan progress, key count and status."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from dbtui.core.display import display_text
from dbtui.ui.key_browser.sorting import SHORT_LABELS
from dbtui.ui.safe import safe_text


@dataclass(frozen=True)
class ScanStatus:
    """Where the key list's scan stands, as the header shows it.

    Attributes:
        keys_seen: Keys the scan returned so far.
        total: Keys in the database when it started.
        filtered: A pattern or type filter is on (the total then means nothing).
        status: One short word or phrase ("scanning… s pauses", "done"...).
        progress: Fraction (0..1) of the keyspace walked.
        sort_by: The key list's order (see :mod:`dbtui.ui.key_browser.sorting`).
    """

    keys_seen: int
    total: int
    filtered: bool
    status: str
    progress: float
    sort_by: str


class BrowserHeader(Horizontal):
    """``name dbN [READ-ONLY]``, a progress bar and ``seen/total status``; shows, never acts.

    Args:
        name: The connection's label.
        db: The database browsed.
        read_only: Whether the connection refuses writes.
    """

    def __init__(self, name: str, db: int, read_only: bool, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.connection_name = name
        self.db = db
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        yield Static(self._name_text(), id="rb-name")
        yield ProgressBar(total=100, show_eta=False, id="rb-bar")
        yield Static(id="rb-count")

    def _name_text(self) -> Text:
        text = safe_text(f" {self.connection_name} ", style="bold reverse")
        text.append(f" db{self.db:d}")
        if self.read_only:
            text.append(" READ-ONLY", style="bold yellow")
        return text

    def show_status(self, scan: ScanStatus) -> None:
        """Redraw the bar and the count line."""
        self.query_one("#rb-bar", ProgressBar).update(progress=scan.progress * 100)
        text = Text(f" {scan.keys_seen:,}")
        text.append(" matching" if scan.filtered else f"/{scan.total:,}")
        text.append(f" {display_text(scan.status)}", style="dim")
        if scan.sort_by != "name":
            text.append(f" · by {SHORT_LABELS[scan.sort_by]:s} (loaded keys)", style="cyan")
        self.query_one("#rb-count", Static).update(text)
