"""The key browser's tree model: a :class:`KeyTree` whose open folders come first.

:class:`~dbtui.core.keytree.KeyTree` keeps at most ``max_leaves`` names in
total. On a big keyspace the scan spends that budget on folders nobody
opened, and a folder the user then opens could not keep a single name.
:class:`BrowserKeyTree` lets an expanded folder take names back from folders
that are not expanded (they are marked incomplete and are listed again by
their own scan when opened).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

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


def flat_model() -> KeyTree:
    """A model without folders: every key a name of the (expanded) root."""
    model = KeyTree(b"")
    model.expand(b"")
    return model


@dataclass
class ScanModels:
    """The two models one scan fills (folders and flat list) and the lock that guards them.

    Thread safety (issue #19): the scan worker adds every batch itself
    (:meth:`feed`), holding :attr:`lock` for that batch only (a few
    milliseconds), and the UI thread holds the same lock while it reads or
    changes either model (a sync of the rows on screen, expanding a folder,
    filling it, recording sizes). A lock held briefly was chosen over posting
    snapshots: a copy of up to ``max_folders`` folders and ``max_leaves`` names
    every 100 ms would cost more than the batches it saves, while the UI only
    reads the folders on screen. Folder counts of the tree are deferred by
    :meth:`feed` and made current by :meth:`flush`, which the worker calls
    before telling the UI to redraw. A new scan gets new models (and a new
    lock), so a worker that was abandoned only ever touches models nobody shows.
    """

    tree: BrowserKeyTree
    flat: KeyTree
    lock: threading.RLock

    @classmethod
    def new(cls, delimiter: bytes) -> ScanModels:
        """Empty models for a scan grouping names by ``delimiter``."""
        return cls(BrowserKeyTree(delimiter), flat_model(), threading.RLock())

    def feed(self, keys: list[bytes]) -> None:
        """Count a scanned batch in both models (folder counts wait for :meth:`flush`)."""
        with self.lock:
            self.tree.add(keys, defer=True)
            self.flat.add(keys)

    def flush(self) -> None:
        """Bring the folder counts up to date with every batch fed so far."""
        with self.lock:
            self.tree.flush()
