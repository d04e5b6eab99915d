"""The key browser's tree model: a :class:`KeyTree` whose open folders come first.

:class:`~dbtui.core.keytree.KeyTree` keeps at most ``max_leaves`` names in
total. On a big keyspace the scan spends that budget on folders nobody
opened, and a folder the user then opens could not keep a single name.
:class:`BrowserKeyTree` lets an expanded folder take names back from folders
that are not expanded (they are marked incomplete and are listed again by
their own scan when opened).
"""

from __future__ import annotations

from dbtui.core.keytree import Folder, KeyTree, iter_folders

EVICT_CHUNK = 1000
"""Names freed at once when an open folder needs room."""


class BrowserKeyTree(KeyTree):
    """A :class:`KeyTree` where expanded folders may evict names of closed folders."""

    def _can_keep(self, folder: Folder) -> bool:
        if super()._can_keep(folder):
            return True
        if folder.name not in self._expanded or len(folder.leaves) >= self.expanded_leaf_cap:
            return False
        return self.evict(EVICT_CHUNK) > 0

    def evict(self, wanted: int) -> int:
        """Drop up to about ``wanted`` kept names of folders that are not expanded.

        The root and expanded folders keep theirs. Returns how many were dropped.
        """
        dropped = 0
        for folder in iter_folders(self.root):
            if dropped >= wanted:
                break
            if not folder.leaves or folder.name in self._expanded or folder is self.root:
                continue
            dropped += len(folder.leaves)
            for key in list(folder.leaves):
                self._drop_leaf(folder, key)
            folder.complete = False
        return dropped
