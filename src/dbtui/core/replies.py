"""Command replies (Redis and other command-line engines) as display lines. Pure, no I/O.

:func:`reply_lines` turns a decoded reply into lines the way redis-cli shows them:
``"text"`` for bulk strings (printable UTF-8 kept, anything else escaped), hex for
binary that is not text, ``(integer) 3``, ``(nil)``, ``(error) ...``, arrays as
numbered lists with nested arrays indented under their number, maps and field/value
pairs as ``1# "field" => "value"``, sets as ``1~ "member"``, ``INFO`` as sections.

A driver marks what the bare Python types cannot say with the subclasses below
(each equal to the plain value, so code comparing replies is unaffected):
:class:`Status` (a simple-string reply such as ``OK``), :class:`Pairs` (a flat
array of alternating field and value), :class:`Sections` (``INFO`` text),
:class:`TextBlock` (multi-line text shown line by line) and :class:`ErrorReply`
(an error inside an array, e.g. a failed command of ``EXEC``).

Every piece of text in a line is already made printable by
:func:`dbtui.core.display.display_text` (no ESC, NUL, bidi control) and clipped to
:data:`VALUE_WIDTH`; the UI still never parses it as markup.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Literal

from dbtui.core.display import display_text

Kind = Literal[
    "string",  # a bulk string shown as text
    "binary",  # a bulk string shown as hex
    "status",  # a simple string (OK, PONG) or any other scalar shown as is
    "integer",
    "number",  # a double, a boolean
    "nil",
    "error",
    "empty",  # (empty array)
    "index",  # "1) ", "1# ", "1~ "
    "field",  # the field of a pair, the name of an INFO line
    "section",  # "# Server"
    "text",  # a line of a text block, the value of an INFO line
    "punct",  # " => ", ":"
    "note",  # "… more not shown"
]

MAX_LINES = 10_000
"""Most lines :func:`reply_lines` produces; a note line says the rest was not shown."""
VALUE_WIDTH = 1_000
"""Most characters of one value on a line (the full value is the line's :attr:`ReplyLine.value`)."""
HEX_BYTES = VALUE_WIDTH // 3
"""Most bytes of a binary value shown as hex on a line."""


class Status(bytes):
    """A simple-string reply (``+OK``, ``+PONG``, ``+QUEUED``): shown without quotes."""


class Sections(bytes):
    """``INFO`` text: ``# Section`` headers and ``name:value`` lines."""


class TextBlock(bytes):
    """Multi-line text meant to be read as lines (``CLIENT LIST``, ``CLUSTER NODES``)."""


class Pairs(list[object]):
    """A flat array of alternating field and value (``HGETALL``, ``CONFIG GET``, ``WITHSCORES``)."""


@dataclass(frozen=True)
class ErrorReply:
    """An error reply nested in an array reply (a failed command of ``EXEC``).

    Attributes:
        message: The server's error text, e.g. ``WRONGTYPE Operation against a key...``.
    """

    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Piece:
    """A run of printable text of one kind (the UI styles by kind)."""

    text: str
    kind: Kind


@dataclass(frozen=True)
class ReplyLine:
    """One display line: its pieces, and the value it shows (what Enter opens, ``c`` copies).

    ``value`` is the scalar of the line (bytes, int...), or ``None`` for a line
    that shows no single value (a header, a note, a nested array's index).
    """

    pieces: tuple[Piece, ...]
    value: object = None

    @property
    def plain(self) -> str:
        """The line's text without styles."""
        return "".join(piece.text for piece in self.pieces)


_Line = tuple[list[Piece], object]
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\a": "\\a",
    "\b": "\\b",
}
_MAX_DEPTH = 64
"""Deeper nesting than this is not drawn (a script can return arrays nested at will)."""


