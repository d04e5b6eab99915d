"""Blocking work of the key browser, run inside ``run_worker(..., thread=True)``.

Each function may block on the network (through a
:class:`~dbtui.core.capabilities.keys.KeyBrowser`), never touches a widget, and
reports through ``post`` (``Widget.post_message`` is thread-safe). Long loops stop
when their :class:`Flow` is cancelled (the widgets do it on cancel and when they
close) or when Textual cancels their worker (``get_current_worker().is_cancelled``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message
from textual.widget import Widget
from textual.worker import NoActiveWorker, get_current_worker

from dbtui.core.capabilities.keys import KeyBrowser, KeyEditing, KeyScan, LiveFeed
from dbtui.core.errors import CancelledError, DbtuiError, QueryError
from dbtui.core.key_values import MemberEdit, PageRequest
from dbtui.core.keyspace import BulkProgress, ScanBatch
from dbtui.core.keytree import format_key
from dbtui.core.live_feed import LIVE_POLL_MS, LiveEntry
from dbtui.ui.key_browser.messages import (
    BulkStep,
    FolderKeys,
    InfosLoaded,
    KeyChanged,
    KeyLookedUp,
    LiveBatch,
    LiveEnded,
    LiveStarted,
    MemberChanged,
    ScanEnded,
    ScanKeys,
    ValueLoaded,
)
from dbtui.ui.key_browser.tree_model import ScanModels

Post = Callable[[Message], object]

FLUSH_SECONDS = 0.05
"""A folder scan posts what it has at least this often (seconds)..."""
FLUSH_KEYS = 1000
"""...or as soon as it holds this many keys."""
READ_AHEAD = 4
"""SCAN replies the main scan's reader thread may hold before the tree has taken them."""
_END = object()
"""Last item a scan reader puts on its queue."""
FEED_CHUNK = 2000
"""Keys added to the models at once by the scan worker (the lock is held for one chunk)."""
SNAPSHOT_SECONDS = 0.15
"""The main scan tells the UI to redraw at most this often (seconds; the tree is built here)."""
IN_FLIGHT = 8
"""Scan batches posted but not yet handled before the scan waits for the UI."""


@dataclass
class Flow:
    """Back-pressure between a scan worker and the UI thread.

    The worker :meth:`acquire` s a slot before posting a batch and the UI
    :meth:`release` s it once the batch is in the tree, so a slow UI slows
    the scan down instead of queueing an unbounded number of batches.
    """

    cancelled: threading.Event = field(default_factory=threading.Event)
    slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(IN_FLIGHT))

    def stopped(self) -> bool:
        """True once cancelled, or once Textual cancelled the worker running the caller."""
        if self.cancelled.is_set():
            return True
        try:
            return get_current_worker().is_cancelled
        except NoActiveWorker:
            return False

    def acquire(self) -> bool:
        """Wait for a free slot; False when cancelled meanwhile."""
        while not self.stopped():
            if self.slots.acquire(timeout=0.1):
                return True
        return False

    def release(self) -> None:
        """Give a slot back (called by the UI after handling a batch)."""
        self.slots.release()


def writable(widget: Widget, keys: KeyEditing, action: str) -> bool:
    """False, with the driver's refusal notified by ``widget``, on a read-only connection."""
    try:
        keys.check_writable(action)
    except DbtuiError as error:
        widget.notify(error.one_line(), severity="error", timeout=6)
        return False
    return True


