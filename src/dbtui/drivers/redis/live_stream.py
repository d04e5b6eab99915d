"""Running a :class:`~dbtui.drivers.redis.live.LiveRequest` on dedicated connections.

A :class:`LiveStream` never borrows a pooled connection nor the console's:
it makes its own (one per server it listens to), names it ``dbtui-live``
(``CLIENT SETNAME``) so that it is easy to spot in ``CLIENT LIST``, and
closes it in :meth:`LiveStream.close`. :meth:`LiveStream.read` waits at
most the timeout it is given, so a loop around it stops promptly; XREAD is
sent again and again with a short ``BLOCK`` (:data:`POLL_MS`) instead of the
one typed. :meth:`LiveStream.interrupt` may be called from another thread to
make a waiting read return at once.

Where it listens: SUBSCRIBE/PSUBSCRIBE on one server (a cluster forwards
every publish to every node), SSUBSCRIBE and XREAD on the master of their
slot, MONITOR on every master.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Sequence

from redis.connection import ConnectionInterface
from redis.crc import key_slot

from dbtui.core.errors import CancelledError, ConnectionLostError, QueryError
from dbtui.core.live_feed import LIVE_POLL_MS
from dbtui.drivers.redis.connection import Keyspace, Node, translate_errors
from dbtui.drivers.redis.live import (
    LiveEntry,
    LiveRequest,
    monitor_entry,
    pubsub_entry,
    stream_entries,
)

CLIENT_NAME = "dbtui-live"
"""Name the dedicated connections give themselves (``CLIENT SETNAME``)."""
POLL_MS = LIVE_POLL_MS
"""BLOCK sent with each XREAD, in milliseconds: the longest a stop waits for."""
MAX_REPLIES = 2000
"""Replies read per :meth:`LiveStream.read` call at most, so the caller keeps control."""


class LiveStream:
    """One live request on its own connections; use from one thread (except :meth:`interrupt`).

    Args:
        keyspace: Where to listen (its database for XREAD; its read-only flag).
        request: What to run.
    """

    def __init__(self, keyspace: Keyspace, request: LiveRequest) -> None:
        self.keyspace = keyspace
        self.request = request
        self.client_ids: list[int] = []
        """``CLIENT ID`` of each dedicated connection, once :meth:`open` returned."""
        self._conns: list[tuple[str, ConnectionInterface]] = []
        self._ids = list(request.ids)
        self._lock = threading.Lock()
        self._interrupted = False

    @property
    def nodes(self) -> list[str]:
        """Names of the servers listened to."""
        return [name for name, _ in self._conns]

    # ------------------------------------------------------------- opening
    def open(self) -> None:
        """Connect and start listening.

        Raises:
            ReadOnlyError: XREADGROUP on a read-only connection (nothing sent).
            QueryError: the server refused the command (e.g. an ACL), or stream
                keys / shard channels hash to different cluster slots.
            ConnectionLostError: a server could not be reached.
            CancelledError: :meth:`interrupt` was called meanwhile.
        """
        request = self.request
        if request.writes:
            self.keyspace.check_writable("XREADGROUP (it moves the group's pending entries)")
        for node in self._targets():
            conn = self._connect(node)
            self.client_ids.append(self._setup(conn))
        if request.kind == "xread" and request.group is None:
            self._resolve_dollar()
        for name, conn in self._conns:
            self._start(name, conn)

    def _targets(self) -> list[Node]:
        request, keyspace = self.request, self.keyspace
        if request.kind == "monitor":
            return keyspace.nodes()
        keys = request.streams if request.kind == "xread" else ()
        keys = request.channels if request.kind == "shard" else keys
        if not keys:
            return keyspace.nodes()[:1]
        if keyspace.is_cluster and len({key_slot(key) for key in keys}) > 1:
            raise QueryError(
                "these names hash to different cluster slots: use a common {hash tag}",
                "Cross-slot command",
            )
        return [keyspace.node_for(keys[0])]

    def _connect(self, node: Node) -> ConnectionInterface:
        conn = node.client.connection_pool.make_connection()
        with self._lock:
            if self._interrupted:
                raise CancelledError("the live pane was closed")
            self._conns.append((node.name, conn))
        with translate_errors():
            conn.connect()  # type: ignore[no-untyped-call]
        return conn

    @staticmethod
    def _setup(conn: ConnectionInterface) -> int:
        """Name the connection and return its CLIENT ID."""
        with translate_errors():
            conn.send_command(b"CLIENT", b"SETNAME", CLIENT_NAME.encode())  # type: ignore[no-untyped-call]
            conn.read_response()
            conn.send_command(b"CLIENT", b"ID")  # type: ignore[no-untyped-call]
            reply = conn.read_response()
        return reply if isinstance(reply, int) else 0

    def _resolve_dollar(self) -> None:
        """Replace ``$`` by each stream's current last ID, so no entry is missed between reads."""
        _, conn = self._conns[0]
        for index, (key, ident) in enumerate(zip(self.request.streams, self._ids, strict=True)):
            if ident != b"$":
                continue
            with translate_errors():
                conn.send_command(b"XREVRANGE", key, b"+", b"-", b"COUNT", b"1")  # type: ignore[no-untyped-call]
                reply = conn.read_response()
            last = reply[0][0] if isinstance(reply, list) and reply else b"0-0"
            self._ids[index] = last if isinstance(last, bytes) else b"0-0"

    def _start(self, name: str, conn: ConnectionInterface) -> None:
        """Send the subscribing command (nothing for XREAD, which is sent on each read)."""
        request = self.request
        commands: list[tuple[bytes, ...]] = []
        if request.kind == "monitor":
            commands.append((b"MONITOR",))
        elif request.kind in ("pubsub", "shard"):
            if request.channels:
                verb = b"SSUBSCRIBE" if request.kind == "shard" else b"SUBSCRIBE"
                commands.append((verb, *request.channels))
            if request.patterns:
                commands.append((b"PSUBSCRIBE", *request.patterns))
        with translate_errors():
            for command in commands:
                conn.send_command(*command)  # type: ignore[no-untyped-call]
            if request.kind == "monitor":
                conn.read_response()  # +OK

    # ------------------------------------------------------------- reading
    def read(self, timeout: float) -> list[LiveEntry]:
        """What arrived, waiting at most ``timeout`` seconds for the first of it.

        Raises:
            QueryError: the server answered with an error.
            ConnectionLostError: a connection broke (or :meth:`interrupt` closed it).
        """
        try:
            if self.request.kind == "xread":
                return self._read_streams()
            return self._read_pushed(timeout)
        except ConnectionLostError:
            if self._interrupted:
                raise CancelledError("the live pane was closed") from None
            raise

    def _read_pushed(self, timeout: float) -> list[LiveEntry]:
        entries: list[LiveEntry] = []
        with translate_errors():
            for name, conn in self._ready(timeout):
                replies = 0
                while replies < MAX_REPLIES and conn.can_read(0):
                    reply = conn.read_response()
                    replies += 1
                    entry = self._entry(reply, name)
                    if entry is not None:
                        entries.append(entry)
        return entries

    def _entry(self, reply: object, node: str) -> LiveEntry | None:
        if self.request.kind == "monitor":
            return monitor_entry(reply, node) if isinstance(reply, bytes) else None
        return pubsub_entry(reply, time.time(), node)

    def _ready(self, timeout: float) -> list[tuple[str, ConnectionInterface]]:
        """Connections with something to read, after waiting up to ``timeout`` for one."""
        ready = [(name, conn) for name, conn in self._conns if conn.can_read(0)]
        if ready or timeout <= 0:
            return ready
        poller = select.poll()
        for _, conn in self._conns:
            sock = getattr(conn, "_sock", None)
            if isinstance(sock, socket.socket):
                poller.register(sock, select.POLLIN)
        poller.poll(timeout * 1000)
        return [(name, conn) for name, conn in self._conns if conn.can_read(0)]

    def _read_streams(self) -> list[LiveEntry]:
        """One XREAD/XREADGROUP with a short BLOCK; moves the IDs past what it returned."""
        request = self.request
        name, conn = self._conns[0]
        argv: list[bytes] = [b"XREAD"]
        if request.group is not None:
            argv = [b"XREADGROUP", b"GROUP", *request.group]
        if request.count is not None:
            argv += [b"COUNT", str(request.count).encode()]
        argv += [b"BLOCK", str(POLL_MS).encode()]
        if request.noack:
            argv.append(b"NOACK")
        argv += [b"STREAMS", *request.streams, *self._ids]
        with translate_errors():
            conn.send_command(*argv)  # type: ignore[no-untyped-call]
            reply = conn.read_response()
        entries = stream_entries(reply, time.time(), name)
        self._advance(entries)
        return entries

    def _advance(self, entries: Sequence[LiveEntry]) -> None:
        """Read on after the last entry returned; a group's history, once read, goes to ``>``."""
        last = {entry.source: entry.ident for entry in entries}
        for index, key in enumerate(self.request.streams):
            if self._ids[index] == b">":
                continue
            if key in last:
                self._ids[index] = last[key]
            elif self.request.group is not None:
                self._ids[index] = b">"  # pending history read: now follow new entries

    # ------------------------------------------------------------- stopping
    def interrupt(self) -> None:
        """Make a waiting :meth:`read` (or :meth:`open`) return at once; any thread may call it.

        Shuts the sockets down; the owning thread still calls :meth:`close`.
        """
        with self._lock:
            self._interrupted = True
            conns = [conn for _, conn in self._conns]
        for conn in conns:
            sock = getattr(conn, "_sock", None)
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Close every dedicated connection (the server drops the subscriptions); idempotent."""
        with self._lock:
            conns, self._conns = self._conns, []
        for _, conn in conns:
            with contextlib.suppress(OSError):
                conn.disconnect()  # type: ignore[no-untyped-call]
