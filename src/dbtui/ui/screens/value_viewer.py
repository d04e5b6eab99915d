"""The cell and document viewer: one value, as text or as an expandable tree.

Memory and time stay bounded whatever the value's size: a string or bytes
value longer than :data:`VIEW_LIMIT` is shown one part at a time (``n``/``p``
move to the next/previous part) and the header says which part ("first 64 KiB
of 200 MiB"); only that part is formatted. A tree shows at most
:data:`MAX_CHILDREN` members per level and :data:`LEAF_CHARS` characters of a
member. A Redis value browsed by key is paged from the server (GETRANGE) by
the key browser; here the value already came with the result.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea, Tree
from textual.widgets.tree import TreeNode

from dbtui.core.display import display_text
from dbtui.core.values import format_value
from dbtui.ui.safe import SafeTextArea, safe_assemble, safe_text

#: Children shown per level before "… N more" (keeps a huge array from freezing the screen).
MAX_CHILDREN = 500
#: Longest part of a string (characters) or bytes value shown (and formatted) at once.
#: The key browser's GETRANGE chunk too. Measured on a loaded 2-core machine: 64 KiB of
#: bytes (128 Ki characters of hex) opens in 0.4 to 1.7 s, 256 KiB in 2.3 to 2.6 s.
VIEW_LIMIT = 64 * 1024
#: Lines longer than this are shown broken (a soft-wrapped line of 100,000s of characters
#: makes every key take seconds in a TextArea); ``y`` copies the text unbroken.
DISPLAY_LINE = 1024
#: Characters of a member shown in a tree.
LEAF_CHARS = 500


def human_size(count: int, unit: str) -> str:
    """``1 MiB``, ``200 MiB``, ``512 KiB`` for bytes; ``1,048,576 characters`` otherwise."""
    if unit != "bytes":
        return f"{count:,} {unit}"
    for size, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if count >= size:
            amount = count / size
            return f"{amount:.0f} {name}" if amount == int(amount) else f"{amount:.1f} {name}"
    return f"{count:,} bytes"


def is_long(value: object) -> bool:
    """True for a string or bytes value shown in parts."""
    return isinstance(value, str | bytes | bytearray) and len(value) > VIEW_LIMIT


def part_label(value: str | bytes | bytearray, offset: int) -> str:
    """Which part of a long value is shown: ``first 64 KiB of 200 MiB``."""
    unit = "characters" if isinstance(value, str) else "bytes"
    end = min(len(value), offset + VIEW_LIMIT)
    whole = human_size(len(value), unit)
    if offset == 0:
        return f"first {human_size(end, unit)} of {whole}"
    return f"{human_size(offset, unit)} to {human_size(end, unit)} of {whole}"


def break_long_lines(text: str, width: int = DISPLAY_LINE) -> str:
    """``text`` with every line longer than ``width`` characters cut into pieces of ``width``."""
    if len(text) <= width:
        return text
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
        else:
            lines.extend(line[i : i + width] for i in range(0, len(line), width))
    return "\n".join(lines)


def leaf_text(member: object) -> str:
    """A tree member's text, cut to :data:`LEAF_CHARS` characters (formatting only a prefix)."""
    if isinstance(member, str | bytes | bytearray) and len(member) > LEAF_CHARS:
        head = format_value(member[:LEAF_CHARS])[:LEAF_CHARS]
        unit = "characters" if isinstance(member, str) else "bytes"
        return f"{head}… ({len(member):,} {unit})"
    text = format_value(member)
    return text if len(text) <= LEAF_CHARS else text[:LEAF_CHARS] + "…"


def is_container(value: object) -> bool:
    """True for values shown as a tree (documents, JSON objects and arrays)."""
    return isinstance(value, Mapping | list | tuple)