def run_scan(
    post: Post,
    generation: int,
    scanner: KeyScan,
    match: bytes | None,
    type_: str | None,
    flow: Flow,
    models: ScanModels,
) -> None:
    """Scan (or resume scanning) into ``models``, posting :class:`ScanKeys` then :class:`ScanEnded`.

    The tree is built here, off the UI thread (see :class:`ScanModels` for the
    locking), while a reader thread (:func:`_read_batches`) already waits for
    the next SCAN replies, so the server's time and the tree's overlap.
    :class:`ScanKeys` only says where the scan stands, so the UI redraws the
    rows on screen: the first one is posted at once, then at most every
    :data:`SNAPSHOT_SECONDS`, and one on the batch that ends the scan. Every
    batch read is fed, even after a pause (the saved cursor is past it).
    """
    batches: queue.Queue[object] = queue.Queue(READ_AHEAD)
    gone = threading.Event()
    reader = threading.Thread(
        target=_read_batches,
        args=(scanner, match, type_, flow, batches, gone),
        name="dbtui-scan-reader",
        daemon=True,
    )
    reader.start()
    last_post = 0.0
    latest: ScanBatch | None = None
    unposted, error = False, None
    try:
        while (item := batches.get()) is not _END:
            if isinstance(item, DbtuiError):
                error = item
                continue
            assert isinstance(item, ScanBatch)
            latest = item
            for start in range(0, len(latest.keys), FEED_CHUNK):
                models.feed(latest.keys[start : start + FEED_CHUNK])
                time.sleep(0)  # hand the GIL (and the lock) to the UI thread if it waits
            unposted = True
            if flow.stopped():
                flow.cancelled.set()  # also when Textual cancelled this worker: the reader stops
                continue
            now = time.monotonic()
            if not (now - last_post >= SNAPSHOT_SECONDS or latest.done or last_post == 0.0):
                continue
            models.flush()
            if flow.acquire():
                post(_scan_keys(generation, latest))
                unposted, last_post = False, now
    finally:
        gone.set()
    models.flush()
    if unposted and latest is not None:
        post(_scan_keys(generation, latest, slot=False))
    post(ScanEnded(generation, False, error) if error else ScanEnded(generation, scanner.done))


def _read_batches(
    scanner: KeyScan,
    match: bytes | None,
    type_: str | None,
    flow: Flow,
    out: queue.Queue[object],
    gone: threading.Event,
) -> None:
    """Thread of :func:`run_scan`: put every SCAN batch on ``out``, then any error, then ``_END``.

    Stops scanning once ``flow`` is cancelled; gives up putting when the consumer is ``gone``.
    """

    def put(item: object) -> bool:
        while not gone.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        for batch in scanner.scan_batches(match, type_, flow.cancelled):
            if not put(batch):
                return
    except DbtuiError as error:
        put(error)
    finally:
        put(_END)


def _scan_keys(generation: int, batch: ScanBatch, *, slot: bool = True) -> ScanKeys:
    return ScanKeys(generation, batch.keys_seen, batch.total, batch.progress, batch.done, slot)


def scan_folder(
    post: Post, generation: int, keys: KeyBrowser, folder: bytes, pattern: bytes, flow: Flow
) -> None:
    """List every key below one folder (a scan matching ``pattern``), posting :class:`FolderKeys`."""
    pending: list[bytes] = []
    last_post = time.monotonic()
    try:
        for batch in keys.new_scan().scan_batches(match=pattern, cancelled=flow.cancelled):
            pending.extend(batch.keys)
            if flow.stopped():
                break
            if time.monotonic() - last_post >= FLUSH_SECONDS or len(pending) >= FLUSH_KEYS:
                post(FolderKeys(generation, folder, pending, False))
                pending, last_post = [], time.monotonic()
    except DbtuiError:
        pass  # the main scan reports connection problems; a folder listing just stops
    post(FolderKeys(generation, folder, pending, True))


def lookup(post: Post, generation: int, keys: KeyBrowser, key: bytes) -> None:
    """Look an exact key name up without scanning; posts :class:`KeyLookedUp`."""
    try:
        info = keys.key_info([key])[0]
    except DbtuiError as error:
        post(KeyLookedUp(generation, key, None, error))
        return
    post(KeyLookedUp(generation, key, info if info.exists else None))


def load_infos(post: Post, browser: KeyBrowser, keys: list[bytes]) -> None:
    """Type, TTL, memory and length of the visible rows."""
    try:
        infos = browser.key_info(keys)
    except DbtuiError as error:
        post(InfosLoaded([], error))
        return
    post(InfosLoaded(infos))


def load_value(post: Post, keys: KeyBrowser, key: bytes, request: PageRequest | None) -> None:
    """First page of a key (its facts first) or, with ``request``, the next page."""
    try:
        info = None
        if request is None:
            info = keys.key_info([key])[0]
            if not info.exists:
                post(ValueLoaded(None, info, key))
                return
            request = PageRequest(key, info.type)
        page = keys.read_page(request)
    except DbtuiError as error:
        post(ValueLoaded(None, None, key, error))
        return
    post(ValueLoaded(page, info, key))


def change_ttl(post: Post, keys: KeyEditing, key: bytes, ttl_ms: int | None) -> None:
    """Set (``ttl_ms``) or remove (``None``) the TTL of a key; posts :class:`KeyChanged`."""
    try:
        if ttl_ms is None:
            changed = keys.persist(key)
            summary = "TTL removed" if changed else "the key had no TTL (or is gone)"
        else:
            changed = keys.set_ttl(key, ttl_ms)
            summary = "TTL set" if changed else "the key no longer exists"
    except DbtuiError as error:
        post(KeyChanged("ttl", key, error=error))
        return
    post(KeyChanged("ttl", key, summary))


