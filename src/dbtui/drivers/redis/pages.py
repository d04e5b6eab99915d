"""Reading one page of a key's value: a :class:`PageRequest` in, a :class:`ValuePage` out.

:func:`load_page` uses the paged readers of :mod:`.values`; it blocks on the
network. It never reads a whole big collection: strings come in 64 KiB chunks,
collections in ``*SCAN``/``LRANGE``/``XRANGE`` pages, sorted sets by rank or by score
range (``ZRANGE``) unless a member glob asks for ``ZSCAN``.
"""

from __future__ import annotations

from dataclasses import replace

from dbtui.core.key_values import Cell, PageRequest, ValuePage
from dbtui.core.keyspace import JSON_TYPE
from dbtui.drivers.redis import values
from dbtui.drivers.redis.connection import Keyspace

PAGE_SIZE = 200
"""Elements per page (an exact size for ranges, a COUNT hint for *SCAN)."""


def load_page(keyspace: Keyspace, request: PageRequest) -> ValuePage:
    """Read the page ``request`` names (blocking).

    Raises:
        DbtuiError: the server refused a command or the connection dropped.
    """
    kind = request.type
    if kind == "string":
        return _string(keyspace, request)
    if kind == "zset" and request.match is None:
        return _ranked(keyspace, request)
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


def _ranked(keyspace: Keyspace, request: PageRequest) -> ValuePage:
    """A sorted set by score: ranks ``offset ..`` (highest first ``from_end``), or only the
    members of a score range (``request.scores``)."""
    key, offset = request.key, request.offset
    if request.scores is None:
        page = values.zset_by_rank(keyspace, key, offset, PAGE_SIZE, reverse=request.from_end)
        items, total = page.items, page.total
    else:
        low, high = request.scores
        items = values.zset_by_score(
            keyspace, key, low, high, offset, PAGE_SIZE, reverse=request.from_end
        )
        total = values.zset_count(keyspace, key, low, high)
    rows: list[tuple[Cell, ...]] = [(member, score) for member, score in items]
    seen = offset + len(items)
    follow = replace(request, offset=seen) if seen < total and items else None
    return ValuePage(request, rows=rows, total=total, next=follow)


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
