"""Plain facts about the keys of a key-value store, shared by the key browser and its drivers.

Engine-neutral data only (no I/O, no Textual, no engine library): what a driver
offering :class:`~dbtui.core.capabilities.keys.KeyBrowsing` returns when the key
browser scans, looks keys up, reads a string or deletes keys by pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbtui.core.keytree import is_glob

JSON_TYPE = "ReJSON-RL"
"""Type name of a JSON document (the RedisJSON module's TYPE reply)."""


@dataclass(frozen=True)
class KeyInfo:
    """What the browser shows about one key.

    Attributes:
        key: The key name (bytes, binary-safe).
        type: Type name ("string", "hash", "list", "set", "zset", "stream",
            a module type such as :data:`JSON_TYPE`), or "none" when the key does not exist.
        ttl_ms: Milliseconds until it expires; ``None`` when it never expires
            (or does not exist).
        memory: Bytes used (sampled for big aggregates); ``None`` when unknown.
        length: Bytes of a string, elements of a collection, entries of a
            stream; ``None`` for module types or when unknown.
        node: Name of the server holding the key.
    """

    key: bytes
    type: str
    ttl_ms: int | None
    memory: int | None
    length: int | None
    node: str

    @property
    def exists(self) -> bool:
        """False when the key was gone by the time it was looked at."""
        return self.type != "none"


@dataclass(frozen=True)
class ScanBatch:
    """The keys of one scan call, with where the whole scan stands after it.

    Attributes:
        keys: Key names returned (may be empty with a filter; may repeat earlier ones).
        node: Name of the node that was scanned (holds every key of the batch).
        cursor: That node's next cursor (0 once the node is finished).
        keys_seen: Keys returned so far over all nodes, this batch included.
        total: Keys in the database when the scan started (summed over nodes).
        count: The batch size this call asked for.
        elapsed_ms: Round trip of this call, in milliseconds.
        progress: Estimated fraction of the keyspace walked, 0..1 (1 when done).
        done: True on the last batch: every node was scanned to the end.
    """

    keys: list[bytes]
    node: str
    cursor: int
    keys_seen: int
    total: int
    count: int
    elapsed_ms: float
    progress: float
    done: bool


@dataclass(frozen=True)
class StringChunk:
    """Part of a string value.

    Attributes:
        data: The bytes read.
        offset: Byte offset of ``data`` in the value.
        total: Length of the whole value in bytes.
    """

    data: bytes
    offset: int
    total: int

    @property
    def more(self) -> bool:
        """True when bytes remain after this chunk."""
        return self.offset + len(self.data) < self.total


@dataclass(frozen=True)
class BulkProgress:
    """Where a bulk delete stands.

    Attributes:
        phase: "counting", "deleting", "done" or "cancelled".
        matched: Keys matching the pattern (so far while counting).
        deleted: Keys deleted so far (0 in a dry run).
        sample: The first matching names (up to the requested sample size), for a preview.
        progress: Estimated fraction (0..1) of the current phase.
    """

    phase: str
    matched: int
    deleted: int
    sample: tuple[bytes, ...]
    progress: float


def wants_lookup(pattern: bytes) -> bool:
    """True when a filter text is an exact key name (no glob), to look up instead of scanning."""
    return bool(pattern) and not is_glob(pattern) and b"\\" not in pattern
