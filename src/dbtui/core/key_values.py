"""Pages of a key's value and edits of one element: what the key browser asks a driver for.

Engine-neutral data only (no I/O, no Textual): the browser describes the part of a
value it wants as a :class:`PageRequest` and gets a :class:`ValuePage` back; a change
to one field, element or member is a :class:`MemberEdit`. Drivers offering
:class:`~dbtui.core.capabilities.keys.KeyBrowsing` read and perform them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dbtui.core.keytree import glob_escape, is_glob

Cell = bytes | float | int
"""One raw cell of a value table (formatted by the viewer)."""

#: Table columns per type.
COLUMNS: dict[str, tuple[str, ...]] = {
    "hash": ("field", "value"),
    "list": ("#", "element"),
    "set": ("member",),
    "zset": ("member", "score"),
    "stream": ("id", "fields"),
}
FILTERABLE = ("hash", "set", "zset")
"""Types whose elements can be filtered by a glob on the server."""

EDITABLE = ("hash", "list", "set", "zset")
"""Types whose rows can be changed and removed."""
REMOVABLE = (*EDITABLE, "stream")
"""Types whose rows can be removed (a stream entry by its ID)."""
ADDABLE = (*EDITABLE, "stream")
"""Types the value pane can add an element to."""


@dataclass(frozen=True)
class PageRequest:
    """Which part of a value to read.

    Attributes:
        key: The key name (exact bytes).
        type: Its type name (see :class:`~dbtui.core.keyspace.KeyInfo`).
        cursor: Scan cursor for hash/set/zset pages (0 = first page).
        offset: Byte offset for strings; elements to skip for lists.
        stream_from: Exclusive or inclusive bound for the next stream page
            (``None`` = start from the first or, reversed, the last entry).
        from_end: Lists from the tail, streams newest first, sorted sets highest first.
        match: Glob on field names or members (hash/set/zset).
        scores: A sorted set's score range ``(min, max)``, each a number, ``-inf``/``+inf``,
            ``(`` first for an exclusive bound; sorted sets without ``match`` are read
            by rank (``offset`` ranks skipped), or with ``scores`` by score.
    """

    key: bytes
    type: str
    cursor: int = 0
    offset: int = 0
    stream_from: bytes | None = None
    from_end: bool = False
    match: bytes | None = None
    scores: tuple[bytes, bytes] | None = None


@dataclass(frozen=True)
class ValuePage:
    """One page of a value, ready to be shown.

    Attributes:
        request: What was asked (the viewer ignores pages of a key it left).
        rows: Table rows (raw cells, columns as in :data:`COLUMNS`); empty for strings.
        data: The bytes of a string chunk (or a JSON document's text).
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
    """The match pattern for a field filter: globs as typed, plain text as a substring."""
    if not text:
        return None
    return text if is_glob(text) else b"*" + glob_escape(text) + b"*"


JUMPABLE = ("list", "zset", "stream")
"""Types whose value can be read from a position (an index, a rank, an entry ID)."""


def _bound(word: str) -> bytes:
    text = word[1:] if word.startswith("(") else word
    if text.lower().lstrip("+-") not in ("inf", "infinity"):
        float(text)  # raises ValueError for anything else
    return word.encode()


def score_range(text: str) -> tuple[bytes, bytes] | None:
    """A score range typed in the value filter of a sorted set, or ``None`` if it is not one.

    ``10 20`` or ``10..20`` (both inclusive), ``(10 +inf`` (``(`` makes a bound
    exclusive), ``-inf 5``; a single number is that exact score. Anything else (a
    member glob, text) is ``None``.
    """
    words = text.replace("..", " ").split()
    try:
        bounds = [_bound(word) for word in words]
    except ValueError:
        return None
    if len(bounds) == 1:
        return (bounds[0], bounds[0])
    return (bounds[0], bounds[1]) if len(bounds) == 2 else None


def jump_request(first: PageRequest, text: str) -> PageRequest:
    """Where to read ``first``'s value from after "jump to" ``text``.

    A list: an index (negative counts from the tail). A sorted set read by rank or score:
    a rank (negative from the highest). A stream: an entry ID or a time in milliseconds
    (the first entry at or after it; newest first, at or before it).

    Raises:
        ValueError: the type cannot jump, or ``text`` is not a position of it.
    """
    text = text.strip()
    if first.type in ("list", "zset"):
        if first.type == "zset" and first.match is not None:
            raise ValueError("Clear the member filter first: a glob lists members unordered.")
        try:
            index = int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise ValueError(f"Type a whole number (an index), not {text!r}.") from None
        from_end = index < 0
        offset = -index - 1 if from_end else index
        return PageRequest(
            first.key, first.type, offset=offset, from_end=from_end, scores=first.scores
        )
    if first.type == "stream":
        if not re.fullmatch(r"\d+(-\d+)?", text):
            raise ValueError(f"Type an entry ID (1700000000000-0) or a time in ms, not {text!r}.")
        return PageRequest(first.key, "stream", stream_from=text.encode(), from_end=first.from_end)
    raise ValueError(f"A {first.type} has no positions to jump to.")


@dataclass(frozen=True)
class MemberEdit:
    """One change to one element of a collection.

    Attributes:
        op: ``"set"`` (change a row), ``"add"`` or ``"remove"``.
        type: The key's type (``hash``, ``list``, ``set``, ``zset``, ``stream``).
        key: The key name.
        name: Hash field, set/sorted-set member (the current one for a set edit),
            or the ID of a stream entry to remove.
        index: A list element's index (for ``set`` and ``remove``).
        old: A list element's value as shown; the write is refused if it changed.
        value: Hash value, list element, or a set's new member.
        score: Sorted-set score.
        head: Add a list element at the head instead of the tail.
        fields: A new stream entry's field/value pairs.
    """

    op: str
    type: str
    key: bytes
    name: bytes = b""
    index: int = 0
    old: bytes = b""
    value: bytes = b""
    score: float = 0.0
    head: bool = False
    fields: tuple[tuple[bytes, bytes], ...] = ()
