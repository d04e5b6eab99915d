"""Key names for console completion: a bounded ``SCAN MATCH prefix*`` walk.

The walk stops at whichever comes first: :data:`KEY_NAME_LIMIT` names found,
:data:`SCAN_CALLS` ``SCAN`` calls per server (of ``COUNT`` :data:`SCAN_COUNT`, so
about 20,000 keys looked at per server), or :data:`TIME_BUDGET` seconds in all.
On a big keyspace a rare prefix may therefore find only some of its keys: the
names the key browser has already seen complement it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import redis

from dbtui.drivers.redis import raw

KEY_NAME_LIMIT = 200
"""Most names returned."""
SCAN_CALLS = 20
"""Most ``SCAN`` calls per server."""
SCAN_COUNT = 1000
"""``COUNT`` of each ``SCAN`` call."""
TIME_BUDGET = 0.5
"""Most seconds spent scanning, over every server."""

_GLOB = frozenset(b"*?[]\\")


def glob_escaped(prefix: bytes) -> bytes:
    """``prefix`` with the glob characters ``* ? [ ] \\`` escaped for ``MATCH``."""
    return b"".join(b"\\" + bytes([c]) if c in _GLOB else bytes([c]) for c in prefix)


def key_names(
    clients: Sequence[redis.Redis], prefix: bytes, *, limit: int = KEY_NAME_LIMIT
) -> list[bytes]:
    """Up to ``limit`` names of keys starting with ``prefix`` (sorted), from every client.

    Raises:
        QueryError: the server refused ``SCAN``.
        ConnectionLostError: a connection broke.
    """
    pattern = glob_escaped(prefix) + b"*"
    found: set[bytes] = set()
    deadline = time.monotonic() + TIME_BUDGET
    for client in clients:
        with raw.session(client) as session:
            cursor: bytes = b"0"
            for _ in range(SCAN_CALLS):
                reply = session.call(b"SCAN", cursor, b"MATCH", pattern, b"COUNT", SCAN_COUNT)
                if not isinstance(reply, list) or len(reply) != 2:
                    break
                cursor, names = reply
                found.update(n for n in names if isinstance(n, bytes))
                if cursor == b"0" or len(found) >= limit or time.monotonic() > deadline:
                    break
        if len(found) >= limit or time.monotonic() > deadline:
            break
    return sorted(found)[:limit]
