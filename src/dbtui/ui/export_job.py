"""Exporting the shown result: the rows already loaded, then the rest of its stream.

:func:`run_export` runs in a thread worker. It writes the loaded rows (or
documents) and then fetches the remaining ones page by page, straight into
the file, so memory stays flat whatever the result size. A clipboard export
goes to a buffer capped at :data:`CLIPBOARD_LIMIT` bytes. Cancelling (a
``threading.Event``) is checked between pages; a cancelled or failed file
export deletes the partial file.

A CSV file export of a result with rows still to fetch, on a driver that is a
:class:`~dbtui.core.capabilities.exporting.ServerExport` (PostgreSQL), runs the
statement again and lets the server write the CSV (``COPY ... TO STDOUT``), many
times faster; when the driver declines (not a plain query), the row path runs.

The rows fetched here are not added to the results table (that would keep
them all in memory): the screen tells the user the table shows only what
was loaded before the export.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from dbtui.core.capabilities.exporting import (
    ExportCancelled as ExportCancelled,  # re-exported: the export dialog and tests catch it here
)
from dbtui.core.capabilities.exporting import (
    ServerExport,
    ServerExportUnavailable,
)
from dbtui.core.errors import DbtuiError
from dbtui.core.export import (
    ROW_WRITERS,
    qualified_name_text,
    split_qualified_name,
    write_extended_json,
)
from dbtui.core.results import (
    DocumentsResult,
    ReplyResult,
    Result,
    RowsResult,
    Stream,
)
from dbtui.core.values import to_json
from dbtui.ui.widgets.results.view import PAGE_SIZE, document_columns, reply_rows

CLIPBOARD_LIMIT = 5 * 1024 * 1024
"""Largest export put on the clipboard, in bytes of UTF-8 (terminals often accept less)."""

FORMAT_LABELS: dict[str, str] = {
    "csv": "CSV",
    "json": "JSON",
    "markdown": "Markdown",
    "sql": "SQL INSERT statements",
    "extended-json": "Extended JSON (MongoDB)",
}
"""Export format key -> what the dialog shows."""

_NAME = r'"(?:[^"]|"")+"|[\w$]+'
_TABLE_AFTER_FROM = re.compile(rf"\bFROM\s+((?:{_NAME})(?:\s*\.\s*(?:{_NAME}))*)", re.IGNORECASE)


class ClipboardTooBig(Exception):
    """The export outgrew :data:`CLIPBOARD_LIMIT`."""


@dataclass(frozen=True)
class ExportSource:
    """What to export: a result as shown, and the stream of the rows not loaded yet.

    Attributes:
        documents: True for documents (MongoDB), False for rows.
        columns: Column names (for documents: the fields of the loaded ones).
        type_names: Column types parallel to ``columns`` (may be empty strings).
        loaded: The rows (tuples) or documents already fetched for the table.
        stream: Where the rest comes from; ``None`` when everything is loaded.
        dialect: ``"postgresql"`` or ``"sqlite"``: spelling of SQL literals.
        table: A guess at the table name for SQL INSERT statements.
        statement: The statement that produced the rows ("" when unknown).
        server: The driver, when it can export ``statement`` itself (CSV only).
    """

    documents: bool
    columns: tuple[str, ...]
    type_names: tuple[str, ...]
    loaded: tuple[object, ...]
    stream: Stream[object] | None
    dialect: str = "postgresql"
    table: str = "exported_rows"
    statement: str = ""
    server: ServerExport | None = None

    @property
    def formats(self) -> list[str]:
        """The formats that fit this result, the most natural first."""
        if self.documents:
            return ["extended-json", "json", "csv", "markdown"]
        return ["csv", "json", "markdown", "sql"]

    @property
    def complete(self) -> bool:
        """True when every row is already loaded."""
        return self.stream is None or self.stream.exhausted


def source_of(
    result: Result, items: Sequence[object], dialect: str, driver: object = None
) -> ExportSource | None:
    """An :class:`ExportSource` for ``result`` and its loaded ``items``; ``None`` for a status.

    ``dialect`` spells the literals of SQL exports (see
    :func:`dbtui.core.capabilities.sql_dialect_of`); ``driver`` (the one that ran
    ``result``) is kept when it is a :class:`ServerExport`.
    """
    loaded = tuple(items)
    if isinstance(result, RowsResult):
        columns = tuple(column.name or "?column?" for column in result.columns)
        types = tuple(column.type_name for column in result.columns)
        stream: Stream[object] = result.rows  # type: ignore[assignment]
        server = driver if isinstance(driver, ServerExport) else None
        table = guess_table(result.statement)
        return ExportSource(
            False, columns, types, loaded, stream, dialect, table, result.statement, server
        )
    if isinstance(result, DocumentsResult):
        fields = tuple(document_columns(loaded))  # type: ignore[arg-type]
        docs: Stream[object] = result.documents  # type: ignore[assignment]
        return ExportSource(True, fields, ("",) * len(fields), loaded, docs, dialect)
    if isinstance(result, ReplyResult):
        names, rows = reply_rows(result.reply)
        return ExportSource(False, tuple(names), ("",) * len(names), tuple(rows), None, dialect)
    return None


def guess_table(statement: str) -> str:
    """The first name after FROM with its schema (``public."Order Items"``), else ``exported_rows``.

    Written so that :func:`table_parts` reads it back to the same parts.
    """
    match = _TABLE_AFTER_FROM.search(statement)
    if match is None:
        return "exported_rows"
    parts = split_qualified_name(match.group(1))
    return qualified_name_text(parts) if parts else "exported_rows"


def table_parts(text: str) -> str | tuple[str, ...]:
    """The table field as :func:`~dbtui.core.export.write_sql_inserts` takes it.

    A dotted SQL name is read as the server reads it (``public."Order Items"`` is two
    parts, ``"odd.name"`` one, unquoted parts lower-cased); text that is not an SQL name
    (``my table``) is one name as typed.
    """
    text = text.strip()
    parts = split_qualified_name(text)
    if parts is None:
        return text
    return parts[0] if len(parts) == 1 else parts


@dataclass(frozen=True)
class ExportRequest:
    """What the user chose: a format, and a file (``None`` for the clipboard)."""

    format: str
    path: Path | None
    table: str = "exported_rows"


@dataclass(frozen=True)
class ExportOutcome:
    """A finished export: how many rows, and the text when it was for the clipboard."""

    count: int
    path: Path | None
    text: str | None


class _CappedBuffer(io.StringIO):
    """A StringIO that raises :class:`ClipboardTooBig` past ``limit`` bytes of UTF-8."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8"))
        if self.size > self.limit:
            raise ClipboardTooBig
        return super().write(text)


