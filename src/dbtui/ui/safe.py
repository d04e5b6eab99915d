"""Server text as Rich/Textual text that is never parsed as markup and holds no control code.

Textual parses a plain ``str`` as markup in ``Static``, ``Label``, ``notify``, tree labels
and DataTable cells and column labels: ``[/]`` in data crashes the app, ``[link=...]``
makes a hyperlink. Every string that comes from a server goes through the helpers here,
which escape it with :func:`dbtui.core.display.display_text` (no ESC, BEL, NUL, bidi
override reaches the terminal) and wrap it in :class:`rich.text.Text`, which Textual shows
as is. ``tests/ui/test_no_markup_sinks.py`` fails when a widget is given anything else.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import StyleType
from rich.text import Text
from textual.strip import Strip
from textual.widgets import TextArea

from dbtui.core.display import display_value, pictured

#: Longest line of a notification, a dialog detail or a label before it is clipped.
LINE_LIMIT = 500
#: Longest tree label (catalog names, document keys).
LABEL_LIMIT = 200


def safe_text(
    text: object, style: StyleType = "", *, limit: int | None = LINE_LIMIT, multiline: bool = True
) -> Text:
    """``text`` (any value; bytes decoded) escaped and wrapped as :class:`Text`, no markup.

    Lines are kept (``multiline``) and clipped to ``limit`` characters (``None``: no clip).
    """
    return Text(display_value(text, limit=limit, multiline=multiline), style=style, end="")


def line_group(*parts: RenderableType) -> Group:
    """``Group(*parts)`` with every :class:`Text` part on lines of its own.

    :func:`safe_text` builds Text with ``end=""`` (it is often a piece of a line); stacked
    in a Group, such parts would run on into each other (``heuristicServes ORDER BY...``).
    """
    return Group(*(_own_line(part) for part in parts))


def _own_line(part: RenderableType) -> RenderableType:
    if isinstance(part, Text) and part.end != "\n":
        part = part.copy()
        part.end = "\n"
    return part


def safe_line(text: object, style: StyleType = "", *, limit: int | None = LINE_LIMIT) -> Text:
    """:func:`safe_text` on one line: line breaks and tabs are shown as ``\\n``/``\\t``."""
    return safe_text(text, style, limit=limit, multiline=False)


def safe_label(text: object, style: StyleType = "", *, limit: int | None = LABEL_LIMIT) -> Text:
    """A Tree node label (one line, clipped) made of server text."""
    return safe_text(text, style, limit=limit, multiline=False)


class CellText(Text):
    """A table cell's :class:`Text` that also compares equal to its plain string.

    DataTable parses ``str`` cells as markup, so cells are Text; equality with ``str``
    keeps ``table.get_row_at(0) == ["42"]`` meaningful.
    """

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.plain == other
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash(self.plain)


def safe_cell(text: object, style: StyleType = "", *, width: int | None = None) -> CellText:
    """A DataTable cell or column label: one line (line breaks as ``↵``), clipped to ``width``."""
    shown = text if isinstance(text, str) else display_value(text)
    shown = display_value(shown.replace("\n", "↵"), limit=width)
    return CellText(shown, style=style, end="")


def safe_join(*parts: Text | str, separator: str = "") -> Text:
    """Plain literal ``str`` pieces and already-safe :class:`Text` pieces joined as one Text.

    A ``str`` piece is escaped too, so a caller may pass literal text freely.
    """
    out = Text(end="")
    for number, part in enumerate(parts):
        if number and separator:
            out.append(separator)
        out.append(part if isinstance(part, Text) else safe_text(part))
    return out


def plain_message(message: object, *, limit: int | None = LINE_LIMIT) -> str:
    """A notification message or title as an escaped ``str`` (shown with ``markup=False``)."""
    if isinstance(message, Text):
        message = message.plain
    return display_value(message, limit=limit, multiline=True)


def safe_assemble(*parts: Text | str | tuple[object, StyleType]) -> Text:
    """Like ``Text.assemble``, but every ``str`` piece (alone or as ``(text, style)``) is escaped."""
    out = Text(end="")
    for part in parts:
        if isinstance(part, Text):
            out.append(part)
        elif isinstance(part, tuple):
            out.append(safe_text(part[0], part[1]))
        else:
            out.append(safe_text(part))
    return out


class SafeTextArea(TextArea):
    """A TextArea that never sends a control character of its text to the terminal.

    The document keeps the exact text (editing and copying work on it); only the
    rendered lines show each control character as one visible character
    (:func:`dbtui.core.display.pictured`: ``␛`` for ESC, ``�`` for a bidi override).
    Every TextArea that shows server text is one of these.
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if all(segment.text.isprintable() for segment in segments):
            return strip
        return Strip(
            [Segment(pictured(s.text), s.style, s.control) for s in segments], strip.cell_length
        )
