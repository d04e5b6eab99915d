"""The ``Key: value`` lines of a psql text plan, as the keys ``FORMAT JSON`` would print.

Node lines (:func:`node_property`): every property is kept as text under its key, and
the numbers psql folds into text are pulled out: filter losses, heap fetches, heap blocks,
sort method and space, hash buckets and batches, HashAgg batches and disk, buffers, WAL,
I/O timings (PostgreSQL 13 to 18 wordings), incremental sort groups and Memoize cache
statistics. Lines after the tree (:func:`summary_line`): planning and execution time (also
9.4 to 9.6's lower-case ``Planning time:`` and 9.3's ``Total runtime:``), triggers, JIT,
settings, query identifier, and the ``Planning:`` block.
"""

from __future__ import annotations

import re
from typing import Any

_KB = re.compile(r"(\d+)kB")
NUMERIC = frozenset(
    {
        "Rows Removed by Filter",
        "Rows Removed by Join Filter",
        "Rows Removed by Index Recheck",
        "Heap Fetches",
        "Workers Planned",
        "Workers Launched",
        "Subplans Removed",
        "Index Searches",
    }
)
_BUFFER_NAMES = {"shared": "Shared", "local": "Local", "temp": "Temp"}
_BUFFER_KINDS = {"hit": "Hit", "read": "Read", "dirtied": "Dirtied", "written": "Written"}
_IO_NAMES = {"shared/local": "", "": "", "shared": "Shared ", "local": "Local ", "temp": "Temp "}
_GROUPS = ("Full-sort Groups", "Pre-sorted Groups")


def node_property(node: dict[str, Any], content: str) -> None:
    """Fold one ``Key: value`` line of a node (or of one of its workers) into ``node``."""
    key, sep, value = content.partition(": ")
    if not sep:
        key, value = content.rstrip(":"), ""
    if key in NUMERIC:
        node[key] = to_number(value)
    elif key == "Buffers":
        node.update(buffers(value))
    elif key == "I/O Timings":
        node.update(io_timings(value))
    elif key == "Sort Method":
        _sort_method(node, value)
    elif key == "Buckets":
        _hash_sizes(node, content)
    elif key in ("Batches", "Planned Partitions"):
        _hashagg(node, content)
    elif key in _GROUPS:
        _sort_groups(node, content)
    elif key == "Hits":
        _memoize(node, content)
    elif key == "Heap Blocks":
        for kind, count in re.findall(r"(exact|lossy)=(\d+)", value):
            node[f"{kind.title()} Heap Blocks"] = int(count)
    elif key == "WAL":
        for kind, count in re.findall(r"(records|fpi|bytes)=(\d+)", value):
            node[f"WAL {'FPI' if kind == 'fpi' else kind.title()}"] = int(count)
    else:
        node[key] = value


def to_number(value: str) -> int | float | str:
    """``12`` -> 12, ``1.5`` -> 1.5; anything else stays text."""
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def buffers(value: str) -> dict[str, int]:
    """``shared hit=1 read=2, temp written=3`` -> ``Shared Hit Blocks``... counts."""
    out: dict[str, int] = {}
    for group in value.split(","):
        words = group.split()
        if not words or words[0] not in _BUFFER_NAMES:
            continue
        for item in words[1:]:
            kind, _, count = item.partition("=")
            if kind in _BUFFER_KINDS and count.isdigit():
                out[f"{_BUFFER_NAMES[words[0]]} {_BUFFER_KINDS[kind]} Blocks"] = int(count)
    return out


def io_timings(value: str) -> dict[str, float]:
    """``I/O Timings:`` in ms under the JSON keys of the same server version.

    ``read=1 write=2`` (13, 14) and ``shared/local read=1, temp read=2`` (15) give
    ``I/O Read Time``...; ``shared read=1, local ..., temp ...`` (16+) give
    ``Shared I/O Read Time``...; temp times are ``Temp I/O Read Time``... in both.
    """
    out: dict[str, float] = {}
    for group in value.split(","):
        found = re.match(r"\s*(?:([a-z/]+)\s+)?((?:\w+=[\d.]+\s*)+)$", group)
        if not found or (found.group(1) or "") not in _IO_NAMES:
            continue
        prefix = _IO_NAMES[found.group(1) or ""]
        for kind, amount in re.findall(r"(read|write)=([\d.]+)", found.group(2)):
            out[f"{prefix}I/O {kind.title()} Time"] = float(amount)
    return out


def _sort_method(node: dict[str, Any], value: str) -> None:
    """``external merge  Disk: 4736kB`` or ``quicksort  Memory: 25kB``."""
    method, _, space = value.partition("  ")
    node["Sort Method"] = method.strip()
    kind, _, amount = space.strip().partition(": ")
    if kind in ("Disk", "Memory"):
        node["Sort Space Type"] = kind
        if size := _KB.search(amount):
            node["Sort Space Used"] = int(size.group(1))