def reply_lines(
    reply: object, *, max_lines: int = MAX_LINES, width: int = VALUE_WIDTH
) -> list[ReplyLine]:
    """``reply`` as display lines, at most ``max_lines`` of them plus one note line.

    Lines are produced lazily, so a reply of a million elements costs only the
    lines kept. ``width`` clips each value (after escaping) to that many characters.
    """
    produced = iter_reply_lines(reply, width=width)
    lines = list(islice(produced, max_lines))
    if next(produced, None) is not None:
        size = f" of a reply of {len(reply):,} elements" if isinstance(reply, list) else ""
        note = (
            f"… only the first {max_lines:,} lines{size} are shown: read the rest a page at a time"
        )
        lines.append(ReplyLine((Piece(note, "note"),)))
    return lines


def iter_reply_lines(reply: object, *, width: int = VALUE_WIDTH) -> Iterator[ReplyLine]:
    """Every display line of ``reply``, one at a time (see :func:`reply_lines`)."""
    for pieces, value in _lines(reply, width, 0):
        yield ReplyLine(tuple(pieces), value)


def _lines(value: object, width: int, depth: int) -> Iterator[_Line]:
    """The lines of any reply value (scalars are one line)."""
    if depth > _MAX_DEPTH:
        yield [Piece("(nested too deep to show)", "note")], None
    elif isinstance(value, Pairs) and len(value) % 2 == 0 and value:
        pairs = zip(islice(value, 0, None, 2), islice(value, 1, None, 2), strict=True)
        yield from _pairs(pairs, len(value) // 2, width, depth)
    elif isinstance(value, Mapping):
        if not value:
            yield [Piece("(empty map)", "empty")], None
        yield from _pairs(iter(value.items()), len(value), width, depth)
    elif isinstance(value, list | tuple | set | frozenset):
        mark = "~" if isinstance(value, set | frozenset) else ")"
        if not value:
            yield [Piece("(empty set)" if mark == "~" else "(empty array)", "empty")], None
        yield from _array(value, mark, width, depth)
    elif isinstance(value, Sections):
        yield from _sections(value, width)
    elif isinstance(value, TextBlock):
        for line in _text_lines(value):
            yield [Piece(display_text(line, limit=width), "text")], line
    else:
        yield _scalar(value, width), value


def _is_nested(value: object) -> bool:
    """True when ``value`` takes lines of its own (a non-empty container or a text block)."""
    if isinstance(value, Sections | TextBlock):
        return True
    return isinstance(value, list | tuple | set | frozenset | Mapping) and bool(value)


def _array(
    items: list[object] | tuple[object, ...] | set[object] | frozenset[object],
    mark: str,
    width: int,
    depth: int,
) -> Iterator[_Line]:
    digits = len(str(len(items)))
    for number, item in enumerate(items, 1):
        label = f"{number:>{digits}}{mark} "
        pad = Piece(" " * len(label), "index")
        for row, (pieces, leaf) in enumerate(_lines(item, width, depth + 1)):
            yield [Piece(label, "index") if row == 0 else pad, *pieces], leaf


def _pairs(
    pairs: Iterator[tuple[object, object]], count: int, width: int, depth: int
) -> Iterator[_Line]:
    """``1# field => value`` lines; a nested value goes on the lines below, indented."""
    digits = len(str(count))
    for number, (field, value) in enumerate(pairs, 1):
        label = f"{number:>{digits}}# "
        head = [Piece(label, "index"), *_field(field, width), Piece(" => ", "punct")]
        if not _is_nested(value):
            yield head + _scalar(value, width), value
            continue
        yield [*head[:-1], Piece(" =>", "punct")], field
        pad = Piece(" " * (len(label) + 2), "index")
        for pieces, leaf in _lines(value, width, depth + 1):
            yield [pad, *pieces], leaf


def _field(field: object, width: int) -> list[Piece]:
    """A pair's field: like a scalar, but a string field is styled as a field."""
    pieces = _scalar(field, width)
    if pieces and pieces[0].kind in ("string", "status"):
        return [Piece(pieces[0].text, "field"), *pieces[1:]]
    return pieces


def _text_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="backslashreplace")
    return [line.removesuffix("\r") for line in text.rstrip("\r\n").split("\n")]


