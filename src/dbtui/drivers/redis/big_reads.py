"""The console's guard against reads that return more than can be shown: measure, then ask.

:func:`read_plan` (pure) says how to size a read before it is sent: the length
command of the key (``LLEN``, ``ZCOUNT``, ``XLEN``, ``STRLEN``...) and, for a
collection, ``MEMORY USAGE`` to estimate the bytes. :func:`big_read_question`
(pure) turns the measurements into a :class:`~dbtui.core.confirmation.Confirmation`
when the read passes a limit: it says how big the reply would be and how to read it
a page at a time instead. The limits:

* :data:`BIG_COLLECTION` elements (list, set, hash, sorted set, stream entries;
  also a ``COUNT`` of ``SCAN``/``HRANDFIELD``/``SRANDMEMBER``... above it);
* :data:`BIG_REPLY_BYTES` of a collection read, estimated from ``MEMORY USAGE``
  in proportion to the elements read;
* :data:`BIG_STRING` bytes of a string read whole (``GET``, ``GETRANGE``, ``DUMP``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dbtui.core.advisor.evidence import size_text
from dbtui.core.confirmation import Confirmation
from dbtui.core.keytree import format_key

BIG_COLLECTION = 10_000
"""A read returning more elements than this asks first."""
BIG_REPLY_BYTES = 16 * 1024 * 1024
"""A collection read whose estimated size is above this (bytes) asks first."""
BIG_STRING = 4 * 1024 * 1024
"""Reading more bytes of a string than this at once asks first."""
PAGE = 1000
"""The page size the advice suggests."""

Argv = list[bytes]
Count = Callable[[Sequence[object]], int | None]
"""Elements (or bytes) the read returns, from the replies to the sizing commands."""


@dataclass(frozen=True)
class ReadPlan:
    """How to size one read before sending it.

    Attributes:
        key: The key read (sizing commands go to its node).
        sizing: Commands to send first (one round trip); may be empty.
        count: Elements returned (bytes for a string), from the sizing replies; ``None``
            when they do not say (a wrong type: the read itself will fail).
        unit: ``"elements"``, ``"entries"``, ``"members"``, ``"fields"`` or ``"bytes"``.
        advice: How to read it a page at a time.
        memory: The last sizing command is ``MEMORY USAGE`` of ``key``, and
            ``length`` (the first reply) is the collection's whole length.
    """

    key: bytes
    sizing: tuple[Argv, ...]
    count: Count
    unit: str
    advice: str
    memory: bool = False


def _int(arg: bytes) -> int | None:
    try:
        return int(arg)
    except ValueError:
        return None


def range_size(start: int, stop: int, length: int) -> int:
    """Elements an inclusive index range selects of ``length`` (Redis rules for negatives)."""
    if start < 0:
        start = max(length + start, 0)
    if stop < 0:
        stop = length + stop
    stop = min(stop, length - 1)
    return max(stop - start + 1, 0)


def _first_int(replies: Sequence[object]) -> int | None:
    return replies[0] if replies and isinstance(replies[0], int) else None


def _indexed(start: bytes, stop: bytes, cap: int | None = None) -> Count:
    first, last = _int(start), _int(stop)

    def count(replies: Sequence[object]) -> int | None:
        length = _first_int(replies)
        if length is None or first is None or last is None:
            return None
        size = range_size(first, last, length)
        return size if cap is None else min(size, cap)

    return count


def _whole(cap: int | None = None) -> Count:
    def count(replies: Sequence[object]) -> int | None:
        length = _first_int(replies)
        return None if length is None else length if cap is None else min(length, cap)

    return count


def _option(argv: Sequence[bytes], name: bytes, after: int = 1) -> bytes | None:
    """The argument ``after`` places past option ``name`` (case-insensitive), or ``None``."""
    upper = [arg.upper() for arg in argv]
    if name not in upper:
        return None
    at = upper.index(name) + after
    return argv[at] if at < len(argv) else None


def _limit(argv: Sequence[bytes]) -> int | None:
    """The count of ``LIMIT offset count`` (``None`` without it or when negative: all)."""
    raw = _option(argv, b"LIMIT", 2)
    value = _int(raw) if raw is not None else None
    return value if value is not None and value >= 0 else None


def _k(key: bytes) -> str:
    return format_key(key)


def _collection(key: bytes, length: bytes, count: Count, unit: str, advice: str) -> ReadPlan:
    sizing = ([length, key], [b"MEMORY", b"USAGE", key])
    return ReadPlan(key, sizing, count, unit, advice, memory=True)


def _list_plan(argv: Argv) -> ReadPlan:
    key = argv[1]
    advice = f"LRANGE {_k(key)} 0 {PAGE - 1}, then LRANGE {_k(key)} {PAGE} {2 * PAGE - 1}…"
    return _collection(key, b"LLEN", _indexed(argv[2], argv[3]), "elements", advice)


def _zset_plan(argv: Argv, name: str) -> ReadPlan:
    key, low, high = argv[1], argv[2], argv[3]
    advice = f"ZRANGE {_k(key)} 0 {PAGE - 1} WITHSCORES, or ZSCAN {_k(key)} 0 COUNT {PAGE}"
    upper = {arg.upper() for arg in argv[4:]}
    cap = _limit(argv)
    by_score = name in {"zrangebyscore", "zrevrangebyscore"} or b"BYSCORE" in upper
    by_lex = name in {"zrangebylex", "zrevrangebylex"} or b"BYLEX" in upper
    reverse = name.startswith("zrev") or b"REV" in upper
    if by_score or by_lex:
        low, high = (high, low) if reverse else (low, high)
        counter = b"ZCOUNT" if by_score else b"ZLEXCOUNT"
        sizing = ([counter, key, low, high], [b"ZCARD", key], [b"MEMORY", b"USAGE", key])
        return ReadPlan(key, sizing, _whole(cap), "members", advice, memory=True)
    return _collection(key, b"ZCARD", _indexed(low, high, cap), "members", advice)


_WHOLE = {
    "hgetall": (b"HLEN", "fields", "HSCAN {k} 0 COUNT {n} (then again from the cursor it returns)"),
    "hkeys": (b"HLEN", "fields", "HSCAN {k} 0 COUNT {n} (then again from the cursor it returns)"),
    "hvals": (b"HLEN", "fields", "HSCAN {k} 0 COUNT {n} (then again from the cursor it returns)"),
    "smembers": (b"SCARD", "members", "SSCAN {k} 0 COUNT {n} (then again from the cursor)"),
}


def _first(sizes: list[int]) -> int:
    return sizes[0]


_SET_ALGEBRA: dict[str, Callable[[list[int]], int]] = {
    "sunion": sum,
    "sinter": min,
    "sdiff": _first,
}
_RANDOM = {"hrandfield": b"HLEN", "srandmember": b"SCARD", "zrandmember": b"ZCARD"}
_STRING_READS = frozenset({"get", "getdel", "getex", "getset", "getrange", "substr", "dump"})


def read_plan(argv: Sequence[bytes]) -> ReadPlan | None:
    """How to size ``argv`` before it is sent, or ``None`` when it needs no sizing (pure)."""
    argv = list(argv)
    if len(argv) < 2:
        return None
    name = argv[0].decode("utf-8", "replace").lower()
    if name == "lrange" and len(argv) >= 4:
        return _list_plan(argv)
    if name in {"zrange", "zrevrange", "zrangebyscore", "zrevrangebyscore"} and len(argv) >= 4:
        return _zset_plan(argv, name)
    if name in {"zrangebylex", "zrevrangebylex"} and len(argv) >= 4:
        return _zset_plan(argv, name)
    if name in _WHOLE:
        length, unit, advice = _WHOLE[name]
        text = advice.format(k=_k(argv[1]), n=PAGE)
        return _collection(argv[1], length, _whole(), unit, text)
    if name in _SET_ALGEBRA:
        return _set_algebra(argv, name)
    if name in {"xrange", "xrevrange"}:
        return _stream_plan(argv)
    if name in {"xread", "xreadgroup"}:
        return _xread_plan(argv)
    if name in _STRING_READS:
        return _string_plan(argv, name)
    return _count_plan(argv, name)


def _set_algebra(argv: Argv, name: str) -> ReadPlan:
    keys = argv[1:]
    combine = _SET_ALGEBRA[name]

    def count(replies: Sequence[object]) -> int | None:
        sizes = [r for r in replies if isinstance(r, int)]
        return combine(sizes) if len(sizes) == len(keys) else None

    advice = f"SSCAN each set ({_k(keys[0])}...) with COUNT {PAGE}"
    return ReadPlan(keys[0], tuple([b"SCARD", k] for k in keys), count, "members", advice)


def _stream_plan(argv: Argv) -> ReadPlan | None:
    raw = _option(argv, b"COUNT")
    cap = _int(raw) if raw is not None else None
    if cap is not None and cap <= BIG_COLLECTION:
        return None
    key = argv[1]
    advice = f"XRANGE {_k(key)} - + COUNT {PAGE}, then XRANGE {_k(key)} (<last id> + COUNT {PAGE}"
    return _collection(key, b"XLEN", _whole(cap), "entries", advice)


def _xread_plan(argv: Argv) -> ReadPlan | None:
    upper = [arg.upper() for arg in argv]
    if b"STREAMS" not in upper:
        return None
    raw = _option(argv, b"COUNT")
    cap = _int(raw) if raw is not None else None
    rest = argv[upper.index(b"STREAMS") + 1 :]
    keys = rest[: len(rest) // 2]
    if not keys or (cap is not None and cap * len(keys) <= BIG_COLLECTION):
        return None

    def count(replies: Sequence[object]) -> int | None:
        sizes = [r for r in replies if isinstance(r, int)]
        if len(sizes) != len(keys):
            return None
        return sum(size if cap is None else min(size, cap) for size in sizes)

    advice = f"add COUNT {PAGE} and read on from the last ID returned"
    return ReadPlan(keys[0], tuple([b"XLEN", k] for k in keys), count, "entries", advice)


def _string_plan(argv: Argv, name: str) -> ReadPlan:
    key = argv[1]
    advice = f"GETRANGE {_k(key)} 0 65535 reads the first 64 KB"
    if name == "dump":
        return ReadPlan(key, ([b"MEMORY", b"USAGE", key],), _whole(), "bytes", advice)
    if name in {"getrange", "substr"} and len(argv) >= 4:
        return ReadPlan(key, ([b"STRLEN", key],), _indexed(argv[2], argv[3]), "bytes", advice)
    return ReadPlan(key, ([b"STRLEN", key],), _whole(), "bytes", advice)


def _count_plan(argv: Argv, name: str) -> ReadPlan | None:
    """``SCAN``-family ``COUNT`` and ``*RANDMEMBER``/``HRANDFIELD`` counts above the limit."""
    if name in {"scan", "sscan", "hscan", "zscan"}:
        raw = _option(argv, b"COUNT")
        asked = _int(raw) if raw is not None else None
        if asked is None or asked <= BIG_COLLECTION:
            return None
        advice = f"use COUNT {PAGE} and go on from the cursor each call returns"
        return ReadPlan(argv[1], (), lambda _: asked, "elements (about)", advice)
    if name in _RANDOM and len(argv) >= 3:
        wanted = _int(argv[2])
        if wanted is None or abs(wanted) <= BIG_COLLECTION:
            return None
        advice = f"ask for at most {BIG_COLLECTION:,} at a time"
        if wanted < 0:  # repeats allowed: exactly |count| elements
            return ReadPlan(argv[1], (), lambda _: -wanted, "elements", advice)
        return ReadPlan(argv[1], ([_RANDOM[name], argv[1]],), _whole(wanted), "elements", advice)
    return None


def _estimated_bytes(plan: ReadPlan, replies: Sequence[object], count: int) -> int | None:
    """Bytes of the reply, from ``MEMORY USAGE`` in proportion to the elements read."""
    if not plan.memory or len(replies) < 2:
        return None
    usage, length = replies[-1], replies[-2]
    if not isinstance(usage, int) or not isinstance(length, int) or length <= 0:
        return None
    return usage * min(count, length) // length


def big_read_question(
    argv: Sequence[bytes], plan: ReadPlan, replies: Sequence[object]
) -> Confirmation | None:
    """The question to ask before the read ``argv`` sized by ``replies``, or ``None`` (pure)."""
    count = plan.count(replies)
    if count is None:
        return None
    name = argv[0].decode("utf-8", "replace").upper()
    key = _k(plan.key)
    if plan.unit == "bytes":
        if count <= BIG_STRING:
            return None
        size = f"{size_text(count)} ({count:,} bytes)"
        limit = f"the console reads at most {size_text(BIG_STRING)} of a string at once"
    else:
        estimate = _estimated_bytes(plan, replies, count)
        if count <= BIG_COLLECTION and (estimate is None or estimate <= BIG_REPLY_BYTES):
            return None
        about = f", about {size_text(estimate)}" if estimate is not None else ""
        size = f"{count:,} {plan.unit}{about}"
        limit = (
            f"the console reads at most {BIG_COLLECTION:,} elements "
            f"or {size_text(BIG_REPLY_BYTES)} at once"
        )
    return Confirmation(
        f"{name} {key} returns {size}. Read it all at once anyway?",
        detail=f"{limit}. Read it a page at a time instead: {plan.advice}; "
        "or open the key in the key browser, which pages through it.",
        yes_label="Read it all",
    )
