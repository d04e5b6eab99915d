"""Export a result to CSV, JSON, Markdown, SQL INSERT statements or Extended JSON.

Every writer takes ``(out, columns, rows)``: ``out`` a text stream (a file
opened with ``newline=""``, or ``io.StringIO`` for the clipboard),
``columns`` the column names, ``rows`` any iterable of row sequences (a
generator that fetches pages from a :class:`~dbtui.core.results.Stream` keeps
memory flat: nothing is collected). Each writer returns the number of rows
(or documents) written. ``type_names`` (parallel to ``columns``, from
``Column.type_name``) lets json/jsonb values render as JSON and guides SQL
literals; it may be omitted.

Text renderings use :func:`~dbtui.core.values.format_value`, the same text
the result grid shows, which is also PostgreSQL's input syntax (``\\x...``
bytea, ``{1,2}`` arrays, ISO dates), so a CSV export loads back with
``COPY ... FROM ... (FORMAT csv, HEADER)``.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TextIO

from dbtui.core.sql_literals import quote_identifier, sql_literal
from dbtui.core.values import format_value, to_json

Rows = Iterable[Sequence[object]]

EXTENSIONS: dict[str, str] = {
    "csv": ".csv",
    "json": ".json",
    "markdown": ".md",
    "sql": ".sql",
    "extended-json": ".json",
}
"""Export format name -> usual file extension. ``extended-json`` is for documents."""

MARKDOWN_NULL = "*NULL*"
"""How NULL shows in Markdown (the text ``*NULL*`` itself is written ``\\*NULL\\*``)."""

_MD_ESCAPED = frozenset("\\`*_[]<>|~&")


@lru_cache(maxsize=1)
def _extended_json() -> tuple[Any, Any]:
    """``bson.json_util`` and its relaxed options (bson is imported on the first such export)."""
    from bson import json_util
    from bson.binary import UuidRepresentation

    options = json_util.RELAXED_JSON_OPTIONS.with_options(
        uuid_representation=UuidRepresentation.STANDARD
    )
    return json_util, options


def _types(columns: Sequence[str], type_names: Sequence[str] | None) -> list[str]:
    names = list(type_names or ())
    return [names[i] if i < len(names) else "" for i in range(len(columns))]


def write_csv(
    out: TextIO,
    columns: Sequence[str],
    rows: Rows,
    *,
    type_names: Sequence[str] | None = None,
    header: bool = True,
    delimiter: str = ",",
    line_terminator: str = "\n",
) -> int:
    """Write CSV the way PostgreSQL's ``COPY ... (FORMAT csv)`` does.

    NULL is an empty unquoted field; an empty string is ``""``. Fields holding
    the delimiter, a quote, a line break, or leading/trailing spaces are
    quoted, with quotes doubled.
    """
    types = _types(columns, type_names)
    if header:
        out.write(csv_header(columns, delimiter) + line_terminator)
    count = 0
    for row in rows:
        fields = (
            "" if value is None else _csv_field(format_value(value, kind), delimiter)
            for value, kind in zip(row, types, strict=False)
        )
        out.write(delimiter.join(fields) + line_terminator)
        count += 1
    return count


def csv_header(columns: Sequence[str], delimiter: str = ",") -> str:
    """The header line of :func:`write_csv` for ``columns``, without the line terminator."""
    return delimiter.join(_csv_field(name, delimiter) for name in columns)


def _csv_field(text: str, delimiter: str) -> str:
    special = (
        not text
        or delimiter in text
        or any(ch in text for ch in '"\r\n')
        or text[0].isspace()
        or text[-1].isspace()
        or text == "\\."  # COPY's end-of-data marker
    )
    return '"' + text.replace('"', '""') + '"' if special else text


def unique_names(columns: Sequence[str]) -> list[str]:
    """Column names made unique for JSON keys: a repeated ``a`` becomes ``a_2``, ``a_3``..."""
    seen: set[str] = set()
    names = []
    for name in columns:
        candidate, number = name, 1
        while candidate in seen:
            number += 1
            candidate = f"{name}_{number}"
        seen.add(candidate)
        names.append(candidate)
    return names


def write_json(
    out: TextIO, columns: Sequence[str], rows: Rows, *, type_names: Sequence[str] | None = None
) -> int:
    """Write a JSON array with one object per row, one row per line.

    Numbers stay exact (``Decimal`` is written as a JSON number), NULL is
    ``null``, JSON columns are nested JSON, arrays are JSON arrays, and
    everything else (dates, bytes as ``\\x...``, UUIDs) is its display text.
    Repeated column names get a suffix (:func:`unique_names`).
    """
    del type_names  # accepted like the other writers; JSON needs no type hints
    keys = [to_json(name) for name in unique_names(columns)]
    count = 0
    for row in rows:
        pairs = (f"{key}: {to_json(value)}" for key, value in zip(keys, row, strict=False))
        out.write(("[\n  " if count == 0 else ",\n  ") + "{" + ", ".join(pairs) + "}")
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def write_markdown(
    out: TextIO, columns: Sequence[str], rows: Rows, *, type_names: Sequence[str] | None = None
) -> int:
    """Write a GitHub-flavoured Markdown table (columns are not padded: it streams).

    Cell text is escaped so it reads back exactly: Markdown punctuation gets a
    backslash, a line break becomes ``<br>``, a carriage return and
    leading/trailing spaces or tabs become character references. NULL is
    :data:`MARKDOWN_NULL`.
    """
    if not columns:
        return 0
    types = _types(columns, type_names)
    out.write("| " + " | ".join(markdown_cell(name) for name in columns) + " |\n")
    out.write("|" + "|".join(" --- " for _ in columns) + "|\n")
    count = 0
    for row in rows:
        cells = (
            MARKDOWN_NULL if value is None else markdown_cell(format_value(value, kind))
            for value, kind in zip(row, types, strict=False)
        )
        out.write("| " + " | ".join(cells) + " |\n")
        count += 1
    return count


def markdown_cell(text: str) -> str:
    """``text`` escaped for one Markdown table cell (see :func:`write_markdown`)."""
    body = text.strip(" \t")
    lead = text[: len(text) - len(text.lstrip(" \t"))]
    trail = text[len(lead) + len(body) :]
    return _references(lead) + "".join(_md_char(ch) for ch in body) + _references(trail)


def _references(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


def _md_char(ch: str) -> str:
    if ch in _MD_ESCAPED:
        return "\\" + ch
    if ch == "\n":
        return "<br>"
    if ch == "\r":
        return "&#13;"
    return ch


def write_sql_inserts(
    out: TextIO,
    columns: Sequence[str],
    rows: Rows,
    *,
    table: str | Sequence[str],
    dialect: str = "postgresql",
    type_names: Sequence[str] | None = None,
    rows_per_statement: int = 1,
) -> int:
    """Write ``INSERT INTO table (cols) VALUES (...);`` statements.

    Args:
        table: One identifier (``"my table"``, quoted as is) or its parts
            (``("public", "users")``); never split on dots.
        dialect: ``"postgresql"`` or ``"sqlite"``: decides the spelling of
            binary values (``'\\x..'::bytea`` / ``X'..'``), booleans and
            non-finite numbers (see :func:`~dbtui.core.sql_literals.sql_literal`).
        rows_per_statement: Rows grouped in one multi-row ``VALUES`` list.
    """
    head = _insert_head(table, columns)
    types = _types(columns, type_names)
    per_statement = max(1, rows_per_statement) if columns else 1
    batch: list[str] = []
    count = 0
    for row in rows:
        literals = (sql_literal(v, dialect, k) for v, k in zip(row, types, strict=False))
        batch.append("(" + ", ".join(literals) + ")" if columns else "DEFAULT VALUES")
        count += 1
        if len(batch) >= per_statement:
            out.write(_insert(head, batch))
            batch.clear()
    if batch:
        out.write(_insert(head, batch))
    return count


_NAME_PART = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^".\s]+))\s*')


def split_qualified_name(text: str) -> tuple[str, ...] | None:
    """The parts of a dotted SQL name as the server reads them; ``None`` when it is not one.

    ``public."Order Items"`` is ``("public", "Order Items")``; ``"odd.name"`` is one part;
    an unquoted part is folded to lower case (``Sales.Orders`` is ``("sales", "orders")``,
    as PostgreSQL reads it; SQLite ignores the case of names). ``my table`` (a space
    outside quotes) or an empty part is not a name.
    """
    parts: list[str] = []
    pos = 0
    while True:
        match = _NAME_PART.match(text, pos)
        if match is None or match.end() == pos:
            return None
        quoted, bare = match.groups()
        parts.append(quoted.replace('""', '"') if quoted is not None else bare.lower())
        pos = match.end()
        if pos == len(text):
            return tuple(parts)
        if text[pos] != ".":
            return None
        pos += 1


def qualified_name_text(parts: Sequence[str]) -> str:
    """``parts`` written back as a dotted name :func:`split_qualified_name` reads the same.

    A part that is a plain lower-case identifier stays bare; any other is double-quoted.
    """
    return ".".join(
        part if re.fullmatch(r"[a-z_][a-z0-9_$]*", part) else quote_identifier(part)
        for part in parts
    )


def _insert_head(table: str | Sequence[str], columns: Sequence[str]) -> str:
    parts = [table] if isinstance(table, str) else list(table)
    target = ".".join(quote_identifier(part) for part in parts)
    if not columns:
        return f"INSERT INTO {target}"
    names = ", ".join(quote_identifier(name) for name in columns)
    return f"INSERT INTO {target} ({names}) VALUES"


def _insert(head: str, values: list[str]) -> str:
    if len(values) == 1:
        return f"{head} {values[0]};\n"
    return head + "\n  " + ",\n  ".join(values) + ";\n"


def write_extended_json(out: TextIO, documents: Iterable[Mapping[str, object]]) -> int:
    """Write documents as a JSON array in relaxed Extended JSON, one document per line.

    ``{"$oid": ...}``, ``{"$date": ...}``, ``{"$numberDecimal": ...}``...: what
    ``mongoimport --jsonArray`` and ``bson.json_util.loads`` read back to
    the same BSON values (UUIDs in the standard representation).
    """
    json_util, options = _extended_json()
    count = 0
    for document in documents:
        text = json_util.dumps(document, json_options=options, ensure_ascii=False)
        out.write(("[\n  " if count == 0 else ",\n  ") + text)
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


Writer = Callable[..., int]

ROW_WRITERS: dict[str, Writer] = {
    "csv": write_csv,
    "json": write_json,
    "markdown": write_markdown,
    "sql": write_sql_inserts,
}
"""Row export formats by name (``sql`` needs ``table=`` and ``dialect=``)."""


def in_tmux(environ: Mapping[str, str] | None = None) -> bool:
    """True when running inside tmux (``$TMUX`` is set)."""
    return bool((os.environ if environ is None else environ).get("TMUX"))


def osc52(text: str, *, tmux: bool = False) -> str:
    """The OSC 52 escape sequence that puts ``text`` on the terminal's clipboard.

    This is what Textual's ``App.copy_to_clipboard`` already writes
    (``ESC ] 52 ; c ; <base64> BEL``); it works over SSH in terminals that
    allow it. Inside tmux that sequence only reaches the outer terminal when
    tmux has ``set -s set-clipboard on``; with ``tmux=True`` it is wrapped in
    a DCS passthrough (``ESC P tmux; ... ESC \\``), which needs
    ``set -g allow-passthrough on`` (tmux 3.3+). Terminals cap the size they
    accept (often about 100 kB of base64); bigger exports belong in a file.
    """
    sequence = f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\x07"
    if tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence
