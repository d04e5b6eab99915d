"""Mark a console reply's shape from the command that produced it (pure).

RESP2 sends a hash as a flat array and ``OK`` like any string; the console marks
what the command's reply means with the types of :mod:`dbtui.core.replies`
(:class:`~dbtui.core.replies.Status`, :class:`~dbtui.core.replies.Pairs`,
:class:`~dbtui.core.replies.Sections`, :class:`~dbtui.core.replies.TextBlock`,
:class:`~dbtui.core.replies.ErrorReply`), each equal to the plain value, so that
the reply reads like redis-cli (``1# "field" => "value"``, ``OK``, INFO sections).

Data commands are marked from a table; server-introspection commands (``XINFO``,
``MEMORY STATS``, ``COMMAND DOCS``, ``CLUSTER SHARDS``...) whose replies nest
records are marked by shape: a flat array whose every other element is a
lower-case identifier (``length``, ``first-entry``) is a record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbtui.core.replies import ErrorReply, Pairs, Sections, Status, TextBlock
from dbtui.drivers.redis import raw

#: Commands (``name`` or ``name sub``, lower case) whose reply is a simple string.
STATUS_COMMANDS = frozenset(
    """
    set mset setex psetex select flushdb flushall ping rename lset ltrim hmset type multi
    discard watch unwatch save bgsave bgrewriteaof auth quit reset swapdb restore migrate
    xsetid pfmerge readonly readwrite asking shutdown replicaof slaveof
    """.split()  # noqa: SIM905
) | frozenset(
    f"{container} {sub}"
    for container, subs in {
        "config": "set resetstat rewrite",
        "client": "setname setinfo pause unpause reply no-evict no-touch",
        "script": "flush kill",
        "function": "flush delete restore kill",
        "slowlog": "reset",
        "acl": "setuser save load",
        "module": "load loadex unload",
        "xgroup": "create setid",
        "latency": "reset",
        "memory": "purge",
        "cluster": "addslots addslotsrange delslots delslotsrange failover forget meet "
        "replicate reset saveconfig setslot flushslots bumpepoch",
    }.items()
    for sub in subs.split()
)

#: Commands whose reply is a flat field/value array (``WITHSCORES``/``WITHVALUES`` forms below).
_PAIRS = frozenset({"hgetall", "config get", "zpopmin", "zpopmax"})
_WITH_SCORES = frozenset(
    """
    zrange zrevrange zrangebyscore zrevrangebyscore zunion zinter zdiff zrandmember
    """.split()  # noqa: SIM905
)
#: Commands whose reply is multi-line text to read line by line.
_TEXT_BLOCKS = frozenset(
    {
        "client list",
        "client info",
        "cluster nodes",
        "cluster info",
        "memory doctor",
        "memory malloc-stats",
        "latency doctor",
        "latency graph",
        "lolwut",
    }
)
#: Introspection commands whose replies hold records (flat arrays of name/value).
_RECORDS = frozenset(
    {
        "xinfo",
        "memory stats",
        "command docs",
        "cluster shards",
        "cluster links",
        "hello",
        "function list",
        "function stats",
        "acl getuser",
        "acl log",
        "module list",
        "client trackinginfo",
        "latency histogram",
        "lcs",
    }
)
#: Stream reads: entries ``[id, [field, value, ...]]``.
_STREAM_READS = frozenset({"xrange", "xrevrange", "xclaim", "xread", "xreadgroup", "xautoclaim"})
_NAME = re.compile(rb"[a-z][a-z0-9_.\-]*")


def _words(argv: Sequence[bytes]) -> tuple[str, str]:
    """The command name and ``name sub`` (lower case)."""
    name = argv[0].decode("utf-8", "replace").lower() if argv else ""
    sub = argv[1].decode("utf-8", "replace").lower() if len(argv) > 1 else ""
    return name, f"{name} {sub}"


def errors_marked(reply: object) -> object:
    """``reply`` with every nested :class:`raw.ReplyError` as an :class:`ErrorReply`."""
    if isinstance(reply, raw.ReplyError):
        return ErrorReply(reply.message)
    if isinstance(reply, list):
        return [errors_marked(item) for item in reply]
    if isinstance(reply, dict):
        return {errors_marked(k): errors_marked(v) for k, v in reply.items()}
    return reply


def shaped(argv: Sequence[bytes], reply: object) -> object:
    """``reply`` to ``argv`` with its shape marked (errors, status, pairs, text, records)."""
    reply = errors_marked(reply)
    name, pair = _words(argv)
    upper = {arg.upper() for arg in argv[1:]}
    if isinstance(reply, bytes):
        return _shaped_string(name, pair, upper, reply)
    if not isinstance(reply, list):
        return reply
    if name in _PAIRS or pair in _PAIRS:
        return _as_pairs(reply)
    if (name in _WITH_SCORES and b"WITHSCORES" in upper) or (
        name == "hrandfield" and b"WITHVALUES" in upper
    ):
        return _as_pairs(reply)
    if name in {"xread", "xreadgroup"}:
        return [_stream_of(item) for item in reply]
    if name in _STREAM_READS:
        return _records(reply)
    if name in _RECORDS or pair in _RECORDS:
        return _records(reply)
    return reply


def shaped_exec(queued: Sequence[Sequence[bytes]], reply: object) -> object:
    """An ``EXEC`` reply whose elements are shaped by the commands queued before it."""
    if not isinstance(reply, list) or len(reply) != len(queued):
        return errors_marked(reply)
    return [shaped(argv, item) for argv, item in zip(queued, reply, strict=True)]


def _shaped_string(name: str, pair: str, upper: set[bytes], reply: bytes) -> object:
    if name == "info":
        return Sections(reply)
    if pair in _TEXT_BLOCKS or name in _TEXT_BLOCKS:
        return TextBlock(reply)
    if reply == b"QUEUED":
        return Status(reply)
    if name == "set" and b"GET" in upper:
        return reply
    if (name == "ping" and len(upper) == 0) or (name != "ping" and name in STATUS_COMMANDS):
        return Status(reply)
    if pair in STATUS_COMMANDS:
        return Status(reply)
    return reply


def _as_pairs(reply: list[object]) -> object:
    return Pairs(reply) if len(reply) % 2 == 0 else reply


def _is_record(items: list[object]) -> bool:
    """A flat array whose every other element (from the first) is a lower-case name."""
    if not items or len(items) % 2:
        return False
    names = items[::2]
    return all(isinstance(n, bytes) and _NAME.fullmatch(n) for n in names)


def _records(reply: object) -> object:
    """``reply`` with every nested record (and stream entry's fields) marked as pairs."""
    if not isinstance(reply, list):
        return reply
    items = [_records(item) for item in reply]
    if _is_entry(items):
        return [items[0], Pairs(items[1]) if isinstance(items[1], list) else items[1]]
    return Pairs(items) if _is_record(items) else items


def _stream_of(item: object) -> object:
    """One stream of an ``XREAD`` reply, ``[name, entries]``, as the pair name => entries."""
    if isinstance(item, list) and len(item) == 2:
        return Pairs([item[0], _records(item[1])])
    return item


def _is_entry(items: list[object]) -> bool:
    """A stream entry: ``[b"1700000000000-0", [field, value, ...]]``."""
    if len(items) != 2 or not isinstance(items[0], bytes):
        return False
    fields = items[1]
    return (
        re.fullmatch(rb"\d+-\d+", items[0]) is not None
        and isinstance(fields, list)
        and len(fields) % 2 == 0
    )
