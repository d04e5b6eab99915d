"""Messages the key browser's thread workers post back to the UI thread.

Every blocking call runs in a thread worker that reports through one of
these; widgets are only touched in the handlers, on the UI thread. Scan
messages carry the ``generation`` of the scan that produced them, so a
batch from a scan that was restarted meanwhile is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from dbtui.core.errors import DbtuiError
from dbtui.core.key_values import ValuePage
from dbtui.core.keyspace import BulkProgress, KeyInfo
from dbtui.core.live_feed import LiveEntry


@dataclass
class ScanKeys(Message):
    """Where the scan stands; the scan worker has added its keys to the models meanwhile.

    Attributes:
        generation: The scan that produced it.
        keys_seen: Keys returned so far by the whole scan.
        total: DBSIZE when the scan started.
        progress: Estimated fraction (0..1) of the keyspace walked.
        done: True on the last batch of a scan that reached the end.
        slot: The worker took a back-pressure slot for it (the UI gives it back).
    """

    generation: int
    keys_seen: int
    total: int
    progress: float
    done: bool
    slot: bool = True


@dataclass
class ScanEnded(Message):
    """A scan worker stopped: finished, paused (cancelled) or failed."""

    generation: int
    finished: bool
    error: DbtuiError | None = None


@dataclass
class KeyLookedUp(Message):
    """An exact key name was looked up instead of scanning; ``info`` is None if it does not exist."""

    generation: int
    key: bytes
    info: KeyInfo | None
    error: DbtuiError | None = None


@dataclass
class FolderKeys(Message):
    """Key names found by a scan scoped to one expanded folder (``done`` on the last one)."""

    generation: int
    folder: bytes
    keys: list[bytes]
    done: bool


@dataclass
class InfosLoaded(Message):
    """Type, TTL, memory and length of the visible rows arrived."""

    infos: list[KeyInfo]
    error: DbtuiError | None = None


@dataclass
class ValueLoaded(Message):
    """A page of the shown key's value (and, on the first page, its facts) arrived."""

    page: ValuePage | None
    info: KeyInfo | None
    key: bytes
    error: DbtuiError | None = None


@dataclass
class KeyChanged(Message):
    """A write on one key finished (or was refused).

    Attributes:
        action: "ttl", "rename" or "delete".
        key: The key acted on.
        summary: What happened, in words, for a notification.
        new_key: The new name after a rename.
        error: Why it failed; ``None`` on success.
        exists: For a refused rename, True when the target name exists (ask to overwrite).
    """

    action: str
    key: bytes
    summary: str = ""
    new_key: bytes | None = None
    error: DbtuiError | None = None
    exists: bool = False


@dataclass
class BulkStep(Message):
    """Progress of a bulk delete (dry run or real); ``final`` on its last step."""

    progress: BulkProgress
    dry_run: bool
    final: bool = False
    error: DbtuiError | None = None


@dataclass
class LiveStarted(Message):
    """A live pane's dedicated connections are open and listening.

    Attributes:
        client_ids: ``CLIENT ID`` of each connection (as ``CLIENT LIST`` shows them).
        nodes: The servers listened to (``host:port``).
    """

    client_ids: tuple[int, ...]
    nodes: tuple[str, ...]


@dataclass
class LiveBatch(Message):
    """Entries a live pane received since the last batch.

    Attributes:
        entries: In arrival order.
        dropped: Entries thrown away before this batch because the screen fell behind.
    """

    entries: list[LiveEntry]
    dropped: int = 0


@dataclass
class LiveEnded(Message):
    """A live pane's worker stopped (its connections are closed); ``error`` says why, if it failed."""

    error: DbtuiError | None = None


@dataclass
class MemberChanged(Message):
    """A field/element/member edit finished (or was refused).

    Attributes:
        key: The key whose value changed.
        summary: What happened, in words.
        error: Why it failed; ``None`` on success.
    """

    key: bytes
    summary: str = ""
    error: DbtuiError | None = None