def _hash_sizes(node: dict[str, Any], content: str) -> None:
    """``Buckets: 65536 (originally 1024)  Batches: 16 (originally 1)  Memory Usage: 3073kB``."""
    for key, count, original in re.findall(
        r"(Buckets|Batches): (\d+)(?: \(originally (\d+)\))?", content
    ):
        node[f"Hash {key}"] = int(count)
        node[f"Original Hash {key}"] = int(original or count)
    if memory := re.search(r"Memory Usage: (\d+)kB", content):
        node["Peak Memory Usage"] = int(memory.group(1))


def _hashagg(node: dict[str, Any], content: str) -> None:
    """``[Planned Partitions: 4  ]Batches: 5  Memory Usage: 4145kB  Disk Usage: 12345kB``."""
    pairs = {
        "Planned Partitions": "Planned Partitions",
        "Batches": "HashAgg Batches",
        "Memory Usage": "Peak Memory Usage",
        "Disk Usage": "Disk Usage",
    }
    for key, count in re.findall(
        r"(Planned Partitions|Batches|Memory Usage|Disk Usage): (\d+)", content
    ):
        node[pairs[key]] = int(count)


def _sort_groups(node: dict[str, Any], content: str) -> None:
    """Incremental Sort's ``Full-sort Groups: 501  Sort Methods: top-N heapsort, quicksort
    Average Memory: 28kB  Peak Memory: 28kB[  Average Disk: ..  Peak Disk: ..]``."""
    found = re.match(r"([\w-]+ Groups): (\d+)\s+Sort Methods?: (.*?)(?:\s{2,}|$)(.*)$", content)
    if found is None:
        key, _, value = content.partition(": ")
        node[key] = value
        return
    group: dict[str, Any] = {
        "Group Count": int(found.group(2)),
        "Sort Methods Used": [m.strip() for m in found.group(3).split(",") if m.strip()],
    }
    for place, name in (("Memory", "Sort Space Memory"), ("Disk", "Sort Space Disk")):
        average = re.search(rf"Average {place}: (\d+)kB", found.group(4))
        peak = re.search(rf"Peak {place}: (\d+)kB", found.group(4))
        if average or peak:
            group[name] = {
                "Average Sort Space Used": int(average.group(1)) if average else 0,
                "Peak Sort Space Used": int(peak.group(1)) if peak else 0,
            }
    node[found.group(1)] = group


def _memoize(node: dict[str, Any], content: str) -> None:
    """``Hits: 9435  Misses: 5000  Evictions: 0  Overflows: 0  Memory Usage: 508kB``."""
    for key, count in re.findall(r"(Hits|Misses|Evictions|Overflows): (\d+)", content):
        node[f"Cache {key}"] = int(count)
    if memory := re.search(r"Memory Usage: (\d+)kB", content):
        node["Peak Memory Usage"] = int(memory.group(1))


# -- after the tree ------------------------------------------------------------------------------

_TRIGGER = re.compile(
    r"^Trigger(?: (?!for constraint )(?P<name>\S+))?(?: for constraint (?P<constraint>\S+))?"
    r"(?: on (?P<rel>\S+))?: (?:time=(?P<time>[\d.]+) )?calls=(?P<calls>\d+)$"
)
_TIMES = {
    "planning time": "Planning Time",
    "execution time": "Execution Time",
    "total runtime": "Execution Time",
}


def summary_line(top: dict[str, Any], content: str, at_top: bool, block: str | None) -> str | None:
    """Fold one line after the tree into ``top``; returns the block it opens, if any.

    ``at_top`` says the line is at the tree's own column (not inside a ``Planning:`` or
    ``JIT:`` block). Lines of unknown meaning (a prompt, psql's ``Time:``) are ignored.
    """
    if not at_top and block == "Planning":
        planning = top.setdefault("Planning", {})
        key, _, value = content.partition(": ")
        planning.update(io_timings(value) if key == "I/O Timings" else buffers(value))
        return block
    if not at_top and block == "JIT":
        _jit_line(top.setdefault("JIT", {}), content)
        return block
    key, _, value = content.partition(": ")
    if key.lower() in _TIMES:
        top[_TIMES[key.lower()]] = float(value.split()[0])
    elif content in ("Planning:", "JIT:"):
        return content[:-1]
    elif key == "Settings":
        top["Settings"] = dict(re.findall(r"([\w.]+) = '((?:[^']|'')*)'", value))
    elif key == "Query Identifier":
        top[key] = to_number(value)
    elif key == "Serialization":
        top[key] = value
    elif trigger := _TRIGGER.match(content):
        top.setdefault("Triggers", []).append(_trigger(trigger))
    return None


def _trigger(found: re.Match[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if found["name"]:
        entry["Trigger Name"] = found["name"]
    if found["constraint"]:
        entry["Constraint Name"] = found["constraint"]
    if found["rel"]:
        entry["Relation"] = found["rel"]
    if found["time"]:
        entry["Time"] = float(found["time"])
    entry["Calls"] = int(found["calls"])
    return entry


def _jit_line(jit: dict[str, Any], content: str) -> None:
    key, _, value = content.partition(": ")
    if key == "Functions":
        jit["Functions"] = int(value)
    elif key == "Timing":
        jit["Timing"] = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) ms", value)}
    elif key == "Options":
        jit["Options"] = {k: v == "true" for k, v in re.findall(r"(\w+) (true|false)", value)}