def rename(post: Post, keys: KeyEditing, key: bytes, new: bytes, overwrite: bool) -> None:
    """Rename a key; a refusal because ``new`` exists comes back with ``exists=True``."""
    try:
        keys.rename(key, new, overwrite=overwrite)
    except QueryError as error:
        exists = error.title == "Key exists"
        post(KeyChanged("rename", key, new_key=new, error=error, exists=exists))
        return
    except DbtuiError as error:
        post(KeyChanged("rename", key, new_key=new, error=error))
        return
    post(KeyChanged("rename", key, f"renamed to {format_key(new)}", new_key=new))


def delete(post: Post, keys: KeyEditing, key: bytes) -> None:
    """Delete one key; posts :class:`KeyChanged`."""
    try:
        removed = keys.delete([key])
    except DbtuiError as error:
        post(KeyChanged("delete", key, error=error))
        return
    post(KeyChanged("delete", key, "deleted" if removed else "it was already gone"))


def bulk_delete(post: Post, keys: KeyEditing, pattern: bytes, dry_run: bool, flow: Flow) -> None:
    """Count (``dry_run``) or delete the keys matching ``pattern``; posts :class:`BulkStep` s.

    Steps are posted at most every :data:`FLUSH_SECONDS`; the last one has ``final``.
    """
    last_post = 0.0
    step: BulkProgress | None = None
    try:
        for step in keys.bulk_delete(pattern, dry_run=dry_run, cancelled=flow.cancelled):
            now = time.monotonic()
            if step.phase in ("done", "cancelled"):
                break
            if now - last_post >= FLUSH_SECONDS:
                post(BulkStep(step, dry_run))
                last_post = now
    except DbtuiError as error:
        empty = BulkProgress("cancelled", 0, 0, (), 0.0)
        post(BulkStep(step or empty, dry_run, final=True, error=error))
        return
    assert step is not None  # bulk_delete always yields a last step
    post(BulkStep(step, dry_run, final=True))


LIVE_FLUSH_S = 0.1
"""A live pane's worker posts what it received at most this often (seconds)."""
LIVE_PENDING = 10_000
"""Entries a live worker holds while the screen is behind; older ones are dropped (counted)."""


def run_live(post: Post, stream: LiveFeed, flow: Flow) -> None:
    """Open ``stream``, post :class:`LiveStarted`, then :class:`LiveBatch` es until cancelled.

    Never waits for the screen: when every slot of ``flow`` is taken, entries
    pile up (at most :data:`LIVE_PENDING`, the oldest dropped and counted), so
    the server's output buffer for this client never grows because of a slow
    UI. Always closes the stream's connections, then posts :class:`LiveEnded`.
    """
    error: DbtuiError | None = None
    try:
        stream.open()
        post(LiveStarted(tuple(stream.client_ids), tuple(stream.nodes)))
        _pump(post, stream, flow)
    except CancelledError:
        pass
    except DbtuiError as failure:
        error = None if flow.cancelled.is_set() else failure
    finally:
        stream.close()
    post(LiveEnded(error))


def _pump(post: Post, stream: LiveFeed, flow: Flow) -> None:
    pending: list[LiveEntry] = []
    dropped = 0
    last_post = 0.0
    while not flow.stopped():
        waited = time.monotonic() - last_post
        timeout = LIVE_POLL_MS / 1000 if not pending else max(LIVE_FLUSH_S - waited, 0.0)
        pending.extend(stream.read(timeout))
        if len(pending) > LIVE_PENDING:
            dropped += len(pending) - LIVE_PENDING
            del pending[:-LIVE_PENDING]
        now = time.monotonic()
        due = (pending or dropped) and now - last_post >= LIVE_FLUSH_S
        if due and flow.slots.acquire(blocking=False):  # never wait for the screen
            post(LiveBatch(pending, dropped))
            pending, dropped, last_post = [], 0, now


def edit_member(post: Post, keys: KeyEditing, edit: MemberEdit) -> None:
    """Change, add or remove one field/element/member; posts :class:`MemberChanged`."""
    try:
        summary = keys.edit_member(edit)
    except DbtuiError as error:
        post(MemberChanged(edit.key, error=error))
        return
    post(MemberChanged(edit.key, summary))
