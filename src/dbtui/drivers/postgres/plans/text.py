"""A psql-copied TEXT plan (``EXPLAIN [ANALYZE ...]`` without FORMAT JSON) turned into JSON.

:func:`text_to_json` rebuilds the object ``EXPLAIN (FORMAT JSON)`` would have printed, so
the one analysis in :mod:`.postgres_analysis` serves both formats. Recovered: the tree
(from the ``->`` indentation), node types and their details (join type, aggregate
strategy, partial mode, parallel, index, relation, schema, alias, ModifyTable operation),
costs, actual times/rows/loops, ``(never executed)``, CTE/InitPlan/SubPlan names, every
``Key: value`` property as text, and parsed numbers for filter losses, heap fetches, heap
blocks, sort method and space, hash buckets and batches, HashAgg batches and disk, buffers,
WAL, workers planned/launched, per-worker times/rows/loops; at the end planning and
execution time, triggers, JIT totals and settings.

Not recovered: per-worker JIT, I/O timings, Memoize and incremental-sort group details
(kept as text under their key), ``Output``/``Sort Key``/``Group Key`` as lists (kept as one
string), and anything psql truncated or wrapped.
"""

from __future__ import annotations

import re
from typing import Any

_FRAME = re.compile(r"^\s*(QUERY PLAN|-{3,}[-+]*|\(\d+ rows?\))\s*$")
_COST = re.compile(r"\(cost=([\d.]+)\.\.([\d.]+) rows=(\d+) width=(\d+)\)")
_ACTUAL = re.compile(r"\(actual (?:time=([\d.]+)\.\.([\d.]+) )?rows=([\d.]+) loops=(\d+)\)")
_NEVER = "(never executed)"
_MARKER = re.compile(r"^(CTE \S.*|InitPlan \d+.*|SubPlan \d+.*)$")
_WORKER = re.compile(r"^Worker (\d+):\s*(.*)$")
_WORKER_ACTUAL = re.compile(r"actual (?:time=([\d.]+)\.\.([\d.]+) )?rows=([\d.]+) loops=(\d+)")
_KB = re.compile(r"(\d+)kB")
_AGG = {"HashAggregate": "Hashed", "GroupAggregate": "Sorted", "MixedAggregate": "Mixed"}
_JOIN = re.compile(
    r"^(Nested Loop|Hash|Merge)(?: (Left|Right|Full|Semi|Anti|Right Semi|Right Anti))?"
    r"(?: Join)?$"
)
_MODIFY = re.compile(r"^(Insert|Update|Delete|Merge) on (.+)$")
_SETOP = re.compile(r"^(HashSetOp|SetOp) (.+)$")
_NUMERIC = frozenset(
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


class TextPlanError(ValueError):
    """The text has no recognisable plan node."""


class _Node(dict[str, Any]):
    """A JSON-like plan node that remembers where its body is indented."""

    body: int = 0


def text_to_json(text: str) -> dict[str, Any]:
    """The JSON-format object for a psql text plan (see the module docstring for limits).

    Raises:
        TextPlanError: No plan node could be found.
    """
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip() and not _FRAME.match(ln)]
    start = next((i for i, ln in enumerate(lines) if _COST.search(ln) or _ACTUAL.search(ln)), 0)
    lines = lines[start:]
    if not lines:
        raise TextPlanError("the text is empty")
    root = _header(lines[0].strip(), _indent(lines[0]) + 2)
    reader = _TreeReader(root, base=_indent(lines[0]))
    for line in lines[1:]:
        reader.feed(_indent(line), line.strip())
    return reader.top


