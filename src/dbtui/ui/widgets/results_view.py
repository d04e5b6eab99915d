"""The Results tab: a table that pages in more rows as the cursor nears the end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
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
from dbtui.core.values import format_value

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


class ResultsView(Vertical):
    """Shows one result; asks for more pages through :class:`NeedMore`."""

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
        footer.update(f"{stream.fetched:,} {noun} fetched · {more}{timing}")

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
        stream = result.rows if isinstance(result, RowsResult) else result.documents
        if stream.exhausted:
            return
        if event.coordinate.row >= self.table.row_count - PREFETCH_MARGIN:
            self.loading = True
            self.post_message(self.NeedMore(result))
