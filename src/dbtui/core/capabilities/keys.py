"""Key browsing: the capability behind the key browser (scan, read, edit, listen, measure).

A driver that has it provides :meth:`KeyBrowsing.key_browser`, which returns a
:class:`KeyBrowser` for one database: an object with the operations below. The UI
checks ``isinstance(driver, KeyBrowsing)`` and never names a driver class, so a
third-party key-value driver that implements these protocols gets the key browser,
its value pane, its edits and its live pane for free.

Every method of a :class:`KeyBrowser` may block on the network: the UI calls them
from thread workers only. Errors are :class:`~dbtui.core.errors.DbtuiError` s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from dbtui.core.advice import HealthFinding
from dbtui.core.key_values import MemberEdit, PageRequest, ValuePage
from dbtui.core.keyspace import BulkProgress, KeyInfo, ScanBatch, StringChunk
from dbtui.core.live_feed import LiveEntry, LiveRequest


class KeyScan(Protocol):
    """One resumable walk over every key of a database."""

    @property
    def done(self) -> bool:
        """True once every key was walked."""

    def scan_batches(
        self,
        match: bytes | None = None,
        type_: str | None = None,
        cancelled: threading.Event | None = None,
    ) -> Iterator[ScanBatch]:
        """Batches of key names until the end or until ``cancelled`` is set.

        Called again with the same ``match`` and ``type_`` after a cancel, it
        resumes where it stopped; other filters start over.
        """


class KeyReading(Protocol):
    """Reading keys and values; never writes."""

    @property
    def db(self) -> int:
        """The database number browsed."""

    @property
    def read_only(self) -> bool:
        """True when the connection refuses every write."""

    def new_scan(self) -> KeyScan:
        """A fresh walk over the database's keys."""

    def key_info(self, keys: Sequence[bytes]) -> list[KeyInfo]:
        """Type, TTL, memory and length of ``keys`` (a screenful), in the same order."""

    def read_page(self, request: PageRequest) -> ValuePage:
        """One page of a value (never a whole big collection)."""

    def read_string(self, key: bytes, offset: int, size: int) -> StringChunk:
        """``size`` bytes of a string value from ``offset``, with its total length."""


class KeyEditing(Protocol):
    """Writes the browser offers as deliberate acts; each refuses on a read-only connection."""

    def check_writable(self, action: str) -> None:
        """Raise :class:`~dbtui.core.errors.ReadOnlyError` naming ``action`` when read-only."""

    def set_ttl(self, key: bytes, ttl_ms: int) -> bool:
        """Expire ``key`` in ``ttl_ms`` milliseconds; False when it no longer exists."""

    def persist(self, key: bytes) -> bool:
        """Remove the TTL of ``key``; False when it had none (or is gone)."""

    def rename(self, key: bytes, new: bytes, *, overwrite: bool) -> None:
        """Rename ``key``; an existing ``new`` is a QueryError titled "Key exists" unless
        ``overwrite``."""

    def delete(self, keys: Sequence[bytes]) -> int:
        """Delete ``keys``; returns how many existed."""

    def set_string(self, key: bytes, value: bytes) -> None:
        """Replace a string value, keeping its TTL."""

    def edit_member(self, edit: MemberEdit) -> str:
        """Perform one field/element/member edit; returns what happened, in words."""

    def bulk_delete(
        self, pattern: bytes, *, dry_run: bool, cancelled: threading.Event | None
    ) -> Iterator[BulkProgress]:
        """Count (``dry_run``) or delete the keys matching ``pattern``; the last step is
        "done" or "cancelled"."""

    def split_words(self, text: str) -> list[bytes]:
        """The words of a line typed as the engine's own client quotes them."""


@runtime_checkable
class LiveFeed(Protocol):
    """A streaming request on its own connections; used from one thread (but :meth:`interrupt`)."""

    client_ids: list[int]
    """The server's ids of the feed's connections, once :meth:`open` returned."""

    @property
    def nodes(self) -> list[str]:
        """Names of the servers listened to."""

    def open(self) -> None:
        """Connect and start listening."""

    def read(self, timeout: float) -> list[LiveEntry]:
        """What arrived, waiting at most ``timeout`` seconds."""

    def interrupt(self) -> None:
        """Make a waiting :meth:`read` return at once (from any thread)."""

    def close(self) -> None:
        """Close the feed's connections."""


class KeyListening(Protocol):
    """Live feeds: pub/sub channels, patterns, monitors, stream reads."""

    def live_feed(self, request: LiveRequest) -> LiveFeed:
        """A feed running ``request`` (not opened yet)."""

    def pubsub_request(self, text: str) -> LiveRequest:
        """Channels and patterns typed on one line, as a request (globs are patterns)."""


class MemoryAnalysis(Protocol):
    """Measuring every key of a database."""

    def analyse_memory(
        self,
        delimiter: bytes,
        *,
        cancelled: threading.Event | None,
        progress: Callable[[float, int], object] | None,
    ) -> list[HealthFinding]:
        """Biggest keys and namespaces and memory advice; ``progress(fraction, keys)``
        after each batch; stops early once ``cancelled`` is set."""


@runtime_checkable
class KeyBrowser(KeyReading, KeyEditing, KeyListening, MemoryAnalysis, Protocol):
    """Everything the key browser does with one database."""


@runtime_checkable
class KeyBrowsing(Protocol):
    """A driver whose connection holds keys the key browser can show."""

    def key_browser(self, db: int | None = None) -> KeyBrowser:
        """The keys of database ``db`` (``None``: the connection's own)."""


@runtime_checkable
class LiveCommands(Protocol):
    """A driver whose console has streaming commands that open a live pane instead."""

    def live_request(self, command_line: str) -> LiveRequest | None:
        """The live request ``command_line`` stands for; ``None`` for an ordinary command."""

    def console_key_browser(self) -> KeyBrowser:
        """The key browser of the console's current database (where a live pane listens)."""
