"""Background-friendly SCAN over a whole keyspace (every master of a cluster).

:class:`KeyScanner` yields :class:`ScanBatch` es as the server returns them,
adapting ``COUNT`` so that each SCAN call stays under a latency budget, and
keeps its position in a :class:`ScanState` that can be saved, cancelled and
resumed. It never sends ``KEYS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from dbtui.core.errors import QueryError
from dbtui.core.keyspace import ScanBatch, wants_lookup
from dbtui.drivers.redis import raw
from dbtui.drivers.redis.connection import Keyspace, Node
from dbtui.drivers.redis.meta import KeyInfo, key_info

MIN_COUNT = 10
MAX_COUNT = 10_000
START_COUNT = 100
"""SCAN COUNT of the first call: small, so the first keys arrive at once."""

__all__ = ["KeyScanner", "ScanBatch", "ScanState", "cursor_position", "wants_lookup"]


@dataclass
class ScanState:
    """Where a scan stands; JSON-friendly through :meth:`to_dict` / :meth:`from_dict`.

    Attributes:
        match: The MATCH pattern the scan uses (``None`` = every key).
        type_: The TYPE filter (``None`` = every type).
        cursors: Next cursor per node name, for nodes started and not finished.
        finished: Names of nodes scanned to the end.
        keys_seen: Keys returned so far (SCAN may return a key twice).
        count: The COUNT the next call will use.
        progress: Per node, the fraction (0..1) of its keyspace already walked.
    """

    match: bytes | None = None
    type_: str | None = None
    cursors: dict[str, int] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)
    keys_seen: int = 0
    count: int = START_COUNT
    progress: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy (the pattern as hex)."""
        return {
            "match": None if self.match is None else self.match.hex(),
            "type": self.type_,
            "cursors": dict(self.cursors),
            "finished": sorted(self.finished),
            "keys_seen": self.keys_seen,
            "count": self.count,
            "progress": dict(self.progress),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ScanState:
        """Rebuild a state saved by :meth:`to_dict`."""
        match = data.get("match")
        type_ = data.get("type")
        cursors = data.get("cursors")
        finished = data.get("finished")
        progress = data.get("progress")
        return cls(
            match=bytes.fromhex(match) if isinstance(match, str) else None,
            type_=type_ if isinstance(type_, str) else None,
            cursors={str(k): int(v) for k, v in cursors.items()}
            if isinstance(cursors, dict)
            else {},
            finished={str(n) for n in finished} if isinstance(finished, list) else set(),
            keys_seen=int(str(data.get("keys_seen", 0))),
            count=int(str(data.get("count", START_COUNT))),
            progress={str(k): float(v) for k, v in progress.items()}
            if isinstance(progress, dict)
            else {},
        )


def cursor_position(cursor: int) -> float:
    """Fraction (0..1) of a hash table that a SCAN cursor has walked.

    Redis walks buckets in reverse-binary order, so the bit-reversed cursor
    grows steadily from 0 to the table size; over 64 bits it is a fraction.
    """
    if cursor == 0:
        return 0.0
    return int(f"{cursor:064b}"[::-1], 2) / 2.0**64


class KeyScanner:
    """Scans every key of a :class:`Keyspace` in adaptive SCAN batches.

    Args:
        keyspace: What to scan (one server, or every master of a cluster).
        state: A saved :class:`ScanState` to resume from; a fresh one otherwise.
        min_count: Lower bound of the adaptive COUNT.
        max_count: Upper bound of the adaptive COUNT.
    """

    def __init__(
        self,
        keyspace: Keyspace,
        state: ScanState | None = None,
        *,
        min_count: int = MIN_COUNT,
        max_count: int = MAX_COUNT,
    ) -> None:
        self.keyspace = keyspace
        self.state = state or ScanState()
        self.min_count = min_count
        self.max_count = max_count
        self._nodes = keyspace.nodes()

    def total_keys(self) -> int:
        """DBSIZE of the database (summed over the masters of a cluster)."""
        total = 0
        for node in self._nodes:
            reply = raw.call(node.client, b"DBSIZE")
            total += reply if isinstance(reply, int) else 0
        return total

    @property
    def done(self) -> bool:
        """True once every node was scanned to the end."""
        return {node.name for node in self._nodes} <= self.state.finished

    def scan_batches(
        self,
        match: bytes | None = None,
        type_: str | None = None,
        cancelled: threading.Event | None = None,
        budget_ms: float = 5.0,
    ) -> Iterator[ScanBatch]:
        """Yield SCAN batches until the keyspace is covered or ``cancelled`` is set.

        Resumes from :attr:`state` when it was made with the same filter; a
        different filter starts over. Between calls, ``COUNT`` doubles while a
        call takes under half of ``budget_ms`` and shrinks proportionally when
        one takes longer, within ``[min_count, max_count]``.

        Args:
            match: Glob pattern (SCAN MATCH); ``None`` for every key.
            type_: Type name (SCAN TYPE, e.g. "hash"); ``None`` for every type.
            cancelled: Checked before every call; when set, iteration stops and
                :attr:`state` keeps the position for a later resume.
            budget_ms: Target round trip of one SCAN call, in milliseconds.
        """
        if (self.state.match, self.state.type_) != (match, type_):
            self.state = ScanState(match=match, type_=type_)
        self._nodes = self.keyspace.nodes()
        total = self.total_keys()
        for node in self._nodes:
            if node.name in self.state.finished:
                continue
            yield from self._scan_node(node, total, cancelled, budget_ms)
            if cancelled is not None and cancelled.is_set():
                return

    def _scan_node(
        self,
        node: Node,
        total: int,
        cancelled: threading.Event | None,
        budget_ms: float,
    ) -> Iterator[ScanBatch]:
        state = self.state
        filters: list[bytes] = []
        if state.match is not None:
            filters += [b"MATCH", state.match]
        if state.type_ is not None:
            filters += [b"TYPE", state.type_.encode()]
        with raw.session(node.client) as session:
            while cancelled is None or not cancelled.is_set():
                cursor = state.cursors.get(node.name, 0)
                count = state.count
                started = time.perf_counter()
                reply = session.call(b"SCAN", cursor, b"COUNT", count, *filters)
                elapsed_ms = (time.perf_counter() - started) * 1000.0
                cursor, keys = _scan_reply(reply)
                self._advance(node.name, cursor, len(keys), elapsed_ms, budget_ms)
                yield ScanBatch(
                    keys=keys,
                    node=node.name,
                    cursor=cursor,
                    keys_seen=state.keys_seen,
                    total=total,
                    count=count,
                    elapsed_ms=elapsed_ms,
                    progress=self._progress(total),
                    done=self.done,
                )
                if cursor == 0:
                    return

    def _advance(
        self, node: str, cursor: int, found: int, elapsed_ms: float, budget_ms: float
    ) -> None:
        """Record one call's outcome in :attr:`state` and pick the next COUNT."""
        state = self.state
        state.keys_seen += found
        if cursor == 0:
            state.cursors.pop(node, None)
            state.finished.add(node)
            state.progress[node] = 1.0
        else:
            state.cursors[node] = cursor
            state.progress[node] = max(state.progress.get(node, 0.0), cursor_position(cursor))
        if elapsed_ms < budget_ms / 2:
            state.count = min(self.max_count, state.count * 2)
        elif elapsed_ms > budget_ms:
            state.count = max(self.min_count, int(state.count * budget_ms / elapsed_ms))

    def _progress(self, total: int) -> float:
        if self.done:
            return 1.0
        state = self.state
        if state.match is None and state.type_ is None and total > 0:
            return min(state.keys_seen / total, 0.999)
        walked = sum(state.progress.get(n.name, 0.0) for n in self._nodes)
        return min(walked / len(self._nodes), 0.999)

    def lookup(self, key: bytes) -> KeyInfo | None:
        """Facts about one exact key name without scanning; ``None`` when it does not exist."""
        info = key_info(self.keyspace, [key])[0]
        return info if info.exists else None


def _scan_reply(reply: object) -> tuple[int, list[bytes]]:
    if (
        isinstance(reply, list)
        and len(reply) == 2
        and isinstance(reply[0], bytes)
        and isinstance(reply[1], list)
    ):
        return int(reply[0]), reply[1]
    raise QueryError(f"unexpected SCAN reply {reply!r:.80}", "Redis error")
