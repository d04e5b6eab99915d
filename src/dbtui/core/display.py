"""The one place that makes text from a server safe to show on a terminal (pure, no I/O).

Every string that comes from a server (values, names, error messages, notices,
server info) may contain terminal escape sequences (``ESC ] 52`` writes the
clipboard, ``ESC ] 0`` the window title, ``ESC [ 2J`` clears the screen), NUL,
or bidirectional overrides that make text read differently from what it is.
:func:`display_text` turns any string into text made only of printable
characters: every character that Python does not consider printable (C0 and C1
controls, DEL, NUL, format characters such as the bidi overrides and isolates
U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C, line/paragraph separators,
lone surrogates) is written as its Python escape (``\\x1b``, ``\\x00``,
``\\x7f``, ``\\u202e``), the convention the Redis browser has always used.

This module knows nothing about markup: the UI turns the result into
Rich/Textual text without markup parsing (``dbtui.ui.safe``).
"""

from __future__ import annotations

#: Bidirectional embedding/override/isolate/mark characters. They are format characters
#: (category Cf), so :func:`display_text` escapes them like any other non-printable one;
#: listed here so that tests and readers can see the promise.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

#: What ends a line clipped by ``limit``.
ELLIPSIS = "…"


def _escape_line(line: str) -> str:
    if line.isprintable():
        return line
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in line)


def _shown_line(line: str, limit: int | None) -> str:
    """One line escaped, then clipped; only a prefix is escaped when it is clipped anyway."""
    if limit is not None and len(line) > limit:
        line = line[: limit + 1]  # escaping only lengthens: the rest would be cut
    shown = _escape_line(line)
    if limit is None or len(shown) <= limit:
        return shown
    return shown[: max(limit - 1, 0)] + ELLIPSIS


def display_text(text: str, *, limit: int | None = None, multiline: bool = False) -> str:
    """``text`` with every non-printable character escaped visibly; nothing else changes.

    The result contains no control character at all (so no ESC, BEL, NUL, CR, DEL, C1,
    bidi override) except ``\\n`` between lines when ``multiline`` is true; a tab is kept
    too then (it is expanded, never sent as is). With ``multiline`` false, ``\\n`` and
    ``\\t`` are escaped like the rest, so the result is one line. ``limit`` clips each
    line (after escaping) to at most that many characters, the last one being ``…``.
    """
    if not multiline:
        return _shown_line(text, limit)
    return "\n".join(
        "\t".join(_shown_line(part, None) for part in line.split("\t"))
        if limit is None
        else _clip_tabbed(line, limit)
        for line in text.split("\n")
    )


def _clip_tabbed(line: str, limit: int) -> str:
    """A line that keeps its tabs, escaped and clipped to ``limit`` characters."""
    shown = "\t".join(_escape_line(part) for part in line[: limit + 1].split("\t"))
    return shown if len(shown) <= limit else shown[: max(limit - 1, 0)] + ELLIPSIS


def display_bytes(data: bytes, *, limit: int | None = None, multiline: bool = False) -> str:
    """Bytes as :func:`display_text`: valid UTF-8 kept, other bytes shown as ``\\xNN``."""
    return display_text(
        data.decode("utf-8", errors="backslashreplace"), limit=limit, multiline=multiline
    )


def display_value(value: object, *, limit: int | None = None, multiline: bool = False) -> str:
    """Any value as :func:`display_text` of ``str(value)`` (bytes decoded, not repr'd)."""
    if isinstance(value, bytes):
        return display_bytes(value, limit=limit, multiline=multiline)
    return display_text(
        value if isinstance(value, str) else str(value), limit=limit, multiline=multiline
    )


def _pictures() -> dict[int, int]:
    table = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
    table[0x7F] = 0x2421  # ␡
    table.update(dict.fromkeys(range(0x80, 0xA0), 0xFFFD))
    table.update({ord(char): 0xFFFD for char in BIDI_CONTROLS})
    table.update(dict.fromkeys((0x2028, 0x2029), 0xFFFD))
    return table


#: ``str.translate`` table: C0 controls (but tab and newline) to their Unicode control
#: pictures (``␛`` for ESC, ``␀`` for NUL), DEL to ``␡``, C1 controls, line/paragraph
#: separators and bidi controls to ``�``. One character for one, so text keeps its offsets.
CONTROL_PICTURES = _pictures()


def pictured(text: str) -> str:
    """``text`` with each control character replaced by one visible character (same length).

    For text an editor shows and edits in place, where escaping would move offsets.
    """
    return text.translate(CONTROL_PICTURES)
