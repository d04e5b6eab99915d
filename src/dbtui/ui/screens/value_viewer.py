"""The cell and document viewer: one value in full, as text or as an expandable tree."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea, Tree
from textual.widgets.tree import TreeNode

from dbtui.core.values import format_value

#: Children shown per level before "… N more" (keeps a huge array from freezing the screen).
MAX_CHILDREN = 500


def is_container(value: object) -> bool:
    """True for values shown as a tree (documents, JSON objects and arrays)."""
    return isinstance(value, Mapping | list | tuple)


def fill(node: TreeNode[object], value: object) -> None:
    """Add ``value``'s members under ``node``, recursively, capped per level."""
    items = list(value.items()) if isinstance(value, Mapping) else list(enumerate(value))  # type: ignore[arg-type]
    for key, member in items[:MAX_CHILDREN]:
        label = Text.assemble((f"{key}", "bold cyan"), ": ")
        if is_container(member):
            size = len(member)
            label.append("{…}" if isinstance(member, Mapping) else f"[{size}]", style="dim")
            fill(node.add(label, data=member, expand=False), member)
        else:
            label.append("null" if member is None else format_value(member))
            node.add_leaf(label, data=member)
    if len(items) > MAX_CHILDREN:
        node.add_leaf(Text(f"… {len(items) - MAX_CHILDREN:,} more", style="dim"))


class ValueScreen(ModalScreen[None]):
    """Show one value in full; ``y`` copies it (OSC 52 works over SSH)."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="value.close"),
        Binding("y", "copy", "Copy", id="value.copy", tooltip="Copy the value to the clipboard"),
    ]

    HINT = "y copies · Esc closes"
    """The key reminder under the value (subclasses with more keys replace it)."""

    def __init__(self, title: str, value: object, type_name: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.type_name = type_name
        self.text = "NULL" if value is None else format_value(value, type_name, pretty=True)
        """The full value as text: what ``y`` copies."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            if is_container(self.value):
                tree: Tree[object] = Tree("value", data=self.value)
                tree.show_root = False
                fill(tree.root, self.value)
                tree.root.expand()
                yield tree
            else:
                yield TextArea(self.text, read_only=True, soft_wrap=True, id="value-text")
            yield Static(self.HINT, classes="dialog-body")

    def on_mount(self) -> None:
        widget = self.query_one(Tree) if is_container(self.value) else self.query_one(TextArea)
        widget.focus()

    def action_copy(self) -> None:
        """Copy the whole value as text (JSON for documents)."""
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied to the clipboard.")
