"""The Redis command console: one command line in, one raw reply out.

The console owns its connections (one per server it talks to), kept open
between commands so that ``SELECT``, ``MULTI``/``EXEC`` and ``WATCH`` behave as
in redis-cli. Before anything is sent a command is classified from the
server's ``COMMAND INFO``: streaming commands (MONITOR, SUBSCRIBE...,
XREAD BLOCK) raise :class:`~dbtui.drivers.redis.live.LiveCommand` so that
the UI opens a live pane, other blocking commands are refused, and on a
read-only connection so is anything the server does not flag as read-only
(see :mod:`dbtui.drivers.redis.commands`).

In a cluster a command goes to the master of its keys' slot; a keyless
command the server tags ``request_policy:all_shards``/``all_nodes`` (``DBSIZE``,
``INFO``, ``PING``...) goes to every master and the reply is a dict
``{node name: reply}``; other keyless commands go to one master.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Sequence

import redis
from redis.connection import ConnectionInterface
from redis.crc import key_slot

from dbtui.core.capabilities.completion import ArgumentCandidates
from dbtui.core.confirmation import Confirmation
from dbtui.core.errors import (
    CancelledError,
    ConnectionLostError,
    DbtuiError,
    QueryError,
    ReadOnlyError,
)
from dbtui.core.results import ReplyResult
from dbtui.drivers.redis import raw
from dbtui.drivers.redis.big_reads import big_read_question, read_plan
from dbtui.drivers.redis.commands import (
    CommandSpec,
    CommandTable,
    command_name,
    console_refusal,
    dangerous_confirmation,
    quote_argument,
    read_only_refusal,
    split_command_line,
    typed_arguments,
)
from dbtui.drivers.redis.connection import Connector, Node, translate_errors
from dbtui.drivers.redis.docs import CommandHint, HintCache
from dbtui.drivers.redis.docs import command_hint as command_hint_of
from dbtui.drivers.redis.key_names import KEY_NAME_LIMIT, key_names
from dbtui.drivers.redis.live import LiveCommand, live_request
from dbtui.drivers.redis.shapes import shaped, shaped_exec

_FAN_OUT_TIPS = frozenset({"request_policy:all_shards", "request_policy:all_nodes"})


class Console:
    """Runs console command lines for one :class:`Connector`.

    Args:
        connector: The opened connection.
        read_only: Refuse commands the server does not flag read-only.
    """

    def __init__(self, connector: Connector, read_only: bool) -> None:
        self._connector = connector
        self.read_only = read_only
        self.db = connector.default_db
        """Database the console's (standalone) connection has selected."""
        self.table = CommandTable(self._command_info)
        self._conns: dict[str, ConnectionInterface] = {}
        self._running: ConnectionInterface | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._queued: list[list[bytes]] | None = None
        """Commands queued since ``MULTI`` (to shape the ``EXEC`` reply), or ``None``."""
        self._hints = HintCache(lambda name: command_hint_of(self._home().client, name))

    def _home(self) -> Node:
        """The server for keyless commands (the URL's server, or the first master)."""
        return self._connector.keyspace(0 if self._connector.cluster else self.db, False).nodes()[0]

    def _command_info(self, name: str) -> object:
        return raw.call(self._home().client, b"COMMAND", b"INFO", name)

    def _check(self, line: str, argv: list[bytes]) -> CommandSpec | None:
        request = live_request(argv)
        if request is not None:
            if self.read_only and request.writes:
                raise ReadOnlyError(
                    f"{request.title} moves the group's pending entries (a write); "
                    "the connection is read-only, so it was not sent",
                    statement=line,
                )
            raise LiveCommand(request, line)
        spec = self.table.spec(argv)
        reason = console_refusal(argv, spec)
        if reason is not None:
            raise QueryError(reason, "Not a console command", statement=line)
        if self.read_only:
            reason = read_only_refusal(argv, spec)
            if reason is not None:
                raise ReadOnlyError(
                    f"{reason}; the connection is read-only, so it was not sent",
                    statement=line,
                )
        return spec

    def run(self, line: str) -> ReplyResult:
        """Check and send one command line; return the server's reply.

        The reply's shape is marked for display (:mod:`dbtui.drivers.redis.shapes`:
        ``OK`` as a status, ``HGETALL`` as pairs, ``INFO`` as sections, error
        replies inside arrays as :class:`~dbtui.core.replies.ErrorReply`); each mark
        compares equal to the raw value.

        Raises:
            QueryError: a bad line, a refused (blocking/streaming) command, or
                an error reply from the server (its message as is).
            LiveCommand: MONITOR, SUBSCRIBE..., XREAD BLOCK: open a live pane
                with its ``request`` instead (a QueryError too).
            ReadOnlyError: refused before sending on a read-only connection
                (also XREADGROUP ... BLOCK, which writes).
            CancelledError: :meth:`cancel` was called meanwhile.
            ConnectionLostError: the connection broke.
        """
        argv = split_command_line(line)
        if not argv:
            raise QueryError("type a Redis command, e.g. GET key", "Empty command")
        spec = self._check(line, argv)
        self._cancelled.clear()
        started = time.perf_counter()
        targets = self._targets(argv, spec)
        try:
            replies = {node.name: self._send(node, argv, line) for node in targets}
        except QueryError:
            if command_name(argv) in {"EXEC", "DISCARD"}:  # EXECABORT: no transaction left
                self._queued = None
            raise
        elapsed = (time.perf_counter() - started) * 1000.0
        if len(targets) == 1:
            reply = self._shaped(argv, next(iter(replies.values())))
            if command_name(argv) == "SELECT":
                self.db = int(argv[1])
        else:
            reply = {name: shaped(argv, each) for name, each in replies.items()}
        return ReplyResult(statement=line, reply=reply, elapsed_ms=elapsed)

    def _shaped(self, argv: list[bytes], reply: object) -> object:
        """The reply's shape marked; tracks ``MULTI`` so that ``EXEC``'s replies are too."""
        name = command_name(argv)
        if name == "MULTI":
            self._queued = []
        elif name in {"EXEC", "DISCARD"}:
            queued, self._queued = self._queued, None
            if name == "EXEC" and queued is not None:
                return shaped_exec(queued, reply)
        elif self._queued is not None:
            self._queued.append(argv)
        return shaped(argv, reply)

    def _targets(self, argv: list[bytes], spec: CommandSpec | None) -> list[Node]:
        cluster = self._connector.cluster
        if cluster is None:
            return [self._home()]
        keyspace = self._connector.keyspace(0, False)
        keys = self._keys(argv, spec)
        if keys:
            slots = {key_slot(k) for k in keys}
            if len(slots) > 1:
                raise QueryError(
                    "the keys of this command hash to different cluster slots "
                    "(use a common {hash tag})",
                    "Cross-slot command",
                    statement=" ".join(a.decode("utf-8", "replace") for a in argv),
                )
            return [keyspace.node_for(keys[0])]
        if spec is not None and spec.tips & _FAN_OUT_TIPS:
            return keyspace.nodes()
        return [self._home()]

    def _keys(self, argv: list[bytes], spec: CommandSpec | None) -> list[bytes]:
        if spec is None or not spec.has_keys:
            return []
        reply = raw.pipeline(self._home().client, [(b"COMMAND", b"GETKEYS", *argv)])[0]
        return [k for k in reply if isinstance(k, bytes)] if isinstance(reply, list) else []

    def _connection(self, node: Node) -> ConnectionInterface:
        conn = self._conns.get(node.name)
        if conn is None:
            conn = node.client.connection_pool.make_connection()
            # A console command may run long; cancel() ends it.
            conn.socket_timeout = None  # type: ignore[attr-defined]
            with translate_errors():
                # Connect now: Sentinel-managed connections find the master only in connect().
                conn.connect()  # type: ignore[no-untyped-call]
            self._conns[node.name] = conn
        return conn

    def _send(self, node: Node, argv: Sequence[bytes], line: str) -> object:
        conn = self._connection(node)
        with self._lock:
            self._running = conn
        try:
            with translate_errors(line):
                conn.send_command(*argv)  # type: ignore[no-untyped-call]
                return raw.convert(conn.read_response())
        except ConnectionLostError:
            conn.disconnect()  # type: ignore[no-untyped-call]
            self._conns.pop(node.name, None)
            self._queued = None  # a new connection has no transaction open
            if self._cancelled.is_set():
                raise CancelledError("the command was cancelled") from None
            raise
        finally:
            with self._lock:
                self._running = None

    def cancel(self) -> None:
        """Abort the running command by closing its connection (best effort).

        The server may still finish the command; the console reconnects on the
        next command, on the database it had selected.
        """
        self._cancelled.set()
        with self._lock:
            conn = self._running
        sock = getattr(conn, "_sock", None)
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _refused_read_only(self, argv: list[bytes]) -> bool:
        """True when :meth:`run` refuses ``argv`` at once (read-only): nothing to confirm."""
        if not self.read_only:
            return False
        try:
            return read_only_refusal(argv, self.table.spec(argv)) is not None
        except (QueryError, redis.exceptions.RedisError):
            return False

    def needs_confirmation(self, line: str) -> Confirmation | None:
        """What the user must confirm before :meth:`run` of ``line``, or ``None``.

        :func:`dangerous_confirmation` (FLUSHDB and FLUSHALL need their name typed,
        a DEL of several keys their number); besides, a read that returns more than the
        limits of :mod:`dbtui.drivers.redis.big_reads` (``LRANGE big 0 499999``,
        ``HGETALL``, ``XRANGE s - +``, ``GET`` of a 50 MB string...) asks first; it is
        sized with its length command and ``MEMORY USAGE`` in one round trip.
        """
        try:
            argv = split_command_line(line)
        except QueryError:
            return None
        needed = dangerous_confirmation(argv)
        if needed is not None:
            return None if self._refused_read_only(argv) else needed
        plan = read_plan(argv)
        if plan is None:
            return None
        keyspace = self._connector.keyspace(0 if self._connector.cluster else self.db, False)
        try:
            replies = raw.pipeline(keyspace.client_for(plan.key), plan.sizing)
        except (DbtuiError, redis.exceptions.RedisError):
            return None  # the command itself will meet the problem and report it
        return big_read_question(argv, plan, replies)

    def command_help(self, line: str) -> CommandHint | None:
        """Syntax, since-version and complexity of the command being typed on ``line``.

        The first word names the command; for a container (``CONFIG``, ``XINFO``) a
        complete second word names the subcommand. ``COMMAND DOCS`` is read once per
        command name and kept. ``None`` for an unknown command or an empty line.

        Raises:
            QueryError: the server refused ``COMMAND DOCS``.
            ConnectionLostError: the connection broke.
        """
        return self._hints.for_line(line)

    def key_names(self, prefix: bytes, limit: int = 200) -> list[bytes]:
        """Up to ``limit`` key names starting with ``prefix`` in the console's database.

        A bounded ``SCAN 0 MATCH <prefix>* COUNT 1000`` walk (see
        :func:`dbtui.drivers.redis.key_names.key_names` for its limits), on every
        master of a cluster; sorted, without duplicates.
        """
        keyspace = self._connector.keyspace(0 if self._connector.cluster else self.db, False)
        return key_names([node.client for node in keyspace.nodes()], prefix, limit=limit)

    def key_name_candidates(
        self, line: str, limit: int = KEY_NAME_LIMIT
    ) -> ArgumentCandidates | None:
        """Key names for the argument ``line`` ends with, when the command takes a key there.

        Key positions come from ``COMMAND INFO`` (first key, last key, step; read once per
        command): ``GET us`` and ``MSET a 1 us`` complete, ``MSET a us`` does not. The names
        are :meth:`key_names` of the typed prefix, quoted as they must be typed
        (:func:`~dbtui.drivers.redis.commands.quote_argument`). ``None`` for a line that
        does not parse, an unknown command, or a position that is not a key.

        Raises:
            QueryError: the server refused ``COMMAND INFO`` or ``SCAN``.
            ConnectionLostError: the connection broke.
        """
        typed = typed_arguments(line)
        if typed is None or len(typed[0]) < 2:
            return None
        argv, start = typed
        spec = self.table.spec(argv[:-1])
        if spec is None or not spec.takes_key_at(len(argv) - 1):
            return None
        names = self.key_names(argv[-1], limit)
        quoted = tuple(quote_argument(name) for name in names)
        return ArgumentCandidates(start, quoted, complete=len(names) < limit)

    def close(self) -> None:
        """Close the console's connections."""
        for conn in self._conns.values():
            conn.disconnect()  # type: ignore[no-untyped-call]
        self._conns.clear()
