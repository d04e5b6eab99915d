"""A command reply (Redis console, MongoDB scalars) shown as redis-cli shows it.

The lines come from :func:`dbtui.core.replies.reply_lines` (at most
:data:`~dbtui.core.replies.MAX_LINES`, every value clipped and already escaped);
only the lines on screen are turned into styled text, and never through markup.
Up/Down move a line cursor, Enter opens the line's value in full (JSON, MessagePack
and gzip/zlib-compressed values decoded), ``c`` copies it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dbtui.core.replies import Kind, ReplyLine, reply_lines
from dbtui.core.results import ReplyResult
from dbtui.core.value_formats import decode_value
from dbtui.ui.safe import safe_join, safe_line

#: The style of each kind of piece (16-colour safe names).
STYLES: dict[Kind, str] = {
    "string": "",
    "binary": "magenta",
    "status": "green",
    "integer": "cyan",
    "number": "cyan",
    "nil": "dim italic",
    "error": "bold red",
    "empty": "dim italic",
    "index": "dim",
    "field": "yellow",
    "section": "bold",
    "text": "",
    "punct": "dim",
    "note": "italic yellow",
}


def line_text(line: ReplyLine) -> Text:
    """One reply line as styled :class:`Text` (its pieces escaped again: no markup, no controls)."""
    return safe_join(
        *(safe_line(piece.text, STYLES[piece.kind], limit=None) for piece in line.pieces)
    )


DECODE_LIMIT = 1024 * 1024
"""Values up to this many bytes open decoded (JSON, MessagePack, gzip/zlib); longer ones as is."""


def opened(value: object) -> tuple[object, str]:
    """What Enter opens, and the format it was decoded from ("" when shown as it is).

    Bytes holding JSON, MessagePack or gzip/zlib-compressed data open decoded
    (:func:`dbtui.core.value_formats.decode_value`); other text opens as text, other
    binary as bytes (the viewer shows hex).
    """
    if not isinstance(value, bytes | bytearray) or len(value) > DECODE_LIMIT:
        return value_text(value), ""
    decoded = decode_value(bytes(value))
    if decoded.format in ("text", "hex"):
        return value_text(value), ""
    return decoded.text, decoded.format + (f", {decoded.note}" if decoded.note else "")


def value_text(value: object) -> object:
    """What Enter opens and ``c`` copies: bytes that are UTF-8 as text, other values as they are."""
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    return value


class ReplyView(ScrollView, can_focus=True):
    """Shows one :class:`ReplyResult` as indented, numbered, coloured lines (hidden until then)."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="reply.up"),
        Binding("down", "move(1)", "Down", show=False, id="reply.down"),
        Binding("pageup", "move(-20)", "Page up", show=False, id="reply.page_up"),
        Binding("pagedown", "move(20)", "Page down", show=False, id="reply.page_down"),
        Binding("home", "move(-1000000000)", "First line", show=False, id="reply.first"),
        Binding("end", "move(1000000000)", "Last line", show=False, id="reply.last"),
        Binding(
            "enter",
            "open",
            "Open value",
            id="reply.open",
            tooltip="Show the value of the line in full",
        ),
        Binding("c", "copy", "Copy value", id="reply.copy", tooltip="Copy the value of the line"),
    ]

    DEFAULT_CSS = """
    ReplyView { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[ReplyLine] = []
        """The lines shown (bounded by :data:`~dbtui.core.replies.MAX_LINES`)."""
        self.cursor = 0
        """Index of the highlighted line."""
        self.result: ReplyResult | None = None
        self.display = False  # hidden until :meth:`show` has a reply

    def show(self, result: ReplyResult) -> None:
        """Replace what is shown with ``result``'s reply, cursor on the first line."""
        self.result = result
        self.display = True
        self.lines = reply_lines(result.reply)
        width = max((cell_len(line.plain) for line in self.lines), default=0)
        self.cursor = 0
        self.virtual_size = Size(width, len(self.lines))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    @property
    def plain_lines(self) -> list[str]:
        """The text of every line shown (tests, copies)."""
        return [line.plain for line in self.lines]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        text = line_text(self.lines[index])
        if index == self.cursor and self.has_focus:
            text.stylize(Style(reverse=True))
        segments = [
            Segment(s.text, self.rich_style + s.style if s.style else self.rich_style)
            for s in text.render(self.app.console)
        ]
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, self.rich_style)

    def action_move(self, delta: int) -> None:
        """Move the line cursor by ``delta`` lines, scrolling to keep it in view."""
        if not self.lines:
            return
        self.cursor = max(0, min(len(self.lines) - 1, self.cursor + delta))
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()

    def _value(self) -> object:
        if not 0 <= self.cursor < len(self.lines):
            return None
        return self.lines[self.cursor].value

    def action_open(self) -> None:
        """Open the value of the line under the cursor in the value viewer."""
        from dbtui.ui.widgets.results.view import ResultsView  # it imports this module

        value = self._value()
        if value is None:
            return
        shown, decoded_from = opened(value)
        title = f"reply line {self.cursor + 1:,}" + (f" · {decoded_from}" if decoded_from else "")
        self.post_message(ResultsView.OpenValue(title, shown, ""))

    def action_copy(self) -> None:
        """Copy the value of the line under the cursor (text; binary as ``\\xNN``)."""
        value = value_text(self._value())
        if value is None:
            return
        if isinstance(value, bytes):
            text = value.decode("utf-8", errors="backslashreplace")
        else:
            text = value if isinstance(value, str) else str(value)
        self.app.copy_to_clipboard(text)
        self.notify("Copied the value to the clipboard.", timeout=3)

    def on_click(self, event: events.Click) -> None:
        """A click puts the line cursor on the line clicked."""
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.lines):
            self.cursor = index
            self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
