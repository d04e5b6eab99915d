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


def cell(value: object) -> Text | str:
    """A value as a table cell: NULL is styled apart from the string 'NULL'."""
    if value is None:
        return NULL
    text = format_value(value).replace("\n", "↵")
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: Result | None = None
        """The result being shown (its stream is paged on demand)."""
        self.loading = False
        """A page request is in flight."""
        self._document_fields: list[str] = []
        self._elapsed_ms = 0.0

    def compose(self) -> ComposeResult:
        yield DataTable(id="results-table", zebra_stripes=True, cursor_type="cell")
        yield Static(
            "No results yet: type a statement and press F5 (or Ctrl+Enter).", id="results-footer"
        )

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
        if isinstance(result, RowsResult):
            table.add_columns(*(column.name or "?column?" for column in result.columns))
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
        for item in page:
            if isinstance(item, Mapping):
                table.add_row(*(cell(item.get(name)) for name in self._document_fields))
            else:
                table.add_row(*(cell(value) for value in item))  # type: ignore[attr-defined]
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
