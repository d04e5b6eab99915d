"""Moving around the key tree: open values as the cursor moves, list folders as they open.

:class:`TreeEvents` sits between :class:`~dbtui.ui.redis.view_actions.ViewActions`
(itself over the member edits and the key actions) and the screen, so each
module stays small.
"""

from __future__ import annotations

from functools import partial

from textual.widgets import Tree

from dbtui.ui.redis import jobs
from dbtui.ui.redis.key_view import KeyNode
from dbtui.ui.redis.messages import FolderKeys
from dbtui.ui.redis.view_actions import ViewActions

OPEN_DELAY = 0.15
"""Seconds the cursor must rest on a key before its value is read (no read per key skipped)."""


class TreeEvents(ViewActions):
    """Tree event handlers of the browser screen."""

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[KeyNode]) -> None:
        """Follow the cursor: load the key's value shortly after it stops moving."""
        data = event.node.data
        if data is None or data.kind != "key":
            return
        self.set_timer(OPEN_DELAY, partial(self._open_if_still, data.name))

    def _open_if_still(self, key: bytes) -> None:
        if self.keys_view.selected_key() == key and self.viewer.key != key:
            self.viewer.show(key)

    def on_tree_node_selected(self, event: Tree.NodeSelected[KeyNode]) -> None:
        """Enter: show more names on a "more" row; open the value pane on a key."""
        data = event.node.data
        if data is None:
            return
        if data.kind == "more":
            self.keys_view.show_more(event.node)
        elif data.kind == "key":
            if self.viewer.key != data.name:
                self.viewer.show(data.name)
            self.viewer.focus_body()

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[KeyNode]) -> None:
        """List an opened folder; scan it on its own when the model did not keep all its names."""
        data = event.node.data
        if data is None or data.kind != "folder" or event.node is self.keys_view.root:
            return
        folder = self.model.expand(data.name)
        if folder is None:
            return
        self.keys_view.sync()
        if not folder.complete and not self.keys_view.flat:
            self.folder_flow.cancelled.set()
            self.folder_flow = jobs.Flow()
            pattern = self.model.folder_pattern(folder)
            job = partial(
                jobs.scan_folder,
                self.post_message,
                self.generation,
                self.keyspace,
                data.name,
                pattern,
                self.folder_flow,
            )
            self.run_worker(job, thread=True, group="folder", exit_on_error=False)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[KeyNode]) -> None:
        """Drop the rows (and extra kept names) of a closed folder."""
        data = event.node.data
        if data is None or data.kind != "folder" or event.node is self.keys_view.root:
            return
        self.keys_view.collapse_folder(event.node)
        self.model.collapse(data.name)

    def on_folder_keys(self, event: FolderKeys) -> None:
        """Keep the names found by a folder's own scan."""
        if event.generation != self.generation:
            return
        self.tree_model.fill(event.keys)
        self.dirty = True
