"""The rows of the key list: a Tree widget that mirrors a :class:`~dbtui.core.keytree.KeyTree` model.

:class:`KeyTreeView` draws rows and owns the folder keys (right opens, left closes);
:class:`~dbtui.ui.key_browser.key_list.KeyList` builds on it and fills the model by scanning.

The model counts every scanned key; this widget only materialises the
folders the user expanded, and in each at most :data:`SHOW_STEP` key names
more than the user asked to see (a "more" row raises the limit). A name,
once shown, stays in place (new names are inserted in sorted position), so
the cursor does not jump while the scan fills the tree.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from dbtui.core.keyspace import KeyInfo
from dbtui.core.keytree import Folder, KeyTree, format_key
from dbtui.ui.key_browser.formatting import human_bytes, human_count, ttl_text, type_badge
from dbtui.ui.key_browser.sorting import sort_metric
from dbtui.ui.safe import safe_text

SHOW_STEP = 500
"""Key names shown per folder at first, and added by each "more" row."""


@dataclass(frozen=True)
class KeyNode:
    """What a row of the key list stands for.

    Attributes:
        kind: "folder", "key" or "more" (the row that shows more names of ``name``'s folder).
        name: The folder's full prefix, or the exact key name.
    """

    kind: str
    name: bytes


_DIGITS = re.compile(rb"(\d+)")


Order = tuple[bool, tuple[bytes | int, ...], bytes]
RowOrder = tuple[bool, tuple[int, str | int], tuple[bytes | int, ...], bytes]
"""Sort key of a row in the view's order: folder or key, metric (see sorting), natural name."""


@lru_cache(maxsize=65536)
def _order(data: KeyNode) -> Order:
    """Sort key of a row: folders before keys, then natural order (``2`` before ``10``)."""
    parts = _DIGITS.split(data.name)
    natural = tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
    return (data.kind != "folder", natural, data.name)


class KeyTreeView(Tree[KeyNode]):
    """Folders with key counts (and bytes once measured), keys with type/length/size/TTL."""

    BINDINGS = [
        Binding(
            "right", "open_folder", "Open", show=False, id="redis.open_folder", tooltip="Expand"
        ),
        Binding(
            "left", "close_folder", "Close", show=False, id="redis.close_folder", tooltip="Collapse"
        ),
    ]

    def __init__(
        self, model: KeyTree, infos: dict[bytes, KeyInfo], *, id: str | None = None
    ) -> None:
        super().__init__("keys", KeyNode("folder", b""), id=id)
        self.show_root = False
        self.guide_depth = 2
        self.model = model
        self.infos = infos
        self.model_lock: threading.RLock = threading.RLock()
        """Held while the model is read or changed (a scan worker may be feeding it)."""
        self._folders: dict[bytes, TreeNode[KeyNode]] = {}
        self._keys: dict[bytes, TreeNode[KeyNode]] = {}
        self._limits: dict[bytes, int] = {}
        self._seen: dict[bytes, int] = {}
        """Per folder, how many of the model's kept names were already considered."""
        self._subfolders: dict[bytes, int] = {}
        """Per folder, how many sub-folders it had when its folder rows were last updated."""
        self.sort_by = "name"
        """Order of the key rows in each folder (see :mod:`dbtui.ui.key_browser.sorting`)."""
        self.root.expand()

    @property
    def flat(self) -> bool:
        """True when the model has no delimiter (every key is a row of the root)."""
        return not self.model.delimiter

    # ------------------------------------------------------------- model -> widget
    def show_model(self, model: KeyTree) -> None:
        """Show another model (a new scan, or the flat/tree toggle)."""
        self.model = model
        self.clear()
        self.root.data = KeyNode("folder", b"")
        self.root.expand()
        self._folders.clear()
        self._keys.clear()
        self._limits.clear()
        self._seen.clear()
        self._subfolders.clear()
        self.sync()

    def sync(self) -> None:
        """Bring the root and every expanded folder up to date with the model."""
        with self.model_lock:
            self._sync_all()

    def _sync_all(self) -> None:
        self._sync_folder(self.root, self.model.root)
        for name, node in list(self._folders.items()):
            folder = self.model.folder(name)
            if folder is None:
                continue
            node.set_label(self.folder_label(folder))
            if node.is_expanded:
                self._sync_folder(node, folder)

    def _sync_folder(self, node: TreeNode[KeyNode], folder: Folder) -> None:
        """Insert new sub-folders and key names under ``node`` in sorted position.

        Folder rows and key rows each form a sorted prefix of what the model
        holds: the first :data:`SHOW_STEP` (more after "more" rows), plus any
        later name that sorts before the last row of its kind.
        """
        rows = [child for child in node.children if child.data and child.data.kind != "more"]
        order = [self.row_order(child.data) for child in rows if child.data]
        more = next((c for c in node.children if c.data and c.data.kind == "more"), None)
        limit = self._limits.get(folder.name, SHOW_STEP)
        folders_shown = sum(1 for child in rows if child.data and child.data.kind == "folder")
        if len(folder.children) != self._subfolders.get(folder.name):
            self._subfolders[folder.name] = len(folder.children)
            fresh = [KeyNode("folder", f.name) for f in folder.children.values()]
            fresh = [data for data in fresh if data.name not in self._folders]
            folders_shown = self._add_sorted(node, rows, order, more, fresh, limit, folders_shown)
        keys_shown = len(rows) - folders_shown
        seen = self._seen.get(folder.name, 0)
        names = islice(folder.leaves, seen, None)
        fresh = [KeyNode("key", key) for key in names if key not in self._keys]
        self._seen[folder.name] = len(folder.leaves)
        keys_shown = self._add_sorted(node, rows, order, more, fresh, limit, keys_shown)
        while keys_shown > 2 * limit and rows[-1] is not self.cursor_node:
            self._drop_last(rows, order)  # names sorting early kept coming: stay bounded
            keys_shown -= 1
        self._sync_more(node, folder, folders_shown, keys_shown, more)

    def _add_sorted(
        self,
        node: TreeNode[KeyNode],
        rows: list[TreeNode[KeyNode]],
        order: list[RowOrder],
        more: TreeNode[KeyNode] | None,
        fresh: list[KeyNode],
        limit: int,
        shown: int,
    ) -> int:
        """Insert rows of one kind from ``fresh`` (smallest first); returns how many are shown."""
        for data in sorted(fresh, key=self.row_order):
            # Folder rows come first, so the last of a kind is at shown-1 or at the end.
            last = (order[shown - 1] if data.kind == "folder" else order[-1]) if shown else None
            if shown >= limit and not (last is not None and self.row_order(data) < last):
                break
            self._insert(node, rows, order, more, data)
            shown += 1
        return shown

    def _drop_last(self, rows: list[TreeNode[KeyNode]], order: list[RowOrder]) -> None:
        last = rows.pop()
        order.pop()
        if last.data is not None:
            self._keys.pop(last.data.name, None)
        last.remove()  # "more" looks at every kept name again, so it can come back

    def _insert(
        self,
        node: TreeNode[KeyNode],
        rows: list[TreeNode[KeyNode]],
        order: list[RowOrder],
        more: TreeNode[KeyNode] | None,
        data: KeyNode,
    ) -> None:
        """Add one row under ``node`` keeping folders first and each group in :attr:`sort_by`."""
        index = bisect.bisect(order, self.row_order(data))
        before = rows[index] if index < len(rows) else more
        if data.kind == "folder":
            folder = self.model.folder(data.name)
            label = self.folder_label(folder) if folder else Text(format_key(data.name))
            child = node.add(label, data, before=before, allow_expand=True)
            self._folders[data.name] = child
        else:
            child = node.add(self.key_label(data.name), data, before=before, allow_expand=False)
            self._keys[data.name] = child
        rows.insert(index, child)
        order.insert(index, self.row_order(data))

    def _sync_more(
        self,
        node: TreeNode[KeyNode],
        folder: Folder,
        folders_shown: int,
        keys_shown: int,
        more: TreeNode[KeyNode] | None,
    ) -> None:
        """Keep a last row saying how many folders and names are not shown yet (if any)."""
        keys = folder.count - keys_shown - sum(f.count for f in folder.children.values())
        folders = len(folder.children) - folders_shown
        if keys <= 0 and folders <= 0:
            if more is not None:
                more.remove()
            return
        parts = [f"{folders:,} folders"] if folders > 0 else []
        parts += [f"{keys:,} keys"] if keys > 0 else []
        kept = len(folder.leaves) > keys_shown or folders > 0
        hint = ", Enter shows more" if kept else ", filter to narrow"
        label = safe_text(f"… {' and '.join(parts)} more{hint}", style="dim italic")
        if more is not None:
            more.set_label(label)
        else:
            node.add_leaf(label, KeyNode("more", folder.name))

    def show_more(self, node: TreeNode[KeyNode]) -> None:
        """Raise the limit of names shown in the folder of a "more" row."""
        if node.data is None or node.data.kind != "more":
            return
        name = node.data.name
        self._limits[name] = self._limits.get(name, SHOW_STEP) + SHOW_STEP
        self._seen.pop(name, None)
        self._subfolders.pop(name, None)
        parent = node.parent
        with self.model_lock:
            folder = self.model.folder(name)
            if folder is not None and parent is not None:
                self._sync_folder(parent, folder)

    def collapse_folder(self, node: TreeNode[KeyNode]) -> None:
        """Forget the rows under a collapsed folder (they are rebuilt when it opens again)."""
        for child in list(node.children):
            self._forget(child)
        node.remove_children()
        if node.data is not None:
            self._limits.pop(node.data.name, None)
            self._seen.pop(node.data.name, None)
            self._subfolders.pop(node.data.name, None)

    def _forget(self, node: TreeNode[KeyNode]) -> None:
        for child in node.children:
            self._forget(child)
        if node.data is not None:
            if node.data.kind == "folder":
                self._folders.pop(node.data.name, None)
            elif node.data.kind == "key":
                self._keys.pop(node.data.name, None)

    def remove_key(self, key: bytes) -> None:
        """Drop a deleted key's row (the model must already have forgotten it)."""
        node = self._keys.pop(key, None)
        if node is not None:
            node.remove()
        self._seen.clear()  # kept names shifted: look at every one again next time

    def refresh_keys(self, keys: list[bytes]) -> None:
        """Redraw the rows of keys whose facts arrived."""
        for key in keys:
            node = self._keys.get(key)
            if node is not None:
                node.set_label(self.key_label(key))

    # ------------------------------------------------------------- order
    def row_order(self, data: KeyNode) -> RowOrder:
        """Where a row sorts: folders first by name, then keys in :attr:`sort_by`, then by name."""
        is_key, natural, name = _order(data)
        if not is_key or self.sort_by == "name":
            return (is_key, (0, 0), natural, name)
        return (is_key, sort_metric(self.sort_by, self.infos.get(data.name)), natural, name)

    def resort(self) -> None:
        """Put the key rows of open folders back in :attr:`sort_by`; the cursor keeps its key."""
        selected = self.selected_key()
        for node in [self.root, *self._folders.values()]:
            if node is self.root or node.is_expanded:
                self._resort_folder(node)
        if selected is not None and selected in self._keys:
            self.move_cursor(self._keys[selected])

    def _resort_folder(self, node: TreeNode[KeyNode]) -> None:
        rows = [c for c in node.children if c.data is not None and c.data.kind == "key"]
        wanted = sorted(rows, key=lambda child: self.row_order(child.data or KeyNode("key", b"")))
        if wanted == rows:
            return
        more = next((c for c in node.children if c.data and c.data.kind == "more"), None)
        for child in rows:
            child.remove()
        for data in (child.data for child in wanted if child.data is not None):
            label = self.key_label(data.name)
            self._keys[data.name] = node.add(label, data, before=more, allow_expand=False)

    def shown_key_names(self) -> list[bytes]:
        """Names of every key row the widget holds (in open folders), visible or not."""
        return list(self._keys)

    # ------------------------------------------------------------- labels
    def folder_label(self, folder: Folder) -> Text:
        """``name  count  bytes`` (bytes with ``+`` while only part of the folder was measured)."""
        text = Text(format_key(folder.label), style="bold")
        text.append(f" {human_count(folder.count)}", style="cyan")
        if folder.measured:
            suffix = "+" if folder.measured < folder.count else ""
            text.append(f" {human_bytes(folder.bytes_total)}{suffix}", style="dim")
        return text

    def key_label(self, key: bytes) -> Text:
        """``badge name  length size ttl`` from the facts known so far."""
        info = self.infos.get(key)
        shown = key
        if not self.flat and self.model.delimiter in key:
            shown = key.rsplit(self.model.delimiter, 1)[1]
        text = type_badge(info.type if info else None)
        text.append(" " + format_key(shown))
        if info is not None and info.exists:
            if info.length is not None and info.type != "string":
                text.append(f" #{human_count(info.length)}", style="dim")
            text.append(f" {human_bytes(info.memory)}", style="dim")
            if info.ttl_ms is not None:
                text.append(f" ⏱{ttl_text(info.ttl_ms)}", style="yellow")
        return text

    # ------------------------------------------------------------- queries
    def visible_keys(self) -> Iterator[bytes]:
        """Key names of the rows currently on screen."""
        top = int(self.scroll_offset.y)
        for line in range(top, top + self.size.height):
            node = self.get_node_at_line(line)
            if node is not None and node.data is not None and node.data.kind == "key":
                yield node.data.name

    def selected_key(self) -> bytes | None:
        """The key under the cursor, or ``None`` on a folder or a "more" row."""
        node = self.cursor_node
        if node is None or node.data is None or node.data.kind != "key":
            return None
        return node.data.name

    def shown_keys(self) -> int:
        """How many key rows the widget holds."""
        return len(self._keys)

    def select_key(self, key: bytes) -> bool:
        """Open the folders down to ``key`` and put the cursor on it; False if it is not kept."""
        if not self.flat:
            parts = key.split(self.model.delimiter)
            for depth in range(1, len(parts)):
                node = self._folders.get(self.model.delimiter.join(parts[:depth]))
                if node is None:
                    break
                self.open(node)
        target = self._keys.get(key)
        if target is None:
            return False
        self.call_after_refresh(self._cursor_to, key)
        return True

    def open(self, node: TreeNode[KeyNode]) -> None:
        """Expand a folder row and list it now (rather than when its event arrives)."""
        if node.is_expanded or node.data is None or node.data.kind != "folder":
            return
        node.expand()
        with self.model_lock:
            folder = self.model.expand(node.data.name)
            if folder is not None:
                self._sync_folder(node, folder)

    def open_single_chain(self) -> None:
        """Open folders from the top while each level holds exactly one folder."""
        node = self.root
        while len(node.children) == 1 and node.children[0].allow_expand:
            node = node.children[0]
            self.open(node)

    def _cursor_to(self, key: bytes) -> None:
        node = self._keys.get(key)
        if node is not None:
            self.move_cursor(node)

    # ------------------------------------------------------------- keys
    def action_open_folder(self) -> None:
        """Expand the folder under the cursor."""
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()

    def action_close_folder(self) -> None:
        """Collapse the folder under the cursor, or go up to its parent folder."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