class _TreeReader:
    """Folds the lines after the root into the tree, then into the top-level keys.

    A node's body (properties, markers, children) is indented 2 past the root's first
    column or 6 past a child's ``->``; a marker (``CTE x``, ``InitPlan 1 ...``) names the
    ``->`` child that follows it; lines back at the root's column end the tree.
    """

    def __init__(self, root: _Node, base: int) -> None:
        self.top: dict[str, Any] = {"Plan": root}
        self.stack = [root]
        self.base = base
        self.marker: str | None = None
        self.worker: dict[str, Any] | None = None
        self.block: str | None = None
        self.in_summary = False

    def feed(self, col: int, content: str) -> None:
        """Take one non-empty line (``col`` = its indentation)."""
        if col <= self.base or self.in_summary:
            self.in_summary = True
            self.block = _summary_line(self.top, content, col <= self.base, self.block)
            return
        while len(self.stack) > 1 and self.stack[-1].body > col:
            self.stack.pop()
        node = self.stack[-1]
        if content.startswith("->"):
            self._child(node, _header(content[2:].strip(), col + 6))
        elif col == node.body and _MARKER.match(content) and ":" not in content:
            self.marker = content
        elif col == node.body and (found := _WORKER.match(content)):
            self.worker = _worker(int(found.group(1)), found.group(2))
            node.setdefault("Workers", []).append(self.worker)
        elif col > node.body and self.worker is not None:
            _property(self.worker, content)
        else:
            self.worker = None
            _property(node, content)

    def _child(self, parent: _Node, child: _Node) -> None:
        if self.marker is not None:
            kind = "SubPlan" if self.marker.startswith("SubPlan") else "InitPlan"
            child["Parent Relationship"] = kind
            child["Subplan Name"] = self.marker
            self.marker = None
        else:
            child["Parent Relationship"] = _relationship(parent)
        parent.setdefault("Plans", []).append(child)
        self.stack.append(child)
        self.worker = None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _relationship(parent: dict[str, Any]) -> str:
    """Outer/Inner for the first/second child; Member under Append-like nodes."""
    if parent.get("Node Type") in ("Append", "Merge Append", "BitmapAnd", "BitmapOr"):
        return "Member"
    if parent.get("Node Type") == "Subquery Scan":
        return "Subquery"
    siblings = [p for p in parent.get("Plans", ()) if p.get("Parent Relationship") == "Outer"]
    return "Inner" if siblings else "Outer"


def _header(content: str, body: int) -> _Node:
    """A node from its header line: description, then cost and actual parentheses."""
    node = _Node()
    node.body = body
    cuts = [i for i in (content.find(" (" + w) for w in ("cost=", "actual", "never")) if i >= 0]
    description = content[: min(cuts)].strip() if cuts else content
    node.update(_describe(description))
    if cost := _COST.search(content):
        node["Startup Cost"], node["Total Cost"] = float(cost.group(1)), float(cost.group(2))
        node["Plan Rows"], node["Plan Width"] = int(cost.group(3)), int(cost.group(4))
    if actual := _ACTUAL.search(content):
        _actuals(node, actual)
    elif _NEVER in content:
        node.update({"Actual Rows": 0, "Actual Loops": 0})
        node.update({"Actual Startup Time": 0.0, "Actual Total Time": 0.0})
    return node


def _actuals(target: dict[str, Any], found: re.Match[str]) -> None:
    if found.group(1) is not None:
        target["Actual Startup Time"] = float(found.group(1))
        target["Actual Total Time"] = float(found.group(2))
    rows = float(found.group(3))
    target["Actual Rows"] = int(rows) if rows.is_integer() and "." not in found.group(3) else rows
    target["Actual Loops"] = int(found.group(4))


def _describe(text: str) -> dict[str, Any]:
    """Node Type and its qualifiers from psql's node description."""
    out: dict[str, Any] = {}
    for prefix, key in (("Parallel ", "Parallel Aware"), ("Async ", "Async Capable")):
        if text.startswith(prefix):
            out[key], text = True, text[len(prefix) :]
    for mode in ("Partial ", "Finalize "):
        if text.startswith(mode) and "Aggregate" in text:
            out["Partial Mode"], text = mode.strip(), text[len(mode) :]
    if modify := _MODIFY.match(text):
        out.update({"Node Type": "ModifyTable", "Operation": modify.group(1)})
        out.update(_target(modify.group(2), "Relation Name"))
        return out
    head, _, rest = text.partition(" on ")
    index = None
    if " using " in head:
        head, _, index = head.partition(" using ")
    if head.endswith(" Backward"):
        head, out["Scan Direction"] = head[: -len(" Backward")], "Backward"
    out.update(_node_type(head))
    if index:
        out["Index Name"] = index
    if rest and out["Node Type"] == "Bitmap Index Scan":
        out["Index Name"] = rest
    elif rest:
        out.update(_target(rest, _target_key(out["Node Type"])))
    return out


def _node_type(head: str) -> dict[str, Any]:
    if head in _AGG:
        return {"Node Type": "Aggregate", "Strategy": _AGG[head]}
    if head == "Aggregate":
        return {"Node Type": "Aggregate", "Strategy": "Plain"}
    if setop := _SETOP.match(head):
        strategy = "Hashed" if setop.group(1) == "HashSetOp" else "Sorted"
        return {"Node Type": "SetOp", "Strategy": strategy, "Command": setop.group(2)}
    if (join := _JOIN.match(head)) and head not in ("Hash", "Merge"):
        kind = {"Hash": "Hash Join", "Merge": "Merge Join"}.get(join.group(1), join.group(1))
        return {"Node Type": kind, "Join Type": join.group(2) or "Inner"}
    if head.startswith("Custom Scan (") and head.endswith(")"):
        return {"Node Type": "Custom Scan", "Custom Plan Provider": head[13:-1]}
    return {"Node Type": head}


