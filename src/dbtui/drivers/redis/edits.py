"""Writes the key browser offers as explicit actions (TTL, rename, delete, field edits).

Every function first checks :meth:`Keyspace.check_writable`, so on a
read-only connection nothing is sent and :class:`ReadOnlyError` is raised.
Asking the user for confirmation is the UI's job; these functions only do
what they are told (rename still refuses to overwrite unless told to).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from redis.crc import key_slot

from dbtui.core.errors import QueryError
from dbtui.core.keyspace import BulkProgress
from dbtui.drivers.redis import raw
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.scanner import KeyScanner

Arg = bytes | str | int | float


def _write(keyspace: Keyspace, key: bytes, action: str, *argv: Arg) -> object:
    keyspace.check_writable(action)
    return raw.call(keyspace.client_for(key), *argv)


def set_ttl(keyspace: Keyspace, key: bytes, ttl_ms: int) -> bool:
    """Make ``key`` expire in ``ttl_ms`` milliseconds (PEXPIRE); False if it does not exist."""
    if ttl_ms <= 0:
        raise QueryError("a TTL must be positive (use persist to remove it)", "Invalid TTL")
    return _write(keyspace, key, "Setting a TTL", b"PEXPIRE", key, ttl_ms) == 1


def persist(keyspace: Keyspace, key: bytes) -> bool:
    """Remove the TTL of ``key`` (PERSIST); False if it had none or does not exist."""
    return _write(keyspace, key, "Removing a TTL", b"PERSIST", key) == 1


def rename(keyspace: Keyspace, key: bytes, new: bytes, *, overwrite: bool = False) -> None:
    """Rename ``key`` to ``new``; refuses to replace an existing ``new`` unless ``overwrite``.

    Tries ``RENAMENX`` first; only with ``overwrite`` does it then send ``RENAME``.

    Raises:
        QueryError: ``new`` exists (title "Key exists"), ``key`` does not, or in
            a cluster the two names hash to different slots.
        ReadOnlyError: the connection is read-only.
    """
    keyspace.check_writable("Renaming a key")
    if keyspace.is_cluster and key_slot(key) != key_slot(new):
        raise QueryError(
            "in a Redis Cluster a key can only be renamed within its hash slot; "
            "keep the same {hash tag} in the new name",
            "Cannot rename",
        )
    client = keyspace.client_for(key)
    if raw.call(client, b"RENAMENX", key, new) == 1:
        return
    if not overwrite:
        raise QueryError(
            f"a key named {new!r} already exists; confirm to overwrite it", "Key exists"
        )
    raw.call(client, b"RENAME", key, new)


def _unlink_commands(keyspace: Keyspace, keys: Sequence[bytes]) -> list[tuple[bytes, ...]]:
    """UNLINK commands for keys held by one node: one per slot in a cluster, one otherwise."""
    if not keyspace.is_cluster:
        return [(b"UNLINK", *keys)]
    by_slot: dict[int, list[bytes]] = {}
    for key in keys:
        by_slot.setdefault(key_slot(key), []).append(key)
    return [(b"UNLINK", *group) for group in by_slot.values()]


def delete(keyspace: Keyspace, keys: Sequence[bytes]) -> int:
    """Delete ``keys`` with UNLINK (memory is freed in the background); returns how many existed."""
    keyspace.check_writable("Deleting keys")
    removed = 0
    for node, positions in keyspace.group(keys):
        commands = _unlink_commands(keyspace, [keys[p] for p in positions])
        for reply in raw.pipeline(node.client, commands):
            if isinstance(reply, raw.ReplyError):
                raise QueryError(reply.message, "Redis error")
            removed += reply if isinstance(reply, int) else 0
    return removed


def set_string(keyspace: Keyspace, key: bytes, value: bytes) -> None:
    """Set a string value, keeping the key's TTL.

    Sends ``SET key value KEEPTTL`` (Redis 6+); a server that answers it with
    a syntax error (older than 6) gets :func:`set_string_reapplying_ttl`.

    Raises:
        ReadOnlyError: the connection is read-only (nothing sent).
        QueryError: the server refused it.
    """
    try:
        _write(keyspace, key, "Setting a value", b"SET", key, value, b"KEEPTTL")
    except QueryError as error:
        if "syntax error" not in error.message.lower():
            raise
        set_string_reapplying_ttl(keyspace, key, value)


def set_string_reapplying_ttl(keyspace: Keyspace, key: bytes, value: bytes) -> None:
    """Set a string value and put its TTL back, without KEEPTTL (servers before Redis 6).

    Reads the TTL (PTTL) under WATCH, then sends SET and, if the key had a
    TTL, PEXPIRE in one MULTI/EXEC; the TTL lost the time of one round trip.

    Raises:
        ReadOnlyError: the connection is read-only (nothing sent).
        QueryError: the key changed between the read and the write.
    """
    keyspace.check_writable("Setting a value")
    with raw.session(keyspace.client_for(key)) as session:
        session.call(b"WATCH", key)
        ttl = session.call(b"PTTL", key)
        session.call(b"MULTI")
        session.call(b"SET", key, value)
        if isinstance(ttl, int) and ttl > 0:
            session.call(b"PEXPIRE", key, ttl)
        _exec(session, QueryError("the key changed meanwhile: reload and retry", "Key changed"))


def set_hash_field(keyspace: Keyspace, key: bytes, field: bytes, value: bytes) -> None:
    """Add or replace one hash field (HSET)."""
    _write(keyspace, key, "Setting a hash field", b"HSET", key, field, value)


def delete_hash_field(keyspace: Keyspace, key: bytes, field: bytes) -> bool:
    """Remove one hash field (HDEL); False when it was not there."""
    return _write(keyspace, key, "Deleting a hash field", b"HDEL", key, field) == 1


def set_list_element(keyspace: Keyspace, key: bytes, index: int, value: bytes) -> None:
    """Replace the list element at ``index`` (LSET; negative counts from the tail)."""
    _write(keyspace, key, "Setting a list element", b"LSET", key, index, value)


def push_list(keyspace: Keyspace, key: bytes, value: bytes, *, head: bool = False) -> int:
    """Append (or prepend with ``head``) one element; returns the new length."""
    command = b"LPUSH" if head else b"RPUSH"
    reply = _write(keyspace, key, "Adding a list element", command, key, value)
    return reply if isinstance(reply, int) else 0


def remove_list_value(keyspace: Keyspace, key: bytes, value: bytes, count: int = 1) -> int:
    """Remove up to ``count`` elements equal to ``value`` from the head (LREM); returns how many."""
    reply = _write(keyspace, key, "Removing a list element", b"LREM", key, count, value)
    return reply if isinstance(reply, int) else 0


def add_set_member(keyspace: Keyspace, key: bytes, member: bytes) -> bool:
    """Add a set member (SADD); False when it was already there."""
    return _write(keyspace, key, "Adding a set member", b"SADD", key, member) == 1


def remove_set_member(keyspace: Keyspace, key: bytes, member: bytes) -> bool:
    """Remove a set member (SREM); False when it was not there."""
    return _write(keyspace, key, "Removing a set member", b"SREM", key, member) == 1


def set_zset_score(keyspace: Keyspace, key: bytes, member: bytes, score: float) -> None:
    """Add a sorted-set member or change its score (ZADD)."""
    _write(keyspace, key, "Setting a score", b"ZADD", key, repr(float(score)), member)


def remove_zset_member(keyspace: Keyspace, key: bytes, member: bytes) -> bool:
    """Remove a sorted-set member (ZREM); False when it was not there."""
    return _write(keyspace, key, "Removing a sorted-set member", b"ZREM", key, member) == 1


def add_hash_field(keyspace: Keyspace, key: bytes, field: bytes, value: bytes) -> bool:
    """Add a hash field only if it is not there yet (HSETNX); False when it existed."""
    return _write(keyspace, key, "Adding a hash field", b"HSETNX", key, field, value) == 1


def add_zset_member(keyspace: Keyspace, key: bytes, member: bytes, score: float) -> bool:
    """Add a sorted-set member only if it is not there yet (ZADD NX); False when it existed."""
    reply = _write(
        keyspace, key, "Adding a member", b"ZADD", key, b"NX", repr(float(score)), member
    )
    return reply == 1


def change_zset_score(keyspace: Keyspace, key: bytes, member: bytes, score: float) -> bool:
    """Change the score of an existing member (ZADD XX CH); False when it is gone or unchanged."""
    action = "Setting a score"
    reply = _write(keyspace, key, action, b"ZADD", key, b"XX", b"CH", repr(float(score)), member)
    return reply == 1


TOMBSTONE = b"__dbtui_removed_element__"
"""Placeholder a list element is set to just before it is removed (inside one transaction)."""


def replace_list_element(
    keyspace: Keyspace, key: bytes, index: int, expected: bytes, value: bytes
) -> None:
    """Set the element at ``index`` to ``value`` if it still holds ``expected`` (WATCH + LSET).

    Raises:
        QueryError: the element changed (or the list moved) since it was read.
        ReadOnlyError: the connection is read-only.
    """
    keyspace.check_writable("Setting a list element")
    _checked_list_transaction(keyspace, key, index, expected, [(b"LSET", key, index, value)])


def remove_list_element(keyspace: Keyspace, key: bytes, index: int, expected: bytes) -> None:
    """Remove exactly the element at ``index`` if it still holds ``expected``.

    LREM removes by value, which would hit the first equal element; so the
    element is first set to :data:`TOMBSTONE` and that one is removed, both
    in one MULTI/EXEC under WATCH.

    Raises:
        QueryError: the element changed (or the list moved) since it was read.
        ReadOnlyError: the connection is read-only.
    """
    keyspace.check_writable("Removing a list element")
    commands = [(b"LSET", key, index, TOMBSTONE), (b"LREM", key, 1, TOMBSTONE)]
    _checked_list_transaction(keyspace, key, index, expected, commands)


def _checked_list_transaction(
    keyspace: Keyspace,
    key: bytes,
    index: int,
    expected: bytes,
    commands: Sequence[Sequence[Arg]],
) -> None:
    """Run ``commands`` atomically, only while ``LINDEX key index`` is still ``expected``."""
    changed = QueryError(
        f"element #{index} is no longer the value shown (the list changed): reload and retry",
        "List changed",
    )
    with raw.session(keyspace.client_for(key)) as session:
        session.call(b"WATCH", key)
        if session.call(b"LINDEX", key, index) != expected:
            session.call(b"UNWATCH")
            raise changed
        session.call(b"MULTI")
        for command in commands:
            session.call(*command)
        _exec(session, changed)


def _exec(session: raw.Session, changed: QueryError) -> None:
    """EXEC; raises ``changed`` when a watched key changed, the first error of a command."""
    reply = raw.convert(session.call(b"EXEC"))
    if reply is None:
        raise changed
    for item in reply if isinstance(reply, list) else []:
        if isinstance(item, raw.ReplyError):
            raise QueryError(item.message, "Redis error")


def replace_set_member(keyspace: Keyspace, key: bytes, old: bytes, new: bytes) -> None:
    """Replace set member ``old`` by ``new`` (SREM + SADD in one MULTI/EXEC, under WATCH).

    Raises:
        QueryError: ``old`` is no longer a member, or the set changed meanwhile.
        ReadOnlyError: the connection is read-only.
    """
    keyspace.check_writable("Changing a set member")
    with raw.session(keyspace.client_for(key)) as session:
        session.call(b"WATCH", key)
        if session.call(b"SISMEMBER", key, old) != 1:
            session.call(b"UNWATCH")
            raise QueryError("that member is no longer in the set: reload", "Set changed")
        session.call(b"MULTI")
        session.call(b"SREM", key, old)
        session.call(b"SADD", key, new)
        _exec(session, QueryError("the set changed meanwhile: reload and retry", "Set changed"))


def add_stream_entry(
    keyspace: Keyspace, key: bytes, fields: Sequence[tuple[bytes, bytes]], entry_id: bytes = b"*"
) -> bytes:
    """Append a stream entry (XADD); returns its ID."""
    flat = [part for pair in fields for part in pair]
    reply = _write(keyspace, key, "Adding a stream entry", b"XADD", key, entry_id, *flat)
    return reply if isinstance(reply, bytes) else b""


def delete_stream_entry(keyspace: Keyspace, key: bytes, entry_id: bytes) -> bool:
    """Remove one stream entry by its ID (XDEL); False when it was not there."""
    return _write(keyspace, key, "Deleting a stream entry", b"XDEL", key, entry_id) == 1


def bulk_delete(
    keyspace: Keyspace,
    pattern: bytes,
    *,
    dry_run: bool = True,
    cancelled: threading.Event | None = None,
    sample_size: int = 20,
) -> Iterator[BulkProgress]:
    """Count the keys matching ``pattern`` with SCAN, then (unless ``dry_run``) UNLINK them.

    Yields progress after every SCAN batch; the last item has phase "done"
    (or "cancelled" once ``cancelled`` is set). Deletion rescans the pattern
    and unlinks each batch in one pipeline per node, so keys created after the
    count that match are deleted too.

    Raises:
        ReadOnlyError: ``dry_run`` is False on a read-only connection (raised
            before anything is sent).
    """
    if not dry_run:
        keyspace.check_writable("Deleting keys by pattern")
    matched, sample = 0, list[bytes]()
    for batch in KeyScanner(keyspace).scan_batches(match=pattern, cancelled=cancelled):
        matched += len(batch.keys)
        sample.extend(batch.keys[: max(sample_size - len(sample), 0)])
        yield BulkProgress("counting", matched, 0, tuple(sample), batch.progress)
    if cancelled is not None and cancelled.is_set():
        yield BulkProgress("cancelled", matched, 0, tuple(sample), 0.0)
        return
    deleted = 0
    if not dry_run:
        for batch in KeyScanner(keyspace).scan_batches(match=pattern, cancelled=cancelled):
            if batch.keys:
                deleted += delete(keyspace, batch.keys)
            yield BulkProgress("deleting", matched, deleted, tuple(sample), batch.progress)
        if cancelled is not None and cancelled.is_set():
            yield BulkProgress("cancelled", matched, deleted, tuple(sample), 0.0)
            return
    yield BulkProgress("done", matched, deleted, tuple(sample), 1.0)
