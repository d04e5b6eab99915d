"""Paged readers for every value type: never a whole big collection in one call.

Strings come in chunks (``GETRANGE``, 64 KiB by default), hashes, sets and
sorted sets in ``*SCAN`` pages, lists in ``LRANGE`` windows from either end,
sorted sets also by rank or score range, streams in ``XRANGE``/``XREVRANGE``
pages plus their consumer groups, consumers and pending summary, and
RedisJSON documents (when the module is loaded) behind a size guard.
Every function only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.core.keyspace import StringChunk
from dbtui.drivers.redis import raw
from dbtui.drivers.redis.connection import Keyspace

T = TypeVar("T")

STRING_CHUNK = 64 * 1024
"""Bytes of a string read at once; the UI offers "load more" for the rest."""
PAGE = 100
"""Default elements per page (a COUNT hint for *SCAN, an exact size for ranges)."""
JSON_MAX_BYTES = 1_000_000
"""RedisJSON documents bigger than this (JSON.DEBUG MEMORY) are not fetched whole."""


def _checked(replies: Sequence[object]) -> list[object]:
    for reply in replies:
        if isinstance(reply, raw.ReplyError):
            raise QueryError(reply.message, "Redis error")
    return list(replies)


def _list(reply: object) -> list[object]:
    return reply if isinstance(reply, list) else []


def _pairs(flat: list[object]) -> list[tuple[bytes, bytes]]:
    items = [b if isinstance(b, bytes) else str(b).encode() for b in flat]
    return list(zip(items[::2], items[1::2], strict=False))


def _score(value: object) -> float:
    return float(value) if isinstance(value, bytes | int | float) else float("nan")


def read_string(
    keyspace: Keyspace, key: bytes, offset: int = 0, size: int = STRING_CHUNK
) -> StringChunk:
    """Read ``size`` bytes of a string from ``offset`` (STRLEN + GETRANGE, one round trip)."""
    length, data = _checked(
        raw.pipeline(
            keyspace.client_for(key),
            [(b"STRLEN", key), (b"GETRANGE", key, offset, offset + max(size, 1) - 1)],
        )
    )
    total = length if isinstance(length, int) else 0
    return StringChunk(data if isinstance(data, bytes) else b"", offset, total)


@dataclass(frozen=True)
class ScanPage(Generic[T]):
    """One page of an HSCAN/SSCAN/ZSCAN walk.

    Attributes:
        items: Elements of this page (the server may repeat earlier ones).
        cursor: Cursor for the next page; 0 when the walk is complete.
    """

    items: list[T]
    cursor: int

    @property
    def done(self) -> bool:
        """True when there is no next page."""
        return self.cursor == 0


def _scan(
    keyspace: Keyspace, command: bytes, key: bytes, cursor: int, match: bytes | None, count: int
) -> tuple[int, list[object]]:
    argv: list[bytes | int] = [command, key, cursor, b"COUNT", count]
    if match is not None:
        argv += [b"MATCH", match]
    reply = _list(raw.call(keyspace.client_for(key), *argv))
    if len(reply) != 2 or not isinstance(reply[0], bytes):
        raise QueryError(f"unexpected {command.decode()} reply", "Redis error")
    return int(reply[0]), _list(reply[1])


def scan_hash(
    keyspace: Keyspace, key: bytes, cursor: int = 0, match: bytes | None = None, count: int = PAGE
) -> ScanPage[tuple[bytes, bytes]]:
    """One HSCAN page of (field, value) pairs; ``match`` filters field names (glob)."""
    next_cursor, flat = _scan(keyspace, b"HSCAN", key, cursor, match, count)
    return ScanPage(_pairs(flat), next_cursor)


def scan_set(
    keyspace: Keyspace, key: bytes, cursor: int = 0, match: bytes | None = None, count: int = PAGE
) -> ScanPage[bytes]:
    """One SSCAN page of members."""
    next_cursor, flat = _scan(keyspace, b"SSCAN", key, cursor, match, count)
    return ScanPage([m for m in flat if isinstance(m, bytes)], next_cursor)


def scan_zset(
    keyspace: Keyspace, key: bytes, cursor: int = 0, match: bytes | None = None, count: int = PAGE
) -> ScanPage[tuple[bytes, float]]:
    """One ZSCAN page of (member, score) pairs."""
    next_cursor, flat = _scan(keyspace, b"ZSCAN", key, cursor, match, count)
    return ScanPage([(m, _score(s)) for m, s in _pairs(flat)], next_cursor)


@dataclass(frozen=True)
class RangePage(Generic[T]):
    """A window of a list or of a sorted set by rank.

    Attributes:
        items: The elements, in collection order.
        start: 0-based index of the first item in the collection.
        total: Elements in the whole collection (LLEN / ZCARD).
    """

    items: list[T]
    start: int
    total: int


def read_list(
    keyspace: Keyspace, key: bytes, start: int = 0, count: int = PAGE, *, from_end: bool = False
) -> RangePage[bytes]:
    """``count`` list elements skipping ``start`` from the head (or from the tail with ``from_end``).

    Items are always in list order; :attr:`RangePage.start` is their head-based index.
    """
    if from_end:
        window = (b"LRANGE", key, -(start + count), -(start + 1))
    else:
        window = (b"LRANGE", key, start, start + count - 1)
    length, items = _checked(raw.pipeline(keyspace.client_for(key), [(b"LLEN", key), window]))
    total = length if isinstance(length, int) else 0
    values = [v for v in _list(items) if isinstance(v, bytes)]
    first = max(total - start - len(values), 0) if from_end else start
    return RangePage(values, first, total)


def zset_by_rank(
    keyspace: Keyspace, key: bytes, start: int = 0, count: int = PAGE, *, reverse: bool = False
) -> RangePage[tuple[bytes, float]]:
    """Members ranked ``start .. start+count-1`` with scores (highest first with ``reverse``)."""
    command = b"ZREVRANGE" if reverse else b"ZRANGE"
    window = (command, key, start, start + count - 1, b"WITHSCORES")
    total, flat = _checked(raw.pipeline(keyspace.client_for(key), [(b"ZCARD", key), window]))
    items = [(m, _score(s)) for m, s in _pairs(_list(flat))]
    return RangePage(items, start, total if isinstance(total, int) else 0)


def zset_by_score(
    keyspace: Keyspace,
    key: bytes,
    minimum: bytes = b"-inf",
    maximum: bytes = b"+inf",
    offset: int = 0,
    count: int = PAGE,
    *,
    reverse: bool = False,
) -> list[tuple[bytes, float]]:
    """Members with ``minimum <= score <= maximum`` (``(`` prefix = exclusive), a page at a time.

    Sent as ``ZRANGE key min max BYSCORE [REV] LIMIT offset count WITHSCORES``.
    """
    bounds = (maximum, minimum) if reverse else (minimum, maximum)
    argv: list[bytes | int] = [b"ZRANGE", key, *bounds, b"BYSCORE"]
    if reverse:
        argv.append(b"REV")
    argv += [b"LIMIT", offset, count, b"WITHSCORES"]
    flat = _list(raw.call(keyspace.client_for(key), *argv))
    return [(m, _score(s)) for m, s in _pairs(flat)]


def zset_count(keyspace: Keyspace, key: bytes, minimum: bytes, maximum: bytes) -> int:
    """Members with a score in ``minimum .. maximum`` (ZCOUNT; ``(`` = exclusive)."""
    reply = raw.call(keyspace.client_for(key), b"ZCOUNT", key, minimum, maximum)
    return reply if isinstance(reply, int) else 0


@dataclass(frozen=True)
class StreamEntry:
    """One stream entry: its ID (``b"1700000000000-0"``) and field/value pairs in order."""

    id: bytes
    fields: list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class StreamPage:
    """A page of stream entries.

    Attributes:
        entries: In the order read (newest first with ``reverse``).
        next_from: Bound to pass as ``start`` (or ``end`` when reversed) for the
            next page; ``None`` when this page was the last.
        total: Entries in the whole stream (XLEN).
    """

    entries: list[StreamEntry]
    next_from: bytes | None
    total: int


def read_stream(
    keyspace: Keyspace,
    key: bytes,
    start: bytes = b"-",
    end: bytes = b"+",
    count: int = PAGE,
    *,
    reverse: bool = False,
) -> StreamPage:
    """Up to ``count`` entries between IDs ``start`` and ``end`` (XRANGE, or XREVRANGE)."""
    if reverse:
        command: tuple[bytes | int, ...] = (b"XREVRANGE", key, end, start, b"COUNT", count)
    else:
        command = (b"XRANGE", key, start, end, b"COUNT", count)
    total, reply = _checked(raw.pipeline(keyspace.client_for(key), [(b"XLEN", key), command]))
    entries = []
    for item in _list(reply):
        parts = _list(item)
        if len(parts) == 2 and isinstance(parts[0], bytes):
            entries.append(StreamEntry(parts[0], _pairs(_list(parts[1]))))
    next_from = b"(" + entries[-1].id if len(entries) == count else None
    return StreamPage(entries, next_from, total if isinstance(total, int) else 0)


def _record(flat: object) -> dict[str, object]:
    """An XINFO reply record (flat name/value array) as a dict with text names."""
    items = _list(flat)
    return {
        (k.decode() if isinstance(k, bytes) else str(k)): v
        for k, v in zip(items[::2], items[1::2], strict=False)
    }


@dataclass(frozen=True)
class StreamGroup:
    """A consumer group (XINFO GROUPS); ``entries_read``/``lag`` are ``None`` before Redis 7."""

    name: bytes
    consumers: int
    pending: int
    last_delivered_id: bytes
    entries_read: int | None
    lag: int | None


def stream_groups(keyspace: Keyspace, key: bytes) -> list[StreamGroup]:
    """The consumer groups of a stream."""
    groups = []
    for item in _list(raw.call(keyspace.client_for(key), b"XINFO", b"GROUPS", key)):
        rec = _record(item)
        groups.append(
            StreamGroup(
                name=_bytes(rec.get("name")),
                consumers=_int(rec.get("consumers")) or 0,
                pending=_int(rec.get("pending")) or 0,
                last_delivered_id=_bytes(rec.get("last-delivered-id")),
                entries_read=_int(rec.get("entries-read")),
                lag=_int(rec.get("lag")),
            )
        )
    return groups


@dataclass(frozen=True)
class StreamConsumer:
    """A consumer of a group (XINFO CONSUMERS): pending count and idle time in milliseconds."""

    name: bytes
    pending: int
    idle_ms: int


def stream_consumers(keyspace: Keyspace, key: bytes, group: bytes) -> list[StreamConsumer]:
    """The consumers of one group."""
    reply = raw.call(keyspace.client_for(key), b"XINFO", b"CONSUMERS", key, group)
    return [
        StreamConsumer(
            _bytes(rec.get("name")), _int(rec.get("pending")) or 0, _int(rec.get("idle")) or 0
        )
        for rec in map(_record, _list(reply))
    ]


@dataclass(frozen=True)
class PendingSummary:
    """XPENDING summary of a group: count, ID range, and pending entries per consumer."""

    count: int
    smallest_id: bytes | None
    largest_id: bytes | None
    consumers: list[tuple[bytes, int]]


def stream_pending(keyspace: Keyspace, key: bytes, group: bytes) -> PendingSummary:
    """The pending-entries summary of one group (``XPENDING key group``)."""
    reply = _list(raw.call(keyspace.client_for(key), b"XPENDING", key, group))
    if len(reply) < 4:
        raise QueryError("unexpected XPENDING reply", "Redis error")
    consumers = [
        (_bytes(pair[0]), int(pair[1]))
        for pair in map(_list, _list(reply[3]))
        if len(pair) == 2 and isinstance(pair[1], bytes | int)
    ]
    smallest = reply[1] if isinstance(reply[1], bytes) else None
    largest = reply[2] if isinstance(reply[2], bytes) else None
    return PendingSummary(_int(reply[0]) or 0, smallest, largest, consumers)


@dataclass(frozen=True)
class JsonValue:
    """A RedisJSON document (or a sub-path of it).

    Attributes:
        text: The JSON text as returned by JSON.GET; ``None`` when it was too big to fetch.
        size: Memory the document uses in bytes (JSON.DEBUG MEMORY), when known.
    """

    text: bytes | None
    size: int | None


def json_available(keyspace: Keyspace) -> bool:
    """True when the server knows JSON.GET (the RedisJSON module is loaded)."""
    node = keyspace.nodes()[0]
    reply = _list(raw.call(node.client, b"COMMAND", b"INFO", b"JSON.GET"))
    return bool(reply) and reply[0] is not None


def read_json(
    keyspace: Keyspace, key: bytes, path: bytes = b"$", max_bytes: int = JSON_MAX_BYTES
) -> JsonValue:
    """A RedisJSON document at ``path``, unless it uses more than ``max_bytes``.

    Raises:
        UnsupportedError: the RedisJSON module is not loaded.
    """
    if not json_available(keyspace):
        raise UnsupportedError("the RedisJSON module is not loaded on this server")
    client = keyspace.client_for(key)
    reply = raw.call(client, b"JSON.DEBUG", b"MEMORY", key, path)
    size = _int(reply[0] if isinstance(reply, list) and reply else reply)  # $ paths give a list
    if size is not None and size > max_bytes:
        return JsonValue(None, size)
    text = raw.call(client, b"JSON.GET", key, path)
    return JsonValue(text if isinstance(text, bytes) else None, size)


def _int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, bytes) and value.lstrip(b"-").isdigit():
        return int(value)
    return None


def _bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    return b"" if value is None else str(value).encode()
