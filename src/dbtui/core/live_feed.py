"""Live feeds (a monitor of every command, pub/sub messages, new stream entries) as plain data.

Engine-neutral (no I/O, no Textual): a driver turns a streaming command into a
:class:`LiveRequest`, runs it on its own connection
(:class:`~dbtui.core.capabilities.keys.LiveFeed`) and hands the live pane
:class:`LiveEntry` items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbtui.core.keytree import format_key

LIVE_POLL_MS = 250
"""Longest a feed's read waits for the server, in milliseconds: the longest a stop waits for."""


def _words(names: Sequence[bytes]) -> str:
    return " ".join(format_key(name) for name in names)


@dataclass(frozen=True)
class LiveRequest:
    """A streaming command, parsed.

    Attributes:
        kind: ``"monitor"``, ``"pubsub"`` (SUBSCRIBE and/or PSUBSCRIBE),
            ``"shard"`` (SSUBSCRIBE) or ``"xread"`` (XREAD/XREADGROUP with BLOCK).
        channels: Channels to SUBSCRIBE (or SSUBSCRIBE for ``"shard"``).
        patterns: Glob patterns to PSUBSCRIBE.
        streams: Stream keys of an XREAD.
        ids: The ID to read after, one per stream (``$``: only new entries,
            ``>``: entries never delivered to the group).
        group: ``(group, consumer)`` of an XREADGROUP; ``None`` for XREAD.
        count: The COUNT option (entries per stream per read); ``None``: no limit.
        noack: XREADGROUP's NOACK option.
    """

    kind: str
    channels: tuple[bytes, ...] = ()
    patterns: tuple[bytes, ...] = ()
    streams: tuple[bytes, ...] = ()
    ids: tuple[bytes, ...] = ()
    group: tuple[bytes, bytes] | None = None
    count: int | None = None
    noack: bool = False

    @property
    def writes(self) -> bool:
        """True for XREADGROUP: it moves the group's last-delivered ID and pending list."""
        return self.group is not None

    @property
    def title(self) -> str:
        """The command as one short line for the pane's header (names escaped)."""
        if self.kind == "monitor":
            return "MONITOR"
        if self.kind == "xread":
            head = "XREAD"
            if self.group is not None:
                head = f"XREADGROUP {_words(self.group)}"
            return f"{head} {_words(self.streams)} after {_words(self.ids)}"
        parts = []
        if self.channels:
            name = "SSUBSCRIBE" if self.kind == "shard" else "SUBSCRIBE"
            parts.append(f"{name} {_words(self.channels)}")
        if self.patterns:
            parts.append(f"PSUBSCRIBE {_words(self.patterns)}")
        return " + ".join(parts)


@dataclass(frozen=True)
class LiveEntry:
    """One line of a live pane.

    Attributes:
        at: When it happened, in seconds since the epoch (the server's clock
            for MONITOR, the time it was received otherwise).
        kind: ``"message"`` (SUBSCRIBE/SSUBSCRIBE), ``"pmessage"`` (PSUBSCRIBE),
            ``"command"`` (MONITOR), ``"entry"`` (a stream entry) or
            ``"status"`` (a subscription confirmation or another note).
        source: The channel, the stream key, or for MONITOR the client's
            address (``lua`` for scripts).
        payload: The message; the command's arguments (MONITOR); a stream
            entry's field, value, field, value...; a status's words.
        pattern: The pattern a ``pmessage`` matched; ``None`` otherwise.
        ident: A stream entry's ID; MONITOR's database number; empty otherwise.
        node: The server it came from (``host:port``).
    """

    at: float
    kind: str
    source: bytes
    payload: tuple[bytes, ...]
    pattern: bytes | None = None
    ident: bytes = b""
    node: str = ""