def _target_key(node_type: str) -> str:
    return {
        "CTE Scan": "CTE Name",
        "Function Scan": "Function Name",
        "Subquery Scan": "Alias",
        "Values Scan": "Alias",
    }.get(node_type, "Relation Name")


def _target(text: str, key: str) -> dict[str, Any]:
    """``[schema.]name [alias]`` after `` on ``."""
    name, _, alias = text.partition(" ")
    out: dict[str, Any] = {}
    if key == "Relation Name" and "." in name and not name.startswith('"'):
        out["Schema"], name = name.split(".", 1)
    out[key] = name
    out["Alias"] = alias or out.get("Alias") or name
    return out


def _worker(number: int, rest: str) -> dict[str, Any]:
    worker: dict[str, Any] = {"Worker Number": number}
    if found := _WORKER_ACTUAL.search(rest):
        _actuals(worker, found)
    return worker


def _property(node: dict[str, Any], content: str) -> None:
    """One ``Key: value`` line, with the numbers psql folds into text pulled out."""
    key, sep, value = content.partition(": ")
    if not sep:
        key, value = content.rstrip(":"), ""
    if key in _NUMERIC:
        node[key] = _to_number(value)
    elif key == "Buffers":
        node.update(_buffers(value))
    elif key == "Sort Method":
        _sort_method(node, value)
    elif key == "Buckets":
        _hash_sizes(node, content)
    elif key in ("Batches", "Planned Partitions"):
        _hashagg(node, content)
    elif key == "Heap Blocks":
        for kind, count in re.findall(r"(exact|lossy)=(\d+)", value):
            node[f"{kind.title()} Heap Blocks"] = int(count)
    elif key == "WAL":
        for kind, count in re.findall(r"(records|fpi|bytes)=(\d+)", value):
            node[f"WAL {'FPI' if kind == 'fpi' else kind.title()}"] = int(count)
    else:
        node[key] = value


def _to_number(value: str) -> int | float | str:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _buffers(value: str) -> dict[str, int]:
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


_TRIGGER = re.compile(
    r"^Trigger(?: (?!for constraint )(?P<name>\S+))?(?: for constraint (?P<constraint>\S+))?"
    r"(?: on (?P<rel>\S+))?: (?:time=(?P<time>[\d.]+) )?calls=(?P<calls>\d+)$"
)


def _summary_line(top: dict[str, Any], content: str, at_top: bool, block: str | None) -> str | None:
    """Fold one line after the tree into ``top``; returns the block it opens, if any."""
    if not at_top and block == "Planning":
        top.setdefault("Planning", {}).update(_buffers(content.partition(": ")[2]))
        return block
    if not at_top and block == "JIT":
        _jit_line(top.setdefault("JIT", {}), content)
        return block
    key, _, value = content.partition(": ")
    if key in ("Planning Time", "Execution Time", "Total runtime"):
        name = "Execution Time" if key == "Total runtime" else key
        top[name] = float(value.split()[0])
    elif content in ("Planning:", "JIT:"):
        return content[:-1]
    elif key == "Settings":
        top["Settings"] = dict(re.findall(r"([\w.]+) = '((?:[^']|'')*)'", value))
    elif trigger := _TRIGGER.match(content):
        entry: dict[str, Any] = {}
        if trigger["name"]:
            entry["Trigger Name"] = trigger["name"]
        if trigger["constraint"]:
            entry["Constraint Name"] = trigger["constraint"]
        if trigger["rel"]:
            entry["Relation"] = trigger["rel"]
        if trigger["time"]:
            entry["Time"] = float(trigger["time"])
        entry["Calls"] = int(trigger["calls"])
        top.setdefault("Triggers", []).append(entry)
    elif value:
        top[key] = _to_number(value)
    return None


def _jit_line(jit: dict[str, Any], content: str) -> None:
    key, _, value = content.partition(": ")
    if key == "Functions":
        jit["Functions"] = int(value)
    elif key == "Timing":
        jit["Timing"] = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) ms", value)}
    elif key == "Options":
        jit["Options"] = {k: v == "true" for k, v in re.findall(r"(\w+) (true|false)", value)}
