"""Where each key of a TOML document sits, for error messages and in-place edits.

:mod:`tomllib` parses a document but reports no positions. :func:`scan_layout`
walks text that tomllib has already accepted and records, for every table
header and every key/value pair (including keys inside inline tables and
array elements), the resolved key path and the lines it spans. Dotted keys
(``a.b.c = 1``), quoted keys (``"a.b" = 1``, ``'x y' = 2``), inline tables,
multi-line strings and arrays of tables (paths then hold the element index)
are understood.

The scanner is a single forward pass with no regular expressions, so its cost
is linear in the size of the text whatever the input.
"""

from __future__ import annotations

import bisect
import contextlib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field

KeyPath = tuple[str | int, ...]
"""A path from the document root: table and key names, with ``int`` indices for arrays."""

_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\n\r")


@dataclass(frozen=True)
class Span:
    """One header or key/value pair of the document.

    Attributes:
        path: The resolved key path it defines.
        first_line: 1-based line where it starts (the header, or the key).
        last_line: 1-based last line (the end of a multi-line value; for a
            header, the last line of a key/value of its table section).
        header: True for ``[table]`` and ``[[array]]`` headers.
        top_level: True for a header or a key/value written directly in a
            table section (not nested in an inline table or array), which is
            what occupies whole lines and can be cut out of the text.
    """

    path: KeyPath
    first_line: int
    last_line: int
    header: bool = False
    top_level: bool = True


@dataclass(frozen=True)
class Layout:
    """The spans of a document, in text order."""

    spans: tuple[Span, ...] = field(default_factory=tuple)

    def line_of(self, path: KeyPath) -> int | None:
        """The line that defines ``path``, or the closest line that explains it.

        An exact definition wins; then the first span below ``path`` (a table
        made implicitly by ``path.key = ...``); then the nearest enclosing span.
        ``None`` when nothing in the document relates to ``path``.
        """
        for span in self.spans:
            if span.path == path:
                return span.first_line
        below = [s.first_line for s in self.spans if s.path[: len(path)] == path]
        if below:
            return min(below)
        for size in range(len(path) - 1, 0, -1):
            for span in self.spans:
                if span.path == path[:size]:
                    return span.first_line
        return None

    def under(self, path: KeyPath) -> Iterator[Span]:
        """Every span whose path is ``path`` or lies below it."""
        return (s for s in self.spans if s.path[: len(path)] == path)


def scan_layout(text: str) -> Layout:
    """Record the spans of ``text``, a TOML document that :func:`tomllib.loads` accepts.

    On text tomllib rejects the result is incomplete but the call still
    returns (it never loops or raises).
    """
    scanner = _Scanner(text)
    with contextlib.suppress(IndexError, tomllib.TOMLDecodeError):
        scanner.run()
    return Layout(tuple(_close_headers(scanner.spans)))


def _close_headers(spans: list[Span]) -> list[Span]:
    """Extend each header span to the last line of the key/values of its section."""
    closed: list[Span] = []
    header_at: int | None = None
    for span in spans:
        if span.header:
            header_at = len(closed)
        elif span.top_level and header_at is not None:
            head = closed[header_at]
            if span.last_line > head.last_line:
                closed[header_at] = Span(head.path, head.first_line, span.last_line, header=True)
        closed.append(span)
    return closed


