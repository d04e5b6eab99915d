"""Raw request/reply on pooled connections, without redis-py's reply callbacks.

The browser modules need the server's replies exactly as sent (``SCAN``'s
cursor as bytes, ``TYPE`` as bytes...), and pipelines whose failed commands
come back as values instead of aborting the batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from redis.connection import ConnectionInterface

from dbtui.core.errors import QueryError
from dbtui.drivers.redis.connection import translate_errors

Arg = bytes | str | int | float


@dataclass(frozen=True)
class ReplyError:
    """An error reply inside a pipeline or an array reply (e.g. a failed command in EXEC).

    Attributes:
        message: The server's error text, e.g. ``WRONGTYPE Operation against a key...``.
    """

    message: str

    def __str__(self) -> str:
        return self.message


def convert(reply: object) -> object:
    """Replace redis-py error objects nested in ``reply`` by :class:`ReplyError`."""
    if isinstance(reply, redis.exceptions.ResponseError):
        return ReplyError(str(reply))
    if isinstance(reply, list):
        return [convert(item) for item in reply]
    if isinstance(reply, dict):
        return {convert(k): convert(v) for k, v in reply.items()}
    return reply


class Session:
    """One pooled connection held for a series of calls (e.g. a whole SCAN loop)."""

    def __init__(self, conn: ConnectionInterface) -> None:
        self.conn = conn

    def call(self, *argv: Arg) -> object:
        """Send one command and return its raw reply.

        Raises:
            QueryError: the server answered with an error.
            ConnectionLostError: the connection failed or timed out.
        """
        reply = self.pipeline([argv])[0]
        if isinstance(reply, ReplyError):
            raise QueryError(reply.message, "Redis error")
        return reply

    def pipeline(self, commands: Sequence[Sequence[Arg]]) -> list[object]:
        """Send ``commands`` in one round trip (not a transaction); return their raw replies.

        A command the server rejects yields a :class:`ReplyError` in its place.
        Nested errors (inside EXEC replies) are left for :func:`convert`.
        """
        if not commands:
            return []
        with translate_errors():
            packed = self.conn.pack_commands(commands)  # type: ignore[no-untyped-call]
            self.conn.send_packed_command(packed)  # type: ignore[no-untyped-call]
            return [self._read() for _ in commands]

    def _read(self) -> object:
        try:
            return self.conn.read_response()
        except redis.exceptions.ResponseError as exc:
            return ReplyError(str(exc))


@contextmanager
def session(client: redis.Redis) -> Iterator[Session]:
    """Borrow one connection of ``client``'s pool for the duration of the block.

    A connection that failed mid-way is closed before it goes back to the pool.
    """
    pool = client.connection_pool
    with translate_errors():
        conn = pool.get_connection()
    try:
        yield Session(conn)
    except BaseException:
        conn.disconnect()  # type: ignore[no-untyped-call]
        raise
    finally:
        pool.release(conn)


def call(client: redis.Redis, *argv: Arg) -> object:
    """:meth:`Session.call` on a connection borrowed for this one command."""
    with session(client) as s:
        return s.call(*argv)


def pipeline(client: redis.Redis, commands: Sequence[Sequence[Arg]]) -> list[object]:
    """:meth:`Session.pipeline` on a connection borrowed for this one round trip."""
    with session(client) as s:
        return s.pipeline(commands)