def _sections(data: bytes, width: int) -> Iterator[_Line]:
    """``INFO`` text: ``# Section`` headers, ``name:value`` lines, blank lines between."""
    for line in _text_lines(data):
        if line.startswith("#"):
            yield [Piece(display_text(line, limit=width), "section")], None
        elif ":" in line:
            name, value = line.split(":", 1)
            pieces = [
                Piece(display_text(name, limit=width), "field"),
                Piece(":", "punct"),
                Piece(display_text(value, limit=width), "text"),
            ]
            yield pieces, value
        else:
            yield [Piece(display_text(line, limit=width), "text")], line or None


def _scalar(value: object, width: int) -> list[Piece]:
    """One line's pieces for a scalar (or an unknown object, shown as its ``str``)."""
    if value is None:
        return [Piece("(nil)", "nil")]
    if isinstance(value, ErrorReply | BaseException):
        return [Piece(f"(error) {display_text(str(value), limit=width)}", "error")]
    if isinstance(value, bool):
        return [Piece("(true)" if value else "(false)", "number")]
    if isinstance(value, int):
        return [Piece(f"(integer) {value}", "integer")]
    if isinstance(value, float):
        return [Piece(f"(double) {value!r}", "number")]
    if isinstance(value, Status):
        return [Piece(display_text(_decoded(value[: width * 4]), limit=width), "status")]
    if isinstance(value, bytes | bytearray | memoryview):
        return bulk_pieces(bytes(value), width)
    return [Piece(display_text(str(value), limit=width), "status")]


def _decoded(data: bytes) -> str:
    """``data`` as text; bytes that are not UTF-8 become lone surrogates (escaped later)."""
    return data.decode("utf-8", errors="surrogateescape")


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable():
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return repr(char)[1:-1] if code > 0x7F else f"\\x{code:02x}"


def looks_binary(text: str) -> bool:
    """True when more than a third of ``text``'s characters are not printable text.

    ``text`` is bytes decoded with ``surrogateescape``: invalid UTF-8 counts as
    not printable; line breaks and tabs count as text.
    """
    bad = sum(1 for char in text if not char.isprintable() and char not in "\n\r\t")
    return bad * 3 > len(text)


def bulk_pieces(data: bytes, width: int = VALUE_WIDTH) -> list[Piece]:
    """A bulk string: ``"text"`` escaped like redis-cli, or hex when it is not text.

    Only the first bytes that can show in ``width`` characters are looked at, so a
    50 MB value costs as little as a short one. A clipped value ends with ``…`` and
    says its size.
    """
    head = data[: width * 4]
    text = _decoded(head)
    if len(head) < len(data):
        text = _trim_cut(text)
    if looks_binary(text):
        shown = " ".join(f"{byte:02x}" for byte in data[: min(HEX_BYTES, width // 3)])
        clipped = len(data) > min(HEX_BYTES, width // 3)
        return [
            Piece(f"(binary) {shown}{' …' if clipped else ''}", "binary"),
            *_size_note(len(data), clipped),
        ]
    escaped, used = [], 0
    for char in text:
        part = _escape(char)
        if used + len(part) > width - 2:
            break
        escaped.append(part)
        used += len(part)
    else:
        if len(head) == len(data):
            return [Piece(f'"{"".join(escaped)}"', "string")]
    return [Piece(f'"{"".join(escaped)}…"', "string"), *_size_note(len(data), True)]


def _trim_cut(text: str) -> str:
    """``text`` without the pieces of a multi-byte character cut at its end (up to 3 bytes)."""
    end = len(text)
    while end > max(len(text) - 3, 0) and "\udc80" <= text[end - 1] <= "\udcff":
        end -= 1
    return text[:end]


def _size_note(size: int, clipped: bool) -> list[Piece]:
    return [Piece(f" ({size:,} bytes)", "note")] if clipped else []
