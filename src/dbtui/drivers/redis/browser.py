"""The Redis side of the key browser: :class:`RedisKeyBrowser` implements
:class:`~dbtui.core.capabilities.keys.KeyBrowser` over one :class:`Keyspace`.

Each method hands its work to the module that does it (:mod:`.scanner`,
:mod:`.meta`, :mod:`.pages`, :mod:`.edits`, :mod:`.member_edits`,
:mod:`.live_stream`, :mod:`.memory`); every one may block on the network.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence

from dbtui.core.advice import HealthFinding
from dbtui.core.key_values import MemberEdit, PageRequest, ValuePage
from dbtui.core.keyspace import BulkProgress, KeyInfo, StringChunk
from dbtui.core.live_feed import LiveRequest
from dbtui.drivers.redis import edits, values
from dbtui.drivers.redis.commands import split_command_line
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.live import pubsub_request
from dbtui.drivers.redis.live_stream import LiveStream
from dbtui.drivers.redis.member_edits import apply_edit
from dbtui.drivers.redis.memory import analyse_memory
from dbtui.drivers.redis.meta import key_info
from dbtui.drivers.redis.pages import load_page
from dbtui.drivers.redis.scanner import KeyScanner


class RedisKeyBrowser:
    """The keys of one Redis database (every master of a cluster), for the key browser.

    Args:
        keyspace: The database, with the connection's read-only flag (every write checks it).
    """

    def __init__(self, keyspace: Keyspace) -> None:
        self.keyspace = keyspace

    # ------------------------------------------------------------- reading
    @property
    def db(self) -> int:
        """The database number."""
        return self.keyspace.db

    @property
    def read_only(self) -> bool:
        """True on a read-only connection."""
        return self.keyspace.read_only

    def new_scan(self) -> KeyScanner:
        """A fresh adaptive SCAN over every master."""
        return KeyScanner(self.keyspace)

    def key_info(self, keys: Sequence[bytes]) -> list[KeyInfo]:
        """TYPE, PTTL, MEMORY USAGE and length of ``keys``, one pipeline per node."""
        return key_info(self.keyspace, keys)

    def read_page(self, request: PageRequest) -> ValuePage:
        """One page of a value (see :func:`.pages.load_page`)."""
        return load_page(self.keyspace, request)

    def read_string(self, key: bytes, offset: int, size: int) -> StringChunk:
        """STRLEN + GETRANGE in one round trip."""
        return values.read_string(self.keyspace, key, offset, size)

    # ------------------------------------------------------------- writing
    def check_writable(self, action: str) -> None:
        """Raise ReadOnlyError naming ``action`` on a read-only connection."""
        self.keyspace.check_writable(action)

    def set_ttl(self, key: bytes, ttl_ms: int) -> bool:
        """PEXPIRE; False when the key no longer exists."""
        return edits.set_ttl(self.keyspace, key, ttl_ms)

    def persist(self, key: bytes) -> bool:
        """PERSIST; False when the key had no TTL (or is gone)."""
        return edits.persist(self.keyspace, key)

    def rename(self, key: bytes, new: bytes, *, overwrite: bool) -> None:
        """RENAMENX, or RENAME with ``overwrite`` (see :func:`.edits.rename`)."""
        edits.rename(self.keyspace, key, new, overwrite=overwrite)

    def delete(self, keys: Sequence[bytes]) -> int:
        """UNLINK ``keys``; returns how many existed."""
        return edits.delete(self.keyspace, keys)

    def set_string(self, key: bytes, value: bytes) -> None:
        """SET keeping the TTL (see :func:`.edits.set_string`)."""
        edits.set_string(self.keyspace, key, value)

    def edit_member(self, edit: MemberEdit) -> str:
        """One field/element/member edit (see :func:`.member_edits.apply_edit`)."""
        return apply_edit(self.keyspace, edit)

    def bulk_delete(
        self, pattern: bytes, *, dry_run: bool, cancelled: threading.Event | None
    ) -> Iterator[BulkProgress]:
        """SCAN MATCH to count, then UNLINK in batches (see :func:`.edits.bulk_delete`)."""
        return edits.bulk_delete(self.keyspace, pattern, dry_run=dry_run, cancelled=cancelled)

    def split_words(self, text: str) -> list[bytes]:
        """Words of a line with redis-cli quoting."""
        return split_command_line(text)

    # ------------------------------------------------------------- live feeds and memory
    def live_feed(self, request: LiveRequest) -> LiveStream:
        """A :class:`LiveStream` on dedicated connections (not opened yet)."""
        return LiveStream(self.keyspace, request)

    def pubsub_request(self, text: str) -> LiveRequest:
        """SUBSCRIBE/PSUBSCRIBE of the names typed (globs are patterns; empty: every channel)."""
        return pubsub_request(text)

    def analyse_memory(
        self,
        delimiter: bytes,
        *,
        cancelled: threading.Event | None,
        progress: Callable[[float, int], object] | None,
    ) -> list[HealthFinding]:
        """SCAN + MEMORY USAGE of every key, then the findings (see :func:`.memory.analyse_memory`)."""
        return analyse_memory(self.keyspace, delimiter, cancelled=cancelled, progress=progress)