class _Scanner:
    """A forward-only cursor over valid TOML text that records :class:`Span` objects."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.spans: list[Span] = []
        self.table: KeyPath = ()
        self.arrays: dict[KeyPath, int] = {}
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line(self, pos: int | None = None) -> int:
        """1-based line number of ``pos`` (default: the current position)."""
        return bisect.bisect_right(self._line_starts, self.pos if pos is None else pos)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def run(self) -> None:
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            before = self.pos
            if self.peek() == "[":
                self.header()
            else:
                self.key_value(self.table, top_level=True)
            self.skip_blank(newlines=False)
            if self.pos == before:  # never loop on text tomllib would reject
                self.pos += 1

    def skip_blank(self, *, newlines: bool) -> None:
        """Skip spaces, tabs and comments (and line breaks when ``newlines``)."""
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.pos += 1
            elif ch == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def header(self) -> None:
        start = self.pos
        is_array = self.text.startswith("[[", self.pos)
        self.pos += 2 if is_array else 1
        parts = self.key()
        self.skip_blank(newlines=False)
        self.pos += 2 if is_array else 1
        self.table = self.resolve(parts, is_array)
        line = self.line(start)
        self.spans.append(Span(self.table, line, line, header=True))

    def resolve(self, parts: list[str], is_array: bool) -> KeyPath:
        """The full path of a header, with the current index of enclosing arrays of tables."""
        resolved: KeyPath = ()
        for number, part in enumerate(parts):
            resolved += (part,)
            last = number == len(parts) - 1
            if last and is_array:
                index = self.arrays.get(resolved, 0)
                self.arrays[resolved] = index + 1
                resolved += (index,)
            elif resolved in self.arrays:
                resolved += (self.arrays[resolved] - 1,)
        return resolved

    def key(self) -> list[str]:
        """A possibly dotted, possibly quoted key, decoded."""
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            ch = self.peek()
            start = self.pos
            if ch == '"':
                self.basic_string()
                parts.append(_decode(self.text[start : self.pos]))
            elif ch == "'":
                self.literal_string()
                parts.append(self.text[start + 1 : self.pos - 1])
            else:
                while self.peek() and self.peek() in _BARE_KEY_CHARS:
                    self.pos += 1
                parts.append(self.text[start : self.pos])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def key_value(self, base: KeyPath, *, top_level: bool) -> None:
        start = self.pos
        path = base + tuple(self.key())
        self.skip_blank(newlines=False)
        self.pos += 1  # "="
        self.skip_blank(newlines=False)
        self.value(path)
        self.spans.append(
            Span(path, self.line(start), self.line(max(start, self.pos - 1)), top_level=top_level)
        )

    def value(self, path: KeyPath) -> None:
        text, pos = self.text, self.pos
        if text.startswith('"""', pos):
            self.multiline('"""', escapes=True)
        elif text.startswith("'''", pos):
            self.multiline("'''", escapes=False)
        elif self.peek() == '"':
            self.basic_string()
        elif self.peek() == "'":
            self.literal_string()
        elif self.peek() == "{":
            self.inline_table(path)
        elif self.peek() == "[":
            self.array(path)
        else:
            while self.pos < len(text) and text[self.pos] not in _SCALAR_END:
                self.pos += 1

    def basic_string(self) -> None:
        self.pos += 1
        text = self.text
        while self.pos < len(text) and text[self.pos] != '"':
            self.pos += 2 if text[self.pos] == "\\" else 1
        self.pos += 1

    def literal_string(self) -> None:
        end = self.text.find("'", self.pos + 1)
        self.pos = len(self.text) if end < 0 else end + 1

    def multiline(self, quote: str, *, escapes: bool) -> None:
        self.pos += 3
        text = self.text
        while self.pos < len(text):
            if escapes and text[self.pos] == "\\":
                self.pos += 2
            elif text.startswith(quote, self.pos):
                self.pos += 3
                extra = 0  # up to two quotes may sit right before the closing delimiter
                while extra < 2 and self.peek() == quote[0]:
                    self.pos += 1
                    extra += 1
                return
            else:
                self.pos += 1

    def inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while self.pos < len(self.text):
            self.skip_blank(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return
            before = self.pos
            self.key_value(path, top_level=False)
            self.skip_blank(newlines=True)
            if self.peek() == "," or self.pos == before:
                self.pos += 1

    def array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while self.pos < len(self.text):
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            start = self.pos
            self.value((*path, index))
            self.spans.append(
                Span((*path, index), self.line(start), self.line(self.pos - 1), top_level=False)
            )
            self.skip_blank(newlines=True)
            if self.peek() == "," or self.pos == start:
                self.pos += 1
            index += 1


def _decode(quoted: str) -> str:
    """The value of a basic-string key, escapes resolved exactly as tomllib does."""
    value = tomllib.loads(f"k = {quoted}")["k"]
    assert isinstance(value, str)
    return value
