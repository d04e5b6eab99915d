"""Per-key facts for the visible rows of the key browser: type, TTL, memory, length.

:func:`key_info` sends, per node, one pipeline of ``TYPE``, ``PTTL`` and
``MEMORY USAGE`` (plus the length command when the type is already known),
and a second pipeline only for the lengths of keys whose type it just learnt.
``MEMORY USAGE`` keeps the server's default sampling (5 elements of an
aggregate): ``SAMPLES 0`` is exact but walks whole collections, which a
browser must not do on production servers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dbtui.core.keyspace import JSON_TYPE, KeyInfo
from dbtui.drivers.redis import raw
from dbtui.drivers.redis.connection import Keyspace, Node

#: Redis type name -> command that returns its length (bytes or elements).
LENGTH_COMMANDS: dict[str, bytes] = {
    "string": b"STRLEN",
    "hash": b"HLEN",
    "list": b"LLEN",
    "set": b"SCARD",
    "zset": b"ZCARD",
    "stream": b"XLEN",
}
INFO_SORTS = ("name", "type", "ttl", "memory", "length")

__all__ = [
    "INFO_SORTS",
    "JSON_TYPE",
    "LENGTH_COMMANDS",
    "KeyInfo",
    "key_info",
    "memory_usage",
    "sort_infos",
]


def _int(reply: object) -> int | None:
    return reply if isinstance(reply, int) else None


def _type(reply: object) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else "none"


def key_info(
    keyspace: Keyspace, keys: Sequence[bytes], types: Mapping[bytes, str] | None = None
) -> list[KeyInfo]:
    """Facts about ``keys`` (the visible rows), in the same order.

    Args:
        keyspace: Where the keys live.
        keys: Key names; keep it to a screenful.
        types: Types already known (e.g. from a SCAN TYPE filter); with them
            everything comes back in a single pipeline per node.
    """
    known = types or {}
    results: list[KeyInfo | None] = [None] * len(keys)
    for node, positions in keyspace.group(keys):
        for pos, info in zip(
            positions, _node_info(node, [keys[p] for p in positions], known), strict=False
        ):
            results[pos] = info
    return [info for info in results if info is not None]


def _node_info(node: Node, keys: list[bytes], known: Mapping[bytes, str]) -> list[KeyInfo]:
    typed = [known.get(key, "") in LENGTH_COMMANDS for key in keys]
    commands: list[tuple[bytes, ...]] = []
    for key, has_type in zip(keys, typed, strict=False):
        first = (LENGTH_COMMANDS[known[key]], key) if has_type else (b"TYPE", key)
        commands += [first, (b"PTTL", key), (b"MEMORY", b"USAGE", key)]
    replies = raw.pipeline(node.client, commands)
    types: list[str] = []
    lengths: list[int | None] = []
    for index, key in enumerate(keys):
        first_reply = replies[3 * index]
        types.append(known[key] if typed[index] else _type(first_reply))
        lengths.append(_int(first_reply) if typed[index] else None)
    missing = [i for i in range(len(keys)) if not typed[i] and types[i] in LENGTH_COMMANDS]
    if missing:
        more = raw.pipeline(node.client, [(LENGTH_COMMANDS[types[i]], keys[i]) for i in missing])
        for i, reply in zip(missing, more, strict=False):
            lengths[i] = _int(reply)
    infos = []
    for index, key in enumerate(keys):
        ttl = _int(replies[3 * index + 1])
        exists = types[index] != "none" and ttl != -2
        infos.append(
            KeyInfo(
                key=key,
                type=types[index] if exists else "none",
                ttl_ms=ttl if exists and ttl is not None and ttl >= 0 else None,
                memory=_int(replies[3 * index + 2]) if exists else None,
                length=lengths[index] if exists else None,
                node=node.name,
            )
        )
    return infos


def memory_usage(keyspace: Keyspace, keys: Sequence[bytes]) -> dict[bytes, int | None]:
    """``MEMORY USAGE`` (sampled, bytes) of ``keys`` in one pipeline per node, for a memory pass.

    Feed the result to :meth:`dbtui.core.keytree.KeyTree.add_measured`;
    ``None`` marks a key that vanished meanwhile.
    """
    sizes: dict[bytes, int | None] = {}
    for node, positions in keyspace.group(keys):
        names = [keys[p] for p in positions]
        replies = raw.pipeline(node.client, [(b"MEMORY", b"USAGE", k) for k in names])
        sizes.update(zip(names, map(_int, replies), strict=True))
    return sizes


def sort_infos(
    infos: Sequence[KeyInfo], by: str = "name", *, reverse: bool = False
) -> list[KeyInfo]:
    """Rows ordered by ``by`` (one of :data:`INFO_SORTS`), ties by name.

    Name and type sort ascending, TTL ascending with "no expiry" last, memory
    and length descending (biggest first) with unknown values last;
    ``reverse`` flips the whole order.
    """
    rows = sorted(infos, key=lambda i: i.key)
    if by == "type":
        rows.sort(key=lambda i: i.type)
    elif by == "ttl":
        rows.sort(key=lambda i: (i.ttl_ms is None, i.ttl_ms or 0))
    elif by == "memory":
        rows.sort(key=lambda i: (i.memory is None, -(i.memory or 0)))
    elif by == "length":
        rows.sort(key=lambda i: (i.length is None, -(i.length or 0)))
    elif by != "name":
        raise ValueError(f"unknown sort {by!r}")
    if reverse:
        rows.reverse()
    return rows
