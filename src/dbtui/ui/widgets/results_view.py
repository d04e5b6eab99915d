"""The Results tab: a table that pages in more rows as the cursor nears the end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from dbtui.core.results import (
    DocumentsResult,
    ReplyResult,
    Result,
    RowsResult,
    StatusResult,
)
from dbtui.core.values import format_value, to_json

#: Rows or documents fetched per page.
PAGE_SIZE = 500
#: Start fetching the next page when the cursor is this close to the last row.
PREFETCH_MARGIN = 50
#: Longest text shown in a cell; the full value is in the cell viewer.
CELL_WIDTH = 60

NULL = Text("NULL", style="dim italic")


def cell(value: object, type_name: str = "") -> Text | str:
    """A value as a table cell: NULL is styled apart from the string 'NULL'."""
    if value is None:
        return NULL
    text = format_value(value, type_name).replace("\n", "↵")
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def document_columns(documents: Sequence[Mapping[str, object]]) -> list[str]:
    """Top-level field names of a page of documents, in first-seen order."""
    seen: dict[str, None] = {}
    for document in documents:
        seen.update(dict.fromkeys(document))
    return list(seen)


def reply_rows(reply: object) -> tuple[list[str], list[tuple[object, ...]]]:
    """A Redis reply as table columns and rows (nested values stay one cell)."""
    if isinstance(reply, Mapping):
        return ["field", "value"], [(key, value) for key, value in reply.items()]
    if isinstance(reply, list | tuple | set | frozenset):
        return ["#", "value"], [(number, item) for number, item in enumerate(reply, 1)]
    return ["reply"], [(reply,)]


def clip_text(value: object, type_name: str = "") -> str:
    """A value as copied to the clipboard: its full text; NULL is empty."""
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        return to_json(value)
    return format_value(value, type_name)


def tsv_field(value: object, type_name: str = "") -> str:
    """A value for a tab-separated line: tabs and line breaks written ``\\t``, ``\\n``, ``\\r``.

    Meant for pasting (a spreadsheet, a chat); export is the exact, reversible way out.
    """
    text = clip_text(value, type_name)
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class ResultsView(Vertical):
    """Shows one result; asks for more pages through :class:`NeedMore`."""

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
            tooltip="Copy the column's loaded values, one per line",
        ),
    ]

    DEFAULT_CSS = """
    ResultsView { height: 1fr; }
    ResultsView > DataTable { height: 1fr; }
    ResultsView > #results-footer { height: 1; color: $text-muted; padding: 0 1; }
    """

    @dataclass
    class NeedMore(Message):
        """The cursor is near the last loaded row and more rows exist."""

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
        self.loading = False
        """A page request is in flight."""
        self._document_fields: list[str] = []
        self._column_types: list[str] = []
        self._elapsed_ms = 0.0
        self.items: list[object] = []
        """Every loaded row (tuple) or document, unformatted, for the value viewer."""
        self.read_elsewhere = 0
        """Rows of the stream an export read past the loaded ones (not shown here)."""

    def compose(self) -> ComposeResult:
        yield DataTable(id="results-table", zebra_stripes=True, cursor_type="cell")
        yield Static("No results yet: F5 runs the statement under the cursor.", id="results-footer")

    @property
    def table(self) -> DataTable[object]:
        """The underlying data table."""
        return self.query_one(DataTable)

    def show(self, result: Result, page: Sequence[object], elapsed_ms: float) -> None:
        """Replace the table with ``result`` and its first page."""
        self.result = result
        self.loading = False
        self.read_elsewhere = 0
        table = self.table
        table.clear(columns=True)
        self.items = []
        self._column_types = []
        if isinstance(result, RowsResult):
            table.add_columns(*(column.name or "?column?" for column in result.columns))
            self._column_types = [column.type_name for column in result.columns]
        elif isinstance(result, DocumentsResult):
            self._document_fields = document_columns(page)  # type: ignore[arg-type]
            table.add_columns(*self._document_fields)
        elif isinstance(result, ReplyResult):
            columns, rows = reply_rows(result.reply)
            table.add_columns(*columns)
            page = rows
        else:
            table.add_column("status")
            page = [(result.status,)]
        self._elapsed_ms = elapsed_ms
        self.append(page)

    def append(self, page: Sequence[object]) -> None:
        """Add a page of rows (or documents) below the loaded ones."""
        self.loading = False
        table = self.table
        types = self._column_types
        for item in page:
            self.items.append(item)
            if isinstance(item, Mapping):
                table.add_row(*(cell(item.get(name)) for name in self._document_fields))
            else:
                values = list(item)  # type: ignore[call-overload]
                table.add_row(
                    *(cell(v, types[i] if i < len(types) else "") for i, v in enumerate(values))
                )
        self._update_footer()

    def _update_footer(self) -> None:
        result = self.result
        footer = self.query_one("#results-footer", Static)
        if result is None:
            return
        if isinstance(result, StatusResult):
            count = f" · {result.rowcount} row(s) affected" if result.rowcount is not None else ""
            footer.update(f"{result.status}{count}")
            return
        if isinstance(result, ReplyResult):
            footer.update("reply")
            return
        stream = result.rows if isinstance(result, RowsResult) else result.documents
        noun = "row" if isinstance(result, RowsResult) else "document"
        noun += "" if stream.fetched == 1 else "s"
        more = "more available: scroll down to load" if not stream.exhausted else "all fetched"
        timing = f" · first page in {self._elapsed_ms:.0f} ms"
        if self.read_elsewhere:
            shown = len(self.items)
            footer.update(f"{shown:,} shown · {self.read_elsewhere:,} more exported (F5 reloads)")
            return
        footer.update(f"{stream.fetched:,} {noun} fetched · {more}{timing}")

    def note_export(self) -> None:
        """An export read the rest of the stream: say that the table shows only part of it."""
        result = self.result
        if isinstance(result, RowsResult | DocumentsResult):
            stream = result.rows if isinstance(result, RowsResult) else result.documents
            self.read_elsewhere = max(0, stream.fetched - len(self.items))
            self._update_footer()

    # ----------------------------------------------------------------- copy and export
    def action_export(self) -> None:
        """Ask the screen to export the shown result."""
        if self.result is not None:
            self.post_message(self.Export(self.result))

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
        """Copy the column's loaded values, one per line."""
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
        if isinstance(item, Mapping):
            self.post_message(self.OpenValue(f"document {row + 1}", item, ""))
            return
        values = list(item)  # type: ignore[call-overload]
        if column >= len(values):
            return
        label = str(list(self.table.columns.values())[column].label)
        type_name = self._column_types[column] if column < len(self._column_types) else ""
        title = f"row {row + 1} · {label}" + (f" ({type_name})" if type_name else "")
        self.post_message(self.OpenValue(title, values[column], type_name))

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        """Ask for the next page when the cursor approaches the last loaded row."""
        result = self.result
        if result is None or self.loading or isinstance(result, StatusResult | ReplyResult):
            return
        if self.read_elsewhere:  # an export read rows past these: paging would leave a gap
            return
        stream = result.rows if isinstance(result, RowsResult) else result.documents
        if stream.exhausted:
            return
        if event.coordinate.row >= self.table.row_count - PREFETCH_MARGIN:
            self.loading = True
            self.post_message(self.NeedMore(result))