def fill(node: TreeNode[object], value: object) -> None:
    """Add ``value``'s members under ``node``, recursively, capped per level."""
    items = list(value.items()) if isinstance(value, Mapping) else list(enumerate(value))  # type: ignore[arg-type]
    for key, member in items[:MAX_CHILDREN]:
        label = safe_assemble((f"{key}", "bold cyan"), ": ")
        if is_container(member):
            size = len(member)
            label.append("{…}" if isinstance(member, Mapping) else f"[{size:d}]", style="dim")
            fill(node.add(label, data=member, expand=False), member)
        else:
            label.append(
                "null" if member is None else display_text(format_value(member), limit=500)
            )
            node.add_leaf(label, data=member)
    if len(items) > MAX_CHILDREN:
        node.add_leaf(Text(f"… {len(items) - MAX_CHILDREN:,} more", style="dim"))


class ValueScreen(ModalScreen[None]):
    """Show one value (a long one in parts: ``n``/``p``); ``y`` copies what is shown."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="value.close"),
        Binding("y", "copy", "Copy", id="value.copy", tooltip="Copy the value to the clipboard"),
        Binding(
            "n", "part(1)", "Next part", show=False, id="value.next", tooltip="Show the next part"
        ),
        Binding(
            "p",
            "part(-1)",
            "Previous part",
            show=False,
            id="value.previous",
            tooltip="The part before",
        ),
    ]

    HINT = "y copies · Esc closes"
    """The key reminder under the value (subclasses with more keys replace it)."""

    def __init__(self, title: str, value: object, type_name: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.type_name = type_name
        self.part_offset = 0
        """Where the part shown starts (characters or bytes) in a long value."""
        self.text = "" if is_container(value) else self._part_text()
        """The value as text, what ``y`` copies: the part shown of a long value; for a
        tree it is made when first copied."""

    def _part_text(self) -> str:
        value = self.value
        if value is None:
            return "NULL"
        if is_long(value):
            assert isinstance(value, str | bytes | bytearray)
            value = value[self.part_offset : self.part_offset + VIEW_LIMIT]
        return format_value(value, self.type_name, pretty=True)

    def _part_label(self) -> str:
        value = self.value
        if not is_long(value):
            return ""
        assert isinstance(value, str | bytes | bytearray)
        return part_label(value, self.part_offset) + " · n next part · p previous part"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(safe_text(self.title_text, style="bold"), classes="dialog-title")
            if is_long(self.value):
                yield Static(safe_text(self._part_label(), style="yellow"), id="value-part")
            if is_container(self.value):
                tree: Tree[object] = Tree("value", data=self.value)
                tree.show_root = False
                fill(tree.root, self.value)
                tree.root.expand()
                yield tree
            else:
                yield SafeTextArea(self.text, read_only=True, soft_wrap=True, id="value-text")
            yield Static(safe_text(self.HINT), classes="dialog-body")

    def on_mount(self) -> None:
        widget = self.query_one(Tree) if is_container(self.value) else self.query_one(TextArea)
        widget.focus()

    def action_part(self, step: int) -> None:
        """Show the next (``1``) or previous (``-1``) part of a long value."""
        value = self.value
        if not is_long(value):
            return
        assert isinstance(value, str | bytes | bytearray)
        offset = self.part_offset + step * VIEW_LIMIT
        if not 0 <= offset < len(value):
            self.notify("That is the last part." if step > 0 else "That is the first part.")
            return
        self.part_offset = offset
        self.text = self._part_text()
        self.query_one("#value-text", TextArea).load_text(break_long_lines(self.text))
        self.query_one("#value-part", Static).update(safe_text(self._part_label(), style="yellow"))

    def action_copy(self) -> None:
        """Copy the value as text (JSON for documents); of a long value, the part shown."""
        if not self.text:
            self.text = format_value(self.value, self.type_name, pretty=True)
        self.app.copy_to_clipboard(self.text)
        if is_long(self.value):
            assert isinstance(self.value, str | bytes | bytearray)
            self.notify(f"Copied the part shown ({part_label(self.value, self.part_offset)}).")
            return
        self.notify("Copied to the clipboard.")
