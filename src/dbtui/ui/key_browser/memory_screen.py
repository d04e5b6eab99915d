"""The memory view (``M``): biggest keys and namespaces by bytes, and memory advice, for a keyspace."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import get_current_worker

from dbtui.core.advice import HealthFinding
from dbtui.core.advice_text import size_text
from dbtui.core.capabilities.keys import MemoryAnalysis
from dbtui.core.errors import DbtuiError
from dbtui.ui.safe import safe_cell, safe_text
from dbtui.ui.screens.advice_detail import AdviceDetailScreen
from dbtui.ui.widgets.plan.view import SEVERITY_STYLE


class MemoryScreen(ModalScreen[None]):
    """Measure every key (SCAN + MEMORY USAGE, read-only) in a worker, then list findings."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="redis.memory.close", tooltip="Stop and close"),
    ]

    @dataclass
    class Progress(Message):
        """How far the measuring pass is."""

        fraction: float
        keys: int

    @dataclass
    class Done(Message):
        """The findings (or why the pass failed)."""

        findings: list[HealthFinding]
        error: DbtuiError | None = None

    def __init__(self, keys: MemoryAnalysis, delimiter: bytes) -> None:
        super().__init__()
        self.keys = keys
        self.delimiter = delimiter
        self.cancelled = threading.Event()
        self.findings: list[HealthFinding] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(
                Text("Memory: measuring every key (read-only)…", style="bold"), id="memory-title"
            )
            yield ProgressBar(total=1.0, show_eta=False, id="memory-progress")
            yield DataTable(id="memory-table", cursor_type="row")
            yield Static("Enter: details · Esc: stop and close", classes="dialog-body")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("finding", "subject", "size", "detail")
        table.focus()
        self.measure()

    @work(thread=True, exclusive=True, group="redis-memory", exit_on_error=False)
    def measure(self) -> None:
        """The measuring pass, off the UI thread."""
        try:
            findings = self.keys.analyse_memory(
                self.delimiter,
                cancelled=self.cancelled,
                progress=self._progress,
            )
        except DbtuiError as error:
            self.post_message(self.Done([], error))
            return
        self.post_message(self.Done(findings))

    def _progress(self, fraction: float, keys: int) -> None:
        """Report progress (worker thread); a cancelled worker stops the pass."""
        if get_current_worker().is_cancelled:
            self.cancelled.set()
        self.post_message(self.Progress(fraction, keys))

    def on_unmount(self) -> None:
        """Stop the pass when the view goes away."""
        self.cancelled.set()

    def on_memory_screen_progress(self, event: Progress) -> None:
        self.query_one(ProgressBar).update(progress=event.fraction)
        title = f"Memory: {event.keys:,} keys measured…"
        self.query_one("#memory-title", Static).update(Text(title, style="bold"))

    def on_memory_screen_done(self, event: Done) -> None:
        """Show the findings, biggest first within each kind."""
        self.query_one(ProgressBar).update(progress=1.0)
        if event.error is not None:
            self.query_one("#memory-title", Static).update(
                safe_text(event.error.one_line(), style="red")
            )
            return
        self.findings = event.findings
        stopped = " (stopped early)" if self.cancelled.is_set() else ""
        title = f"Memory: {len(event.findings)} finding(s){stopped}"
        self.query_one("#memory-title", Static).update(safe_text(title, style="bold"))
        table = self.query_one(DataTable)
        for finding in event.findings:
            size = size_text(finding.frees_bytes or finding.costs_bytes)
            kind = safe_text(
                finding.kind.value, style=SEVERITY_STYLE[finding.severity] or "default"
            )
            table.add_row(
                kind, safe_cell(finding.subject), safe_cell(size), safe_cell(finding.detail)
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.findings):
            self.app.push_screen(AdviceDetailScreen(self.findings[event.cursor_row]))

    def action_close(self) -> None:
        """Stop the pass (if running) and close."""
        self.cancelled.set()
        self.dismiss(None)