def items(
    source: ExportSource, cancelled: threading.Event, progress: Callable[[int], None]
) -> Iterator[object]:
    """The loaded items, then the stream's remaining ones a page at a time.

    Raises:
        ExportCancelled: ``cancelled`` was set (checked before every page).
        DbtuiError: fetching a page failed.
    """
    yield from source.loaded
    count = len(source.loaded)
    progress(count)
    stream = source.stream
    while stream is not None and not stream.exhausted:
        if cancelled.is_set():
            raise ExportCancelled
        page = stream.fetch(PAGE_SIZE)
        yield from page
        count += len(page)
        progress(count)


def write_items(
    out: TextIO, source: ExportSource, request: ExportRequest, rows: Iterator[object]
) -> int:
    """Write ``rows`` (items of ``source``) to ``out`` in ``request.format``; the count."""
    fmt = request.format
    if fmt == "extended-json":
        return write_extended_json(out, (_as_document(item, source) for item in rows))
    if fmt == "json" and source.documents:
        return _write_documents_json(out, rows)
    tuples = (_as_row(item, source.columns) for item in rows)
    if fmt == "sql":
        return ROW_WRITERS["sql"](
            out,
            source.columns,
            tuples,
            table=table_parts(request.table),
            dialect=source.dialect,
            type_names=source.type_names,
        )
    return ROW_WRITERS[fmt](out, source.columns, tuples, type_names=source.type_names)


def _as_row(item: object, columns: Sequence[str]) -> Sequence[object]:
    if isinstance(item, Mapping):
        return tuple(item.get(name) for name in columns)
    return item  # type: ignore[return-value]


def _as_document(item: object, source: ExportSource) -> Mapping[str, object]:
    if isinstance(item, Mapping):
        return item
    return dict(zip(source.columns, item, strict=False))  # type: ignore[call-overload]


def _write_documents_json(out: TextIO, documents: Iterator[object]) -> int:
    """Documents as a JSON array, one per line (ObjectIds and dates as their text)."""
    count = 0
    for document in documents:
        out.write(("[\n  " if count == 0 else ",\n  ") + to_json(document))
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def run_export(
    source: ExportSource,
    request: ExportRequest,
    cancelled: threading.Event,
    progress: Callable[[int], None],
) -> ExportOutcome:
    """Export every row of ``source`` as ``request`` says (blocking: run it in a worker).

    Raises:
        ExportCancelled: the user cancelled (a partial file is deleted).
        ClipboardTooBig: the clipboard text would pass :data:`CLIPBOARD_LIMIT`.
        OSError: the file cannot be written (a partial file is deleted).
        DbtuiError: fetching rows failed (a partial file is deleted).
    """
    if _server_csv(source, request):
        count = _server_export(source, request, cancelled, progress)
        if count is not None:
            return ExportOutcome(count, request.path, None)
    rows = items(source, cancelled, progress)
    if request.path is None:
        buffer = _CappedBuffer(CLIPBOARD_LIMIT)
        count = write_items(buffer, source, request, rows)
        return ExportOutcome(count, None, buffer.getvalue())
    path = request.path
    with path.open("w", encoding="utf-8", newline="") as out:
        try:
            count = write_items(out, source, request, rows)
        except (ExportCancelled, OSError, DbtuiError):
            out.close()
            with contextlib.suppress(OSError):
                path.unlink()
            raise
    return ExportOutcome(count, path, None)


def _server_csv(source: ExportSource, request: ExportRequest) -> bool:
    """True when the server should write this export: CSV to a file, rows left to fetch."""
    return (
        request.format == "csv"
        and request.path is not None
        and source.server is not None
        and bool(source.statement)
        and not source.documents
        and not source.complete
    )


def _server_export(
    source: ExportSource,
    request: ExportRequest,
    cancelled: threading.Event,
    progress: Callable[[int], None],
) -> int | None:
    """The server's CSV export into ``request.path``; ``None`` when the driver declined.

    Raises:
        ExportCancelled, OSError, DbtuiError: as :func:`run_export` (the file is deleted).
    """
    assert source.server is not None
    assert request.path is not None
    path = request.path

    def rows_written(rows: int, size: int) -> None:
        del size
        progress(rows)

    try:
        with path.open("wb") as out:
            return _server_write(source.server, source.statement, out, rows_written, cancelled)
    except ServerExportUnavailable:
        return None
    except (ExportCancelled, OSError, DbtuiError):
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _server_write(
    server: ServerExport,
    statement: str,
    out: BinaryIO,
    progress: Callable[[int, int], None],
    cancelled: threading.Event,
) -> int:
    if cancelled.is_set():
        raise ExportCancelled
    return server.export_csv(statement, out, progress, cancelled)
