"""The Redis key browser screen: a background scan filling a key tree, and a value pane.

Open it with ``RedisBrowserScreen(driver, name, db)``; Esc goes back. The
scan runs in a thread worker posting coalesced batches (:mod:`.jobs`), can be
paused and resumed (``s``) and is cancelled when the screen closes. Facts
(type, TTL, memory, length) are fetched only for the rows on screen.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Input, ProgressBar, Select, Static

from dbtui.core.display import display_text
from dbtui.core.keytree import KeyTree, format_key, parse_key
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.meta import KeyInfo
from dbtui.drivers.redis.scanner import KeyScanner, wants_lookup
from dbtui.ui.redis import jobs
from dbtui.ui.redis.bindings import BROWSER_BINDINGS
from dbtui.ui.redis.formatting import TYPE_FILTERS
from dbtui.ui.redis.key_view import KeyTreeView
from dbtui.ui.redis.messages import InfosLoaded, KeyLookedUp, ScanEnded, ScanKeys
from dbtui.ui.redis.navigation import TreeEvents
from dbtui.ui.redis.palette import BrowserCommands
from dbtui.ui.redis.sorting import SHORT_LABELS
from dbtui.ui.redis.tree_model import BrowserKeyTree
from dbtui.ui.redis.value_view import ValueViewer
from dbtui.ui.safe import safe_text

INFO_BATCH = 100
"""Rows whose facts are fetched in one pipeline at most."""
INFO_CACHE = 50_000
"""Facts kept at most; the cache is emptied (and refilled for visible rows) beyond."""


class RedisBrowserScreen(TreeEvents):
    """Browse the keys of one Redis database safely, at any size.

    Args:
        driver: A connected :class:`RedisDriver` (its read-only flag is honoured).
        name: The connection's label, shown in the top line.
        db: Logical database to browse (``None``: the URL's database).
        delimiter: Separator that groups key names into folders.

    Raises:
        ConnectError: the driver is not connected.
        QueryError: ``db`` is not 0 on a Redis Cluster.
    """

    CSS_PATH = Path(__file__).parent / "redis.tcss"
    """Absolute, so that subclasses defined elsewhere still find it."""
    BINDINGS = BROWSER_BINDINGS
    COMMANDS = {BrowserCommands}

    def __init__(
        self, driver: RedisDriver, name: str, db: int | None, *, delimiter: str = ":"
    ) -> None:
        super().__init__()
        self.driver = driver
        self.connection_name = name
        self.keyspace = driver.keyspace(db)
        self.delimiter = delimiter.encode()
        self.tree_model = BrowserKeyTree(self.delimiter)
        self.flat_model = self._flat_model()
        self.infos: dict[bytes, KeyInfo] = {}
        self.generation = 0
        self.scanner: KeyScanner | None = None
        self.flow = jobs.Flow()
        self.folder_flow = jobs.Flow()
        self.scanning = False
        self.scan_finished = False
        self.resume_wanted = False
        self.match: bytes | None = None
        self.type_: str | None = None
        self.keys_seen = 0
        self.total = 0
        self.dirty = False
        self.info_loading = False
        self.status = ""

    @staticmethod
    def _flat_model() -> KeyTree:
        model = KeyTree(b"")
        model.expand(b"")
        return model

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="rb-top"):
            yield Static(id="rb-name")
            yield ProgressBar(total=100, show_eta=False, id="rb-bar")
            yield Static(id="rb-count")
        with Horizontal(id="rb-filters"):
            yield Static("/", id="rb-slash")
            yield Input(
                placeholder="glob pattern or exact key name, Enter", id="rb-filter", compact=True
            )
            yield Select(
                [(label, value or "") for label, value in TYPE_FILTERS],
                value="",
                allow_blank=False,
                compact=True,
                id="rb-type",
            )
        with Horizontal(id="rb-body"):
            yield KeyTreeView(self.tree_model, self.infos, id="rb-keys")
            yield ValueViewer(self.keyspace, id="rb-value")
        yield Footer()

    def on_mount(self) -> None:
        self._render_name()
        self.keys_view.focus()
        self.set_interval(0.2, self._sync_if_dirty)
        self.set_interval(0.3, self._fetch_visible_infos)
        self.start_scan()

    def on_unmount(self) -> None:
        """Stop every background loop of this screen."""
        self.flow.cancelled.set()
        self.folder_flow.cancelled.set()

    def _render_name(self) -> None:
        text = safe_text(f" {self.connection_name} ", style="bold reverse")
        text.append(f" db{self.keyspace.db:d}")
        if self.keyspace.read_only:
            text.append(" READ-ONLY", style="bold yellow")
        self.query_one("#rb-name", Static).update(text)

    def _render_count(self) -> None:
        text = Text(f" {self.keys_seen:,}")
        if self.match is None and self.type_ is None:
            text.append(f"/{self.total:,}")
        else:
            text.append(" matching")
        text.append(f" {display_text(self.status)}", style="dim")
        if self.keys_view.sort_by != "name":
            text.append(
                f" · by {SHORT_LABELS[self.keys_view.sort_by]:s} (loaded keys)", style="cyan"
            )
        self.query_one("#rb-count", Static).update(text)

    # ----------------------------------------------------------------- scanning
    def start_scan(self) -> None:
        """Forget what was scanned and scan again with the current filter."""
        self.flow.cancelled.set()
        self.folder_flow.cancelled.set()
        self.generation += 1
        self.scanner = KeyScanner(self.keyspace)
        self._clear_models()
        self.keys_seen, self.total = 0, 0
        self.query_one("#rb-bar", ProgressBar).update(progress=0)
        self.scanning = False
        self._launch_scan()

    def _launch_scan(self) -> None:
        assert self.scanner is not None
        self.flow = jobs.Flow()
        self.scanning, self.scan_finished, self.resume_wanted = True, False, False
        self.status = "scanning… s pauses"
        self._render_count()
        job = partial(
            jobs.run_scan,
            self.post_message,
            self.generation,
            self.scanner,
            self.match,
            self.type_,
            self.flow,
        )
        self.run_worker(job, thread=True, group="scan", description="scan", exit_on_error=False)

    def _clear_models(self) -> None:
        self.tree_model = BrowserKeyTree(self.delimiter)
        self.flat_model = self._flat_model()
        flat = self.keys_view.flat
        self.keys_view.show_model(self.flat_model if flat else self.tree_model)

    def on_scan_keys(self, event: ScanKeys) -> None:
        """Take a batch of the current scan (batches of an abandoned scan are dropped)."""
        if event.generation == self.generation:
            self.add_batch(event)
            if event.slot:
                self.flow.release()

    def add_batch(self, event: ScanKeys) -> None:
        """Add a batch to both models; the first one is drawn at once, later ones on a timer."""
        self.tree_model.add(event.keys)
        self.flat_model.add(event.keys)
        self.keys_seen, self.total = event.keys_seen, event.total
        self.query_one("#rb-bar", ProgressBar).update(progress=event.progress * 100)
        self._render_count()
        if self.keys_view.shown_keys() == 0 and not self.keys_view.root.children:
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
            self.query_one("#rb-bar", ProgressBar).update(progress=100)
        else:
            self.status = "paused, s resumes"
        self._sync(open_chain=True)
        self._render_count()
        if self.resume_wanted and not event.finished:
            self._launch_scan()

    def action_toggle_scan(self) -> None:
        """Pause the running scan, or resume a paused one where it stopped."""
        if self.scanner is None or self.scan_finished:
            self.notify("The scan is complete: r scans again.")
        elif self.scanning and not self.flow.cancelled.is_set():
            self.flow.cancelled.set()
            self.status = "pausing…"
            self._render_count()
        elif self.scanning:
            self.resume_wanted = True  # resumes once the paused worker has stopped
        else:
            self._launch_scan()

    def _sync_if_dirty(self) -> None:
        if self.dirty:
            self._sync()

    def _sync(self, *, open_chain: bool = False) -> None:
        self.dirty = False
        view = self.keys_view
        view.sync()
        if open_chain and (self.match is not None or self.type_ is not None):
            view.open_single_chain()  # a filtered scan shows its keys without digging
        if view.cursor_line < 0 and view.root.children:
            view.cursor_line = 0

    # ----------------------------------------------------------------- facts of visible rows
    def _fetch_visible_infos(self) -> None:
        if self.info_loading:
            return
        wanted = list(self.keys_view.visible_keys())
        if self.keys_view.sort_by != "name":  # the order needs the facts of every loaded row
            wanted += self.keys_view.shown_key_names()
        keys = list(dict.fromkeys(key for key in wanted if key not in self.infos))
        if not keys:
            return
        self.info_loading = True
        job = partial(jobs.load_infos, self.post_message, self.keyspace, keys[:INFO_BATCH])
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
        self.tree_model.record_sizes(sizes)
        self.flat_model.record_sizes(sizes)
        self.keys_view.refresh_keys(list(sizes))
        if self.keys_view.sort_by != "name":
            self.keys_view.resort()
        self.dirty = True

    # ----------------------------------------------------------------- filter
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "/" is typed into inputs rather than jumping to the filter."""
        if action == "focus_filter":
            return not isinstance(self.focused, Input)
        return True

    def action_focus_filter(self) -> None:
        """Move to the pattern filter."""
        self.set_focus(self.query_one("#rb-filter", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Apply the filter: an exact name is looked up, a glob restarts the scan."""
        if event.input.id != "rb-filter":
            return
        event.stop()
        self.apply_filter(parse_key(event.value.strip()))
        self.set_focus(self.keys_view)

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new type filter restarts the scan."""
        if event.select.id != "rb-type":
            return
        value = event.value if isinstance(event.value, str) else ""
        if (value or None) != self.type_:
            self.type_ = value or None
            self.apply_filter(parse_key(self.query_one("#rb-filter", Input).value.strip()))

    def apply_filter(self, pattern: bytes) -> None:
        """Scan with ``pattern`` (``b""``: every key), or look an exact name up directly."""
        self.viewer.show(None)
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
        self._render_count()
        job = partial(jobs.lookup, self.post_message, self.generation, self.keyspace, key)
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
            self._render_count()
            return
        if event.info.type != self.type_ and self.type_ is not None:
            self.status = f"that key is a {event.info.type}"
            self._render_count()
            return
        self.infos[event.key] = event.info
        self.tree_model.add([event.key])
        self.flat_model.add([event.key])
        self.keys_seen, self.total = 1, 1
        self._sync()
        self._render_count()
        self.keys_view.select_key(event.key)
        self.viewer.show(event.key)

    # ----------------------------------------------------------------- view actions
    def action_memory(self) -> None:
        """Measure every key and show the biggest ones and the memory advice."""
        from dbtui.ui.redis.memory_screen import MemoryScreen

        self.app.push_screen(MemoryScreen(self.keyspace, self.delimiter))

    def action_toggle_flat(self) -> None:
        """Switch between the folder tree and the flat list (both are kept up to date)."""
        view = self.keys_view
        view.show_model(self.tree_model if view.flat else self.flat_model)
        self._sync()
        self.notify("flat list" if view.flat else f"folders by {format_key(self.delimiter)!r}")

    def action_refresh(self) -> None:
        """Scan again with the same filter and reload the shown value."""
        self.infos.clear()
        shown = self.viewer.key
        self.apply_filter(self.match or b"")
        if shown is not None and self.viewer.key is None:
            self.viewer.show(shown)

    def action_back(self) -> None:
        """Back to the key tree from anywhere else; from the tree, close the browser."""
        if self.focused is not None and self.focused is not self.keys_view:
            self.set_focus(self.keys_view)
            return
        self.dismiss(None)
