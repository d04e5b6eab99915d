"""The result table: a window of the result's rows, paged in and out as the cursor moves.

The cell and clipboard formatting lives in :mod:`dbtui.ui.widgets.results.cells` (its
names are importable from here too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from dbtui.core.errors import UnsupportedError
from dbtui.core.results import (
    DocumentsResult,
    ReplyResult,
    Result,
    RowsResult,
    StatusResult,
    Stream,
)
from dbtui.core.values import DOCUMENT_FIELD, to_json
from dbtui.core.window import WINDOW_PAGES, RowWindow
from dbtui.ui.messages import StatementFailed
from dbtui.ui.safe import safe_cell, safe_text
from dbtui.ui.widgets.results.cells import (
    CELL_WIDTH,
    cell,
    clip,
    clip_text,
    document_columns,
    reply_rows,
    tsv_field,
)
from dbtui.ui.widgets.results.reading import (
    FETCH_ALL_ROWS,
    ReadDone,
    Reading,
    ReadProgress,
    read_job,
)
from dbtui.ui.widgets.results.replies import ReplyView
from dbtui.ui.widgets.results.window_table import WindowTable
from dbtui.ui.workbench import workbench_of

__all__ = [
    "CELL_WIDTH",
    "PAGE_SIZE",
    "ResultsView",
    "cell",
    "clip",
    "clip_text",
    "document_columns",
    "reply_rows",
    "tsv_field",
]

#: Rows or documents fetched per page.
PAGE_SIZE = 500
#: Start fetching the next (previous) page when the cursor is this close to the last (first) row.
PREFETCH_MARGIN = 100
#: Most rows (or documents) held in memory and in the table, whatever the result size.
WINDOW_ROWS = PAGE_SIZE * WINDOW_PAGES


class ResultsView(Vertical):
    """Shows one result; holds only a window of its rows and asks for pages through
    :class:`NeedMore`.

    Memory stays flat at any position in any result: the table and :attr:`items`
    hold at most :data:`WINDOW_ROWS` rows (:class:`~dbtui.core.window.RowWindow`).
    Before posting :class:`NeedMore` the view aims the result's stream at the page
    it wants (``Stream.aim``, no I/O); the screen's worker then fetches it and
    hands it back through :meth:`append`. A stream that cannot seek slides
    forward only: scrolling back above its window says so instead.
    """

    BINDINGS = [
        Binding(
            "e",
            "export",
            "Export",
            id="results.export",
            tooltip="Export the whole result to a file or the clipboard",
        ),
        Binding(
            "c",
            "copy_cell",
            "Copy cell",
            id="results.copy_cell",
            tooltip="Copy the value under the cursor",
        ),
        Binding(
            "C",
            "copy_row",
            "Copy row",
            show=False,
            id="results.copy_row",
            tooltip="Copy the row (tab-separated) or the document (JSON)",
        ),
        Binding(
            "Y",
            "copy_column",
            "Copy column",
            show=False,
            id="results.copy_column",
            tooltip="Copy the column's values held in memory, one per line",
        ),
        Binding(
            "G",
            "last_row",
            "Last row",
            show=False,
            id="results.last_row",
            tooltip="Go to the last row (Ctrl+End too): reads to the end in the background",
        ),
        Binding(
            "F",
            "fetch_all",
            "Fetch all",
            show=False,
            id="results.fetch_all",
            tooltip=f"Read the whole result (memory cap: the last {FETCH_ALL_ROWS:,} rows kept)",
        ),
    ]

    DEFAULT_CSS = """
    ResultsView { height: 1fr; }
    ResultsView > DataTable { height: 1fr; }
    ResultsView > #results-footer { height: 1; color: $text-muted; padding: 0 1; }
    """

    @dataclass
    class NeedMore(Message):
        """The view wants a page: its stream is aimed at it (``fetch(PAGE_SIZE)`` reads it)."""

        result: Result

    @dataclass
    class Export(Message):
        """The user asked to export the shown result."""

        result: Result

    @dataclass
    class OpenValue(Message):
        """The user pressed Enter on a cell: show the value (or document) in full."""

        title: str
        value: object
        type_name: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: Result | None = None
        """The result being shown (its stream is paged on demand)."""
        self.fetching = False
        """A page request is in flight. Not Textual's ``loading`` reactive: that one mounts
        a new LoadingIndicator over the view for every page (whose render cache Textual
        keeps: memory grew with every page) and drops keys meant for the table."""
        self._document_fields: list[str] = []
        self._column_types: list[str] = []
        self._elapsed_ms = 0.0
        self.window: RowWindow[object] = RowWindow(PAGE_SIZE, WINDOW_ROWS)
        """The rows (tuples) or documents held, unformatted, for the viewer and copies."""
        self._asked: tuple[int, int | None] | None = None
        """The page in flight: (its first index, the absolute row to put the cursor on)."""
        self._export_after = False
        self.read_elsewhere = 0
        """Rows an export read past the window of a stream that cannot seek (not shown)."""
        self.read_failed = ""
        """Why reading a page of this result failed ("" while it has not): no more asks."""
        self.reading: Reading | None = None
        """The read to the end running in the background, if any (see :mod:`.reading`)."""
        self.read_note = ""
        """What the last read to the end left to say (stopped, memory cap), for the footer."""
        self._read_after = ""
        """A read to the end asked for while a page was in flight: started after it."""

    @property
    def items(self) -> list[object]:
        """The rows or documents held (the window), in table order."""
        return self.window.items

    @property
    def first_index(self) -> int:
        """Absolute 0-based index of the first row held (table row 0)."""
        return self.window.start

    def compose(self) -> ComposeResult:
        table = WindowTable(id="results-table")
        table.on_jump = self._jump
        yield table
        yield ReplyView(id="reply-view")
        yield Static("No results yet: F5 runs the statement under the cursor.", id="results-footer")

    @property
    def table(self) -> WindowTable:
        """The underlying data table."""
        return self.query_one(WindowTable)

    def _stream(self) -> Stream[object] | None:
        result = self.result
        if isinstance(result, RowsResult):
            return result.rows  # type: ignore[return-value]
        if isinstance(result, DocumentsResult):
            return result.documents  # type: ignore[return-value]
        return None

    def show(self, result: Result, page: Sequence[object], elapsed_ms: float) -> None:
        """Replace the table with ``result`` and its first page."""
        self.cancel_reading()
        self.reading = None
        self.read_note = self._read_after = ""
        self.result = result
        self.fetching = False
        self.read_elsewhere = 0
        self.read_failed = ""
        self._export_after = False
        self._asked = (0, None)
        table = self.table
        replies = self.query_one(ReplyView)
        replies.display = isinstance(result, ReplyResult)
        table.display = table.can_focus = not replies.display  # F4/Tab skip a hidden table
        table.clear(columns=True)
        table.first_number = 1
        self.window.reset()
        self._column_types = []
        if isinstance(result, RowsResult):
            table.add_columns(*(safe_cell(column.name or "?column?") for column in result.columns))
            self._column_types = [column.type_name for column in result.columns]
        elif isinstance(result, DocumentsResult):
            self._document_fields = document_columns(page)  # type: ignore[arg-type]
            table.add_columns(*(safe_cell(name) for name in self._document_fields))
        elif isinstance(result, ReplyResult):
            replies.show(result)  # shown redis-cli style by the ReplyView, not in the table
            page = []
        else:
            table.add_column("status")
            page = [(result.status,)]
        if self._stream() is None:
            self._asked = (0, None)
            self.window.place(0, page, len(page) + 1)
            table.add_numbered([self._cells(item) for item in page])
            self._asked = None
            self._update_footer()
            return
        self.window.capacity = WINDOW_ROWS
        self._elapsed_ms = elapsed_ms
        self.append(page)

    def append(self, page: Sequence[object]) -> None:
        """Place a fetched page (the one asked for) in the window and show the window."""
        self.fetching = False
        asked, self._asked = self._asked, None
        if asked is None:
            return
        start, cursor = asked
        window = self.window
        old_start, old_end = window.start, window.end
        window.place(start, page, PAGE_SIZE)
        stream = self._stream()
        if stream is not None and stream.total is not None:
            window.total = stream.total
        if window.start == old_start and old_end == start and window.end > old_end:
            self.table.add_numbered(
                [self._cells(item) for item in window.items[old_end - old_start :]]
            )
        elif (window.start, window.end) != (old_start, old_end) or cursor is not None:
            rows = [self._cells(item) for item in window.items]
            number = cursor + 1 if cursor is not None else None
            self.table.show_window(window.start + 1, rows, number)
        self._update_footer()
        if self._export_after:
            self._export_after = False
            self.action_export()
        elif self._read_after:
            kind, self._read_after = self._read_after, ""
            self.read_to_end(kind)

    def _cells(self, item: object) -> list[Text | str]:
        """One row's cells (very long strings are cut before formatting, see :func:`clip`)."""
        if isinstance(item, Mapping):
            return [cell(clip(item.get(name)), DOCUMENT_FIELD) for name in self._document_fields]
        types = self._column_types
        values = list(item)  # type: ignore[call-overload]
        return [cell(v, types[i] if i < len(types) else "") for i, v in enumerate(values)]

    def _update_footer(self) -> None:
        result = self.result
        footer = self.query_one("#results-footer", Static)
        if result is None:
            return
        if isinstance(result, StatusResult):
            count = f" · {result.rowcount} row(s) affected" if result.rowcount is not None else ""
            footer.update(safe_text(f"{result.status}{count}"))
            return
        if isinstance(result, ReplyResult):
            footer.update("reply")
            return
        noun = "rows" if isinstance(result, RowsResult) else "documents"
        if self.reading is not None:
            footer.update(safe_text(self.reading.line(noun)))
            return
        if self.read_failed:
            held = self.window.describe(noun)
            footer.update(safe_text(f"{held} · reading more failed (F5 runs it again)"))
            return
        if self.read_elsewhere:
            held = self.window.describe(noun)
            footer.update(safe_text(f"{held} · {self.read_elsewhere:,} more exported (F5 reloads)"))
            return
        more = "scroll down for more (G: last row)" if self.window.more_below else "end of result"
        timing = f" · first page in {self._elapsed_ms:.0f} ms"
        if self.read_note:
            more, timing = self.read_note, ""
        footer.update(safe_text(f"{self.window.describe(noun)} · {more}{timing}"))

    def note_export(self) -> None:
        """An export read the rest of the stream: a stream that cannot seek is spent."""
        stream = self._stream()
        if stream is not None and not stream.seekable:
            self.read_elsewhere = max(0, stream.fetched - self.window.end)
            self._update_footer()

    # ----------------------------------------------------------------- paging
    def page_failed(self, reason: str) -> None:
        """The page asked for could not be read: not loading any more, and no more asks.

        The rows held stay shown; the footer says reading stopped (the screen shows the
        error itself). A new result (:meth:`show`) starts afresh.
        """
        self.fetching = False
        self._asked = None
        self._export_after = False
        self._read_after = ""
        self.read_failed = reason or "error"
        self._update_footer()

    def _ask(self, start: int, cursor: int | None = None) -> bool:
        """Aim the stream at ``start`` and ask the screen for that page; False if refused."""
        stream, result = self._stream(), self.result
        if stream is None or result is None or self.fetching or self.read_failed:
            return False
        try:
            stream.aim(start)
        except UnsupportedError:
            self._cannot_go_back()
            return False
        self._asked = (start, cursor)
        self.fetching = True
        self.post_message(self.NeedMore(result))
        return True

    def _cannot_go_back(self) -> None:
        self.notify(
            f"Rows before row {self.window.start + 1:,} are no longer held and this result "
            "cannot be read again: run the statement again (F5) to see them.",
            severity="warning",
            timeout=6,
        )

    def _jump(self, where: str) -> None:
        """Ctrl+Home / Ctrl+End: row 1, or the last row (read to in the background if need be)."""
        window, table = self.window, self.table
        total = window.total
        if where == "last" and total is None:
            self.read_to_end("last")
            return
        target = 0 if where == "first" else (total - 1 if total else window.end - 1)
        if window.holds(target):
            table.move_cursor(row=target - window.start)
            return
        stream = self._stream()
        if stream is None or not stream.seekable:
            if where == "first":
                self._cannot_go_back()
            return
        self._ask(window.page_of(target), target)

    # ----------------------------------------------------------------- reading to the end
    def action_last_row(self) -> None:
        """Go to the last row: read to the end in the background when it is not known yet."""
        self._jump("last")

    def action_fetch_all(self) -> None:
        """Read the whole result in the background (the last ``FETCH_ALL_ROWS`` rows kept)."""
        self.read_to_end("all")

    def read_to_end(self, kind: str) -> None:
        """Start reading to the end (``kind`` ``"last"`` or ``"all"``, see :mod:`.reading`)."""
        stream, result, window = self._stream(), self.result, self.window
        if stream is None or result is None or self.reading is not None:
            return
        if self.fetching and not self.read_failed and not self.read_elsewhere:
            self._read_after = kind  # a page is in flight: start once it is placed
            return
        if self.fetching or self.read_failed or self.read_elsewhere:
            why = self.read_failed or "a page is being read: press the key again"
            if self.read_elsewhere:
                why = "an export read this result: run it again (F5)"
            self.notify(f"Cannot read to the end now: {why}.", severity="warning")
            return
        if window.total is not None and kind == "last":
            self._jump("last")
            return
        if window.total is not None and window.start == 0 and window.end == window.total:
            self.notify(f"All {window.total:,} rows are held already.", timeout=3)
            return
        from_top = kind == "all" and window.start > 0 and stream.seekable
        position, held = (0, []) if from_top else (window.end, list(window.items))
        try:
            stream.aim(position)
        except UnsupportedError:
            self._cannot_go_back()
            return
        keep = FETCH_ALL_ROWS if kind == "all" else WINDOW_ROWS
        self.reading = Reading(kind, keep, position - len(held), position)
        self.fetching = True
        self.read_note = ""
        self._update_footer()
        self.screen.refresh_bindings()  # Esc / Ctrl+C cancel while it reads
        job = partial(read_job, self.post_message, result, stream, self.reading, held)
        self.run_worker(
            job,
            thread=True,
            group="read-to-end",
            description="read to the end",
            exit_on_error=False,
        )

    def cancel_reading(self) -> bool:
        """Stop the read to the end, if one runs (the rows read so far are shown); True if so."""
        if self.reading is None:
            return False
        self.reading.stop.set()
        self._update_footer()
        return True

    def on_read_progress(self, event: ReadProgress) -> None:
        """Show how far the read to the end got."""
        event.stop()
        reading = self.reading
        if event.result is not self.result or reading is None:
            return
        self._update_footer()
        if reading.kind == "all" and reading.capped and not reading.told:
            reading.told = True
            self.notify(
                f"Memory cap reached: only the last {reading.keep:,} rows are kept; "
                "the reading and the count go on to the end.",
                timeout=8,
            )

    def on_read_done(self, event: ReadDone) -> None:
        """Show the last rows read and put the cursor on the last one (see :mod:`.reading`)."""
        event.stop()
        reading, tail = self.reading, event.tail
        if event.result is not self.result or reading is None:
            return
        self.reading = None
        self.fetching = False
        self.screen.refresh_bindings()
        if tail is None:
            error = event.error
            self.page_failed(error.one_line() if error else "error")
            if error is not None:
                self.post_message(StatementFailed(workbench_of(self).active, "(reading)", error))
            return
        window = self.window
        window.capacity = reading.keep
        window.start, window.items = tail.start, tail.items
        if tail.total is not None:
            window.total = tail.total
        if reading.stop.is_set():
            self.read_note = f"stopped at row {tail.end:,} (cancelled; G reads on)"
        elif reading.kind == "all" and tail.start > reading.first:
            stream = self._stream()
            again = "scrolling up re-reads them" if stream and stream.seekable else "F5 re-runs"
            self.read_note = (
                f"memory cap: the last {reading.keep:,} kept, rows 1-{tail.start:,} "
                f"let go ({again})"
            )
            self.notify(
                f"Read to the end: the last {reading.keep:,} rows are held (memory cap); "
                f"rows 1-{tail.start:,} were let go ({again}).",
                timeout=8,
            )
        rows = [self._cells(item) for item in window.items]
        # The cursor goes to the last row read, unless "all" kept every row read (it stays).
        kept_all = reading.kind == "all" and tail.start <= reading.first
        cursor = None if kept_all and not reading.stop.is_set() else window.end
        self.table.show_window(window.start + 1, rows, cursor)
        self._update_footer()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        """Ask for the next (or previous) page when the cursor nears an end of the window."""
        if self._stream() is None or self.fetching or self.read_elsewhere or self.read_failed:
            return
        table, window = self.table, self.window
        row = table.cursor_coordinate.row
        if row >= table.row_count - PREFETCH_MARGIN:
            below = window.page_below()
            if below is not None:
                self._ask(below)
        elif row < PREFETCH_MARGIN and window.start > 0:
            above = window.page_above()
            stream = self._stream()
            if above is not None and stream is not None and stream.seekable:
                self._ask(above)
            elif row == 0:
                self._cannot_go_back()

    # ----------------------------------------------------------------- copy and export
    def action_export(self) -> None:
        """Ask the screen to export the shown result (from row 1: re-read first if need be)."""
        result, stream = self.result, self._stream()
        if result is None:
            return
        if stream is not None and self.window.start > 0:
            if not stream.seekable:
                self._cannot_go_back()
                return
            self._export_after = self._ask(0, 0)
            if self._export_after:
                self.notify("Reading row 1 again to export the whole result…", timeout=3)
            return
        if stream is not None and not stream.exhausted and stream.seekable:
            stream.aim(self.window.end)  # the export goes on after the rows held
        self.post_message(self.Export(result))

    def _cursor(self) -> tuple[int, int] | None:
        row, column = self.table.cursor_coordinate
        return (row, column) if 0 <= row < len(self.items) else None

    def _column_type(self, column: int) -> str:
        return self._column_types[column] if column < len(self._column_types) else ""

    def _value(self, item: object, column: int) -> object:
        if isinstance(item, Mapping):
            fields = self._document_fields
            return item.get(fields[column]) if column < len(fields) else None
        values = list(item)  # type: ignore[call-overload]
        return values[column] if column < len(values) else None

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what} to the clipboard.", timeout=3)

    def action_copy_cell(self) -> None:
        """Copy the value under the cursor (its full text; NULL copies as empty text)."""
        cursor = self._cursor()
        if cursor is None:
            return
        row, column = cursor
        value = self._value(self.items[row], column)
        what = "NULL (as empty text)" if value is None else "the value"
        self._copy(clip_text(value, self._column_type(column)), what)

    def action_copy_row(self) -> None:
        """Copy the row as one tab-separated line, or the document as JSON."""
        cursor = self._cursor()
        if cursor is None:
            return
        item = self.items[cursor[0]]
        if isinstance(item, Mapping):
            self._copy(to_json(item), "the document")
            return
        values = list(item)  # type: ignore[call-overload]
        fields = (tsv_field(v, self._column_type(i)) for i, v in enumerate(values))
        self._copy("\t".join(fields), "the row")

    def action_copy_column(self) -> None:
        """Copy the column's values held in memory, one per line."""
        cursor = self._cursor()
        if cursor is None:
            return
        column = cursor[1]
        kind = self._column_type(column)
        lines = [tsv_field(self._value(item, column), kind) for item in self.items]
        self._copy("\n".join(lines), f"{len(lines):,} values")

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        """Enter on a cell: the whole value, or the whole document for documents."""
        event.stop()
        row, column = event.coordinate.row, event.coordinate.column
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        number = self.window.start + row + 1
        if isinstance(item, Mapping):
            self.post_message(self.OpenValue(f"document {number:,}", item, ""))
            return
        values = list(item)  # type: ignore[call-overload]
        if column >= len(values):
            return
        label = str(list(self.table.columns.values())[column].label)
        type_name = self._column_types[column] if column < len(self._column_types) else ""
        title = f"row {number:,} · {label}" + (f" ({type_name})" if type_name else "")
        self.post_message(self.OpenValue(title, values[column], type_name))
