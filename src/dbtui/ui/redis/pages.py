"""Reading one page of a key's value (thread side): what to ask for and what came back.

:func:`load_page` turns a :class:`PageRequest` into a :class:`ValuePage`
with the driver's paged readers; it blocks on the network and must run in a
thread worker. It never reads a whole big collection: strings come in 64 KiB
chunks, collections in ``*SCAN``/``LRANGE``/``XRANGE`` pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dbtui.core.keytree import glob_escape, is_glob
from dbtui.drivers.redis import values
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.meta import JSON_TYPE

PAGE_SIZE = 200
"""Elements per page (an exact size for ranges, a COUNT hint for *SCAN)."""

Cell = bytes | float | int

#: Table columns per type.
COLUMNS: dict[str, tuple[str, ...]] = {
    "hash": ("field", "value"),
    "list": ("#", "element"),
    "set": ("member",),
    "zset": ("member", "score"),
    "stream": ("id", "fields"),
}
FILTERABLE = ("hash", "set", "zset")
"""Types whose elements can be filtered by a glob on the server (``*SCAN MATCH``)."""


@dataclass(frozen=True)
class PageRequest:
    """Which part of a value to read.

    Attributes:
        key: The key name (exact bytes).
        type: Its Redis type (``TYPE`` reply).
        cursor: ``*SCAN`` cursor for hash/set/zset pages (0 = first page).
        offset: Byte offset for strings; elements to skip for lists.
        stream_from: Exclusive or inclusive bound for the next stream page
            (``None`` = start from the first or, reversed, the last entry).
        from_end: Lists from the tail, streams newest first.
        match: Glob on field names or members (hash/set/zset).
    """

    key: bytes
    type: str
    cursor: int = 0
    offset: int = 0
    stream_from: bytes | None = None
    from_end: bool = False
    match: bytes | None = None


@dataclass(frozen=True)
class ValuePage:
    """One page of a value, ready to be shown.

    Attributes:
        request: What was asked (the viewer ignores pages of a key it left).
        rows: Table rows (raw cells, formatted by the viewer); empty for strings.
        data: The bytes of a string chunk (or a RedisJSON document's text).
        total: Bytes of a string, elements of a collection, entries of a
            stream; ``None`` when the reader does not say.
        next: The request for the following page; ``None`` when this was the last.
        notes: Extra lines to show above the table (stream consumer groups).
    """

    request: PageRequest
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    data: bytes | None = None
    total: int | None = None
    next: PageRequest | None = None
    notes: list[str] = field(default_factory=list)


def field_filter(text: bytes) -> bytes | None:
    """The ``*SCAN MATCH`` pattern for a field filter: globs as typed, plain text as a substring."""
    if not text:
        return None
    return text if is_glob(text) else b"*" + glob_escape(text) + b"*"


def load_page(keyspace: Keyspace, request: PageRequest) -> ValuePage:
    """Read the page ``request`` names (blocking).

    Raises:
        DbtuiError: the server refused a command or the connection dropped.
    """
    kind = request.type
    if kind == "string":
        return _string(keyspace, request)
    if kind in ("hash", "set", "zset"):
        return _scanned(keyspace, request)
    if kind == "list":
        return _list(keyspace, request)
    if kind == "stream":
        return _stream(keyspace, request)
    if kind == JSON_TYPE:
        document = values.read_json(keyspace, request.key)
        note = [] if document.text is not None else ["document too big to fetch whole"]
        return ValuePage(request, data=document.text, total=document.size, notes=note)
    return ValuePage(request, notes=[f"type {kind!r}: no viewer, use the console"])


def _string(keyspace: Keyspace, request: PageRequest) -> ValuePage:
    chunk = values.read_string(keyspace, request.key, request.offset)
    follow = replace(request, offset=chunk.offset + len(chunk.data)) if chunk.more else None
    return ValuePage(request, data=chunk.data, total=chunk.total, next=follow)


def _scanned(keyspace: Keyspace, request: PageRequest) -> ValuePage:
    key, cursor, match = request.key, request.cursor, request.match
    rows: list[tuple[Cell, ...]]
    if request.type == "hash":
        page_h = values.scan_hash(keyspace, key, cursor, match, PAGE_SIZE)
        rows, next_cursor = [tuple(pair) for pair in page_h.items], page_h.cursor
    elif request.type == "set":
        page_s = values.scan_set(keyspace, key, cursor, match, PAGE_SIZE)
        rows, next_cursor = [(member,) for member in page_s.items], page_s.cursor
    else:
        page_z = values.scan_zset(keyspace, key, cursor, match, PAGE_SIZE)
        rows, next_cursor = [tuple(pair) for pair in page_z.items], page_z.cursor
    follow = replace(request, cursor=next_cursor) if next_cursor else None
    return ValuePage(request, rows=rows, next=follow)


def _list(keyspace: Keyspace, request: PageRequest) -> ValuePage:
    page = values.read_list(
        keyspace, request.key, request.offset, PAGE_SIZE, from_end=request.from_end
    )
    rows: list[tuple[Cell, ...]] = [
        (page.start + number, item) for number, item in enumerate(page.items)
    ]
    if request.from_end:
        rows.reverse()  # the tail first, walking towards the head
    seen = request.offset + len(page.items)
    follow = replace(request, offset=seen) if seen < page.total and page.items else None
    return ValuePage(request, rows=rows, total=page.total, next=follow)


def _stream(keyspace: Keyspace, request: PageRequest) -> ValuePage:
    bound = request.stream_from
    if request.from_end:
        page = values.read_stream(
            keyspace, request.key, end=bound or b"+", count=PAGE_SIZE, reverse=True
        )
    else:
        page = values.read_stream(keyspace, request.key, start=bound or b"-", count=PAGE_SIZE)
    rows: list[tuple[Cell, ...]] = [
        (entry.id, b"  ".join(name + b"=" + value for name, value in entry.fields))
        for entry in page.entries
    ]
    notes = stream_notes(keyspace, request.key) if bound is None else []
    follow = replace(request, stream_from=page.next_from) if page.next_from else None
    return ValuePage(request, rows=rows, total=page.total, next=follow, notes=notes)


def stream_notes(keyspace: Keyspace, key: bytes) -> list[str]:
    """One line per consumer group: consumers, pending entries, lag, last delivered ID."""
    lines = []
    for group in values.stream_groups(keyspace, key):
        name = group.name.decode("utf-8", errors="backslashreplace")
        lag = "?" if group.lag is None else str(group.lag)
        last = group.last_delivered_id.decode("ascii", errors="replace")
        lines.append(
            f"group {name}: {group.consumers} consumers, {group.pending} pending, "
            f"lag {lag}, last {last}"
        )
    return lines or ["no consumer groups"]
