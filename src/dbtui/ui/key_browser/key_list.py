"""The key list: the key tree filled by a background scan, with the facts of the rows on screen.

:class:`KeyList` scans the keyspace in a thread worker that builds the key tree
itself and tells the UI at a bounded rate where it stands (:func:`.jobs.run_scan`;
the models and their lock: :class:`~.tree_model.ScanModels`); ``s`` pauses and
resumes it, ``r`` scans again, ``f`` switches between folders and a flat list,
``o`` changes the order of the loaded keys. Facts (type, TTL, memory, length) are
fetched only for the rows on screen. It posts :class:`KeyList.Show`
when a key should be shown in the value pane, :class:`KeyList.Scanned` when the
header should change, and :class:`KeyList.Refreshed` after ``r``. Rows and their
labels are drawn by its base, :class:`~dbtui.ui.key_browser.key_view.KeyTreeView`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.message import Message
from textual.widgets import Tree

from dbtui.core.capabilities.keys import KeyBrowser, KeyScan
from dbtui.core.keyspace import wants_lookup
from dbtui.core.keytree import format_key
from dbtui.ui.key_browser import jobs
from dbtui.ui.key_browser.header import ScanStatus
from dbtui.ui.key_browser.key_view import KeyNode, KeyTreeView
from dbtui.ui.key_browser.messages import FolderKeys, InfosLoaded, KeyLookedUp, ScanEnded, ScanKeys
from dbtui.ui.key_browser.sorting import SORT_LABELS, next_sort
from dbtui.ui.key_browser.tree_model import ScanModels

INFO_BATCH = 100
"""Rows whose facts are fetched in one call at most."""
INFO_CACHE = 50_000
"""Facts kept at most; the cache is emptied (and refilled for visible rows) beyond."""
OPEN_DELAY = 0.15
"""Seconds the cursor must rest on a key before it is shown (no read per key skipped)."""


class KeyList(KeyTreeView):
    """The keys of one database, scanned in the background.

    Args:
        keys: The database's key browser (from the driver's KeyBrowsing capability).
        delimiter: Separator that groups key names into folders.
    """

    @dataclass
    class Show(Message):
        """Show ``key`` in the value pane (``None``: clear it); ``focus``: and move there."""

        key: bytes | None
        focus: bool = False

    @dataclass
    class Scanned(Message):
        """The scan's progress, count or status changed."""

        status: ScanStatus

    class Refreshed(Message):
        """``r`` scanned again: the shown value should be read again too."""

    def __init__(self, keys: KeyBrowser, delimiter: bytes, *, id: str | None = None) -> None:
        self.delimiter = delimiter
        self.models = ScanModels.new(delimiter)
        self.tree_model = self.models.tree
        self.flat_model = self.models.flat
        super().__init__(self.tree_model, {}, id=id)
        self.model_lock = self.models.lock
        self.keys = keys
        self.generation = 0
        self.scanner: KeyScan | None = None
        self.flow = jobs.Flow()
        self.folder_flow = jobs.Flow()
        self.scanning = False
        self.scan_finished = False
        self.resume_wanted = False
        self.match: bytes | None = None
        self.type_: str | None = None
        self.keys_seen = 0
        self.total = 0
        self.progress = 0.0
        self.dirty = False
        self.info_loading = False
        self.status = ""

    def on_mount(self) -> None:
        self.set_interval(0.2, self._sync_if_dirty)
        self.set_interval(0.3, self._fetch_visible_infos)
        self.start_scan()

    def on_unmount(self) -> None:
        """Stop every background loop of the list."""
        self.flow.cancelled.set()
        self.folder_flow.cancelled.set()

    def _report(self) -> None:
        filtered = self.match is not None or self.type_ is not None
        status = ScanStatus(
            self.keys_seen, self.total, filtered, self.status, self.progress, self.sort_by
        )
        self.post_message(self.Scanned(status))

    # ----------------------------------------------------------------- scanning
    def start_scan(self) -> None:
        """Forget what was scanned and scan again with the current filter."""
        self.flow.cancelled.set()
        self.folder_flow.cancelled.set()
        self.generation += 1
        self.scanner = self.keys.new_scan()
        self._clear_models()
        self.keys_seen, self.total, self.progress = 0, 0, 0.0
        self.scanning = False
        self._launch_scan()

    def _launch_scan(self) -> None:
        assert self.scanner is not None
        self.flow = jobs.Flow()
        self.scanning, self.scan_finished, self.resume_wanted = True, False, False
        self.status = "scanning… s pauses"
        self._report()
        job = partial(
            jobs.run_scan,
            self.post_message,
            self.generation,
            self.scanner,
            self.match,
            self.type_,
            self.flow,
            self.models,
        )
        self.run_worker(job, thread=True, group="scan", description="scan", exit_on_error=False)

    def _clear_models(self) -> None:
        """New models (and lock): a worker still running fills the old ones, shown nowhere."""
        self.models = ScanModels.new(self.delimiter)
        self.tree_model, self.flat_model = self.models.tree, self.models.flat
        self.model_lock = self.models.lock
        self.show_model(self.flat_model if self.flat else self.tree_model)

    def on_scan_keys(self, event: ScanKeys) -> None:
        """The current scan moved on (messages of an abandoned scan are dropped)."""
        if event.generation == self.generation:
            self.add_batch(event)
            if event.slot:
                self.flow.release()

    def add_batch(self, event: ScanKeys) -> None:
        """Note the scan's progress (the worker added the keys); the first keys are drawn at once.

        Later ones are drawn by a timer, which syncs only the rows of open folders.
        """
        self.keys_seen, self.total, self.progress = event.keys_seen, event.total, event.progress
        self._report()
        if self.shown_keys() == 0 and not self.root.children:
            self._sync(open_chain=True)
        else:
            self.dirty = True

    def on_scan_ended(self, event: ScanEnded) -> None:
        """Record how the scan stopped; resume it if that was asked meanwhile."""
        if event.generation != self.generation:
            return
        self.scanning = False
        self.scan_finished = event.finished
        if event.error is not None:
            self.status = "stopped (r retries)"
            self.notify(event.error.one_line(), severity="error", timeout=8)
        elif event.finished:
            self.status = "done"
            self.progress = 1.0
        else:
            self.status = "paused, s resumes"
        self._sync(open_chain=True)
        self._report()
        if self.resume_wanted and not event.finished:
            self._launch_scan()

    def action_toggle_scan(self) -> None:
        """Pause the running scan, or resume a paused one where it stopped."""
        if self.scanner is None or self.scan_finished:
            self.notify("The scan is complete: r scans again.")
        elif self.scanning and not self.flow.cancelled.is_set():
            self.flow.cancelled.set()
            self.status = "pausing…"
            self._report()
        elif self.scanning:
            self.resume_wanted = True  # resumes once the paused worker has stopped
        else:
            self._launch_scan()

    def _sync_if_dirty(self) -> None:
        if self.dirty:
            self._sync()

    def _sync(self, *, open_chain: bool = False) -> None:
        self.dirty = False
        self.sync()
        if open_chain and (self.match is not None or self.type_ is not None):
            self.open_single_chain()  # a filtered scan shows its keys without digging
        if self.cursor_line < 0 and self.root.children:
            self.cursor_line = 0

    # ----------------------------------------------------------------- facts of visible rows
    def _fetch_visible_infos(self) -> None:
        if self.info_loading:
            return
        wanted = list(self.visible_keys())
        if self.sort_by != "name":  # the order needs the facts of every loaded row
            wanted += self.shown_key_names()
        keys = list(dict.fromkeys(key for key in wanted if key not in self.infos))
        if not keys:
            return
        self.info_loading = True
        job = partial(jobs.load_infos, self.post_message, self.keys, keys[:INFO_BATCH])
        self.run_worker(job, thread=True, group="infos", exit_on_error=False)

    def on_infos_loaded(self, event: InfosLoaded) -> None:
        """Store the facts, add measured sizes to the folders, redraw those rows."""
        self.info_loading = False
        if event.error is not None:
            self.notify(event.error.one_line(), severity="error")
            return
        if len(self.infos) > INFO_CACHE:
            self.infos.clear()
        sizes: dict[bytes, int | None] = {}
        for info in event.infos:
            self.infos[info.key] = info
            sizes[info.key] = info.memory
        with self.model_lock:
            self.tree_model.record_sizes(sizes)
            self.flat_model.record_sizes(sizes)
        self.refresh_keys(list(sizes))
        if self.sort_by != "name":
            self.resort()
        self.dirty = True

    # ----------------------------------------------------------------- filter
    def apply_filter(self, pattern: bytes, type_: str | None) -> None:
        """Scan with ``pattern`` (``b""``: every key), or look an exact name up directly."""
        self.type_ = type_
        if wants_lookup(pattern):
            self.match = pattern
            self._lookup(pattern)
            return
        self.match = pattern or None
        self.start_scan()

    def _lookup(self, key: bytes) -> None:
        self.flow.cancelled.set()
        self.generation += 1
        self.scanner = None
        self._clear_models()
        self.scanning, self.scan_finished = False, True
        self.status = "exact name, no scan"
        self._report()
        job = partial(jobs.lookup, self.post_message, self.generation, self.keys, key)
        self.run_worker(job, thread=True, group="scan", exit_on_error=False)

    def on_key_looked_up(self, event: KeyLookedUp) -> None:
        """Show the looked-up key alone, or say it does not exist."""
        if event.generation != self.generation:
            return
        if event.error is not None:
            self.notify(event.error.one_line(), severity="error")
            return
        if event.info is None:
            self.status = "no such key (add * to match a pattern)"
            self._report()
            return
        if event.info.type != self.type_ and self.type_ is not None:
            self.status = f"that key is a {event.info.type}"
            self._report()
            return
        self.infos[event.key] = event.info
        self.add_key(event.key)
        self.keys_seen, self.total = 1, 1
        self._report()
        self.select_key(event.key)
        self.post_message(self.Show(event.key))

    # ----------------------------------------------------------------- keys that changed
    def add_key(self, key: bytes) -> None:
        """Add a key (created or renamed) to both models and draw it."""
        with self.model_lock:
            self.tree_model.add([key])
            self.flat_model.add([key])
        self._sync()

    def forget(self, key: bytes) -> None:
        """Drop a key that no longer exists from the models and the rows."""
        with self.model_lock:
            self.tree_model.remove(key)
            self.flat_model.remove(key)
        self.infos.pop(key, None)
        self.remove_key(key)
        self.sync()

    def forget_info(self, key: bytes) -> None:
        """Fetch the facts of ``key`` again (after a write)."""
        self.infos.pop(key, None)

    # ----------------------------------------------------------------- moving around
    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[KeyNode]) -> None:
        """Follow the cursor: show the key shortly after it stops moving."""
        data = event.node.data
        if data is not None and data.kind == "key":
            self.set_timer(OPEN_DELAY, partial(self._show_if_still, data.name))

    def _show_if_still(self, key: bytes) -> None:
        if self.selected_key() == key:
            self.post_message(self.Show(key))

    def on_tree_node_selected(self, event: Tree.NodeSelected[KeyNode]) -> None:
        """Enter: show more names on a "more" row; show the key and move to its value."""
        data = event.node.data
        if data is None:
            return
        if data.kind == "more":
            self.show_more(event.node)
        elif data.kind == "key":
            self.post_message(self.Show(data.name, focus=True))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[KeyNode]) -> None:
        """List an opened folder; scan it on its own when the model did not keep all its names."""
        data = event.node.data
        if data is None or data.kind != "folder" or event.node is self.root:
            return
        with self.model_lock:
            folder = self.model.expand(data.name)
            if folder is None:
                return
            self.sync()
            incomplete, pattern = not folder.complete, self.model.folder_pattern(folder)
        if incomplete and not self.flat:
            self.folder_flow.cancelled.set()
            self.folder_flow = jobs.Flow()
            job = partial(
                jobs.scan_folder,
                self.post_message,
                self.generation,
                self.keys,
                data.name,
                pattern,
                self.folder_flow,
            )
            self.run_worker(job, thread=True, group="folder", exit_on_error=False)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[KeyNode]) -> None:
        """Drop the rows (and extra kept names) of a closed folder."""
        data = event.node.data
        if data is None or data.kind != "folder" or event.node is self.root:
            return
        self.collapse_folder(event.node)
        with self.model_lock:
            self.model.collapse(data.name)

    def on_folder_keys(self, event: FolderKeys) -> None:
        """Keep the names found by a folder's own scan."""
        if event.generation == self.generation:
            with self.model_lock:
                self.tree_model.fill(event.keys)
            self.dirty = True

    # ----------------------------------------------------------------- keys of the list
    def action_toggle_flat(self) -> None:
        """Switch between the folder tree and the flat list (both are kept up to date)."""
        self.show_model(self.tree_model if self.flat else self.flat_model)
        self._sync()
        self.notify("flat list" if self.flat else f"folders by {format_key(self.delimiter)!r}")

    def action_refresh(self) -> None:
        """Scan again with the same filter; the value pane reads its key again."""
        self.infos.clear()
        self.apply_filter(self.match or b"", self.type_)
        self.post_message(self.Refreshed())

    def action_cycle_sort(self) -> None:
        """Order the loaded keys of each open folder by the next of name, type, TTL, memory.

        Type, TTL and memory are fetched for every loaded row (not only the
        visible ones) while such an order is on; keys not measured yet go last.
        """
        self.sort_by = next_sort(self.sort_by)
        self.resort()
        self._report()
        if self.sort_by == "name":
            self.notify("Keys by name.")
        else:
            self.notify(
                f"Keys by {SORT_LABELS[self.sort_by]}: the keys loaded in each open folder, "
                "not the whole keyspace (the memory view, M, measures every key)."
            )
