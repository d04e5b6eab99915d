"""The connection list: one lazily loaded catalog tree per connection."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from dbtui.core.catalog import CatalogNode
from dbtui.core.display import display_text
from dbtui.core.errors import DbtuiError
from dbtui.ui.safe import safe_assemble, safe_label, safe_text
from dbtui.ui.screens.describe import open_describe
from dbtui.ui.session import Session


@dataclass
class NodeData:
    """What a tree node stands for.

    Attributes:
        session_index: The connection the node belongs to.
        node: The catalog node, or ``None`` for the connection's own root.
        loaded: Children were fetched (or are being fetched).
    """

    session_index: int
    node: CatalogNode | None
    loaded: bool = False


KIND_ICONS = {
    "database": "◆",
    "schema": "▣",
    "folder": "▸",
    "table": "▦",
    "view": "◫",
    "column": "·",
    "index": "⚡",
    "trigger": "↯",
    "collection": "▤",
    "keyspace": "⚷",
}


class CatalogTree(Tree[NodeData]):
    """Connections as top-level nodes; their catalogs load when expanded.

    The tree never talks to a driver itself: it posts :class:`LoadChildren`
    and the screen runs the call in a worker, then calls :meth:`add_children`.
    """

    BINDINGS = [
        Binding("r", "retry", "Retry", id="catalog.retry", tooltip="Reconnect a failed connection"),
        Binding(
            "i", "insert", "Insert", id="catalog.insert", tooltip="Insert the name in the editor"
        ),
        Binding(
            "d",
            "describe",
            "Describe",
            id="catalog.describe",
            tooltip="Columns, indexes, keys both ways, triggers, size and DDL of the object",
        ),
    ]

    @dataclass
    class LoadChildren(Message):
        """The user expanded a node whose children are not loaded yet."""

        tree_node: TreeNode[NodeData]
        data: NodeData

    @dataclass
    class Retry(Message):
        """The user asked to reconnect a connection."""

        session_index: int

    @dataclass
    class InsertText(Message):
        """The user asked to insert a catalog name into the editor."""

        session_index: int
        text: str

    def __init__(self, sessions: list[Session], *, id: str | None = None) -> None:
        super().__init__("connections", id=id)
        self._sessions = sessions
        self.show_root = False
        self.guide_depth = 2
        for session in sessions:
            node = self.root.add(self.session_label(session), NodeData(session.index, None))
            node.allow_expand = session.driver is not None

    @staticmethod
    def session_label(session: Session, elapsed: float | None = None) -> Text:
        """A connection's label: status mark, name and engine, then "connecting…" or its error.

        One line (``Tree`` shows only the first line of a label). ``elapsed`` (seconds
        since the attempt began) is shown while connecting.
        """
        engine = session.spec.engine
        badge = " [ro]" if session.spec.read_only else ""
        if session.driver is not None:
            return safe_assemble(
                ("● ", "green"), (session.name, "bold"), (f" {engine}{badge}", "dim")
            )
        if session.connecting:
            waited = f" {elapsed:.0f}s" if elapsed is not None and elapsed >= 1 else ""
            return safe_assemble(
                ("◌ ", "yellow"),
                (session.name, "bold"),
                f" {engine}{badge} ",
                (f"connecting…{waited}", "yellow italic"),
            )
        reason = session.error.one_line() if session.error else "not connected"
        return safe_assemble(
            ("✖ ", "red"), (session.name, "bold"), f" {engine}{badge} ", (reason, "red")
        )

    def session_node(self, session_index: int) -> TreeNode[NodeData]:
        """The top-level node of a connection."""
        return self.root.children[session_index]

    def show_progress(self, session: Session, elapsed: float) -> None:
        """Update a connecting session's label with the seconds waited so far."""
        self.session_node(session.index).set_label(self.session_label(session, elapsed))

    def refresh_session(self, session: Session) -> None:
        """Redraw a connection's node after (re)connecting; an open catalog reloads."""
        node = self.session_node(session.index)
        was_open = node.is_expanded
        node.remove_children()
        node.set_label(self.session_label(session))
        node.allow_expand = session.driver is not None
        assert node.data is not None
        node.data.loaded = False
        if was_open and session.driver is not None:
            node.collapse()
            node.expand()  # loads the catalog again

    def add_children(
        self, tree_node: TreeNode[NodeData], children: list[CatalogNode], error: DbtuiError | None
    ) -> None:
        """Fill a node with loaded children (or show why they failed)."""
        tree_node.remove_children()
        data = tree_node.data
        assert data is not None
        if error is not None:
            data.loaded = False
            tree_node.add_leaf(
                safe_text(error.one_line(), style="red"), NodeData(data.session_index, None)
            )
            return
        if not children:
            tree_node.add_leaf(Text("(empty)", style="dim"), NodeData(data.session_index, None))
        for child in children:
            label = safe_assemble(f"{KIND_ICONS.get(child.kind, '•')} ", safe_label(child.label))
            if child.detail:
                label.append(f" {display_text(child.detail)}", style="dim")
            new = tree_node.add(label, NodeData(data.session_index, child))
            new.allow_expand = child.expandable

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        data = event.node.data
        if data is None or data.loaded:
            return
        if data.node is not None and not data.node.expandable:
            return
        data.loaded = True
        event.node.add_leaf(
            Text("loading…", style="dim italic"), NodeData(data.session_index, None)
        )
        self.post_message(self.LoadChildren(event.node, data))

    def action_retry(self) -> None:
        """Reconnect the connection under the cursor."""
        node = self.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.Retry(node.data.session_index))

    def action_insert(self) -> None:
        """Insert the highlighted object's name into the editor."""
        node = self.cursor_node
        if node is None or node.data is None or node.data.node is None:
            return
        text = node.data.node.insert_text or node.data.node.label
        self.post_message(self.InsertText(node.data.session_index, text))

    def action_describe(self) -> None:
        """Describe the highlighted object like psql's ``\\d``, in its own screen."""
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.node is not None:
            driver = self._sessions[node.data.session_index].driver
            open_describe(self.app, driver, node.data.node)
