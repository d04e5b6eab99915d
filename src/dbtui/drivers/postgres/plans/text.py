"""A psql-copied TEXT plan (``EXPLAIN [ANALYZE ...]`` without FORMAT JSON) turned into JSON.

:func:`text_to_json` rebuilds the object ``EXPLAIN (FORMAT JSON)`` would have printed, so
the one analysis in :mod:`.analysis` serves both formats. What users paste is first
cleaned by :mod:`.paste` (framing, quoting, prompts, wrapped lines). Recovered: the tree,
node types and their details (join type, aggregate strategy, partial mode, parallel,
index, relation, schema, alias, ModifyTable operation), costs, actual times/rows/loops,
``(never executed)``, CTE/InitPlan/SubPlan names (also the unnumbered markers of 8.x,
which head every ``->`` below them), per-worker lines (one worker per number, whatever
number of lines psql gave it), the properties of :mod:`.props`, and the summary.

The tree is read from relative indentation, not fixed columns: a node's body is wherever
its first line below the header is (6 columns past ``->`` in psql, but 4 or a tab also
work), and the tree ends at the first line left of the root's body, so a first line copied
without psql's leading space, or a plan pasted from its first ``->``, reads the same.

Not recovered: per-worker JIT, ``Output``/``Sort Key``/``Group Key`` as lists (kept as one
string).
"""

from __future__ import annotations

import re
from typing import Any

from dbtui.core.plans.errors import PlanFormatError
from dbtui.drivers.postgres.plans.paste import Row, clean_paste
from dbtui.drivers.postgres.plans.props import node_property, summary_line
from dbtui.drivers.postgres.plans.repair import is_summary

_COST = re.compile(r"\(cost=([\d.]+)\.\.([\d.]+)\s*rows=(\d+)\s*width=(\d+)\)")
_ACTUAL = re.compile(r"\(actual (?:time=([\d.]+)\.\.([\d.]+)\s*)?rows=([\d.]+)\s*loops=(\d+)\)")
_NEVER = "(never executed)"
_MARKER = re.compile(r"^(CTE \S.*|InitPlan(?: \d+.*)?|SubPlan(?: \d+.*)?)$")
_WORKER = re.compile(r"^Worker (\d+):\s*(.*)$")
_WORKER_ACTUAL = re.compile(r"actual (?:time=([\d.]+)\.\.([\d.]+)\s*)?rows=([\d.]+)\s*loops=(\d+)")
_AGG = {"HashAggregate": "Hashed", "GroupAggregate": "Sorted", "MixedAggregate": "Mixed"}
_JOIN = re.compile(
    r"^(Nested Loop|Hash|Merge)(?: (Left|Right|Full|Semi|Anti|Right Semi|Right Anti))?"
    r"(?: Join)?$"
)
_MODIFY = re.compile(r"^(Insert|Update|Delete|Merge) on (.+)$")
_SETOP = re.compile(r"^(HashSetOp|SetOp) (.+)$")


class TextPlanError(ValueError):
    """The text has no recognisable plan node."""


class _Node(dict[str, Any]):
    """A JSON-like plan node that remembers its ``->`` column and its body's column."""

    arrow: int = -1
    body: int | None = None


def text_to_json(text: str | list[Row]) -> dict[str, Any]:
    """The JSON-format object for a text plan (see the module docstring for limits).

    Args:
        text: What the user pasted, or rows already cleaned by :func:`.paste.clean_paste`.

    Raises:
        TextPlanError: No plan node could be found.
        PlanFormatError: The text could not be put back together (see :mod:`.paste`).
    """
    rows = clean_paste(text).rows if isinstance(text, str) else text
    if not rows:
        raise TextPlanError("no plan node found in the text")
    first = rows[0][1]
    content = first.strip()
    if content.startswith("->"):
        content = content[2:].strip()
    root = _header(content)
    reader = _TreeReader(root, _indent(first), rows[1:])
    for number, line in rows[1:]:
        reader.feed(_indent(line), line.strip(), number)
    return reader.top


class _TreeReader:
    """Folds the lines after the root into the tree, then into the top-level keys.

    The root's body is the column of the first line below it that is not a summary line
    at the root's own column; any line left of it ends the tree. Inside, a line at or
    left of a node's ``->`` closes that node; a marker (``CTE x``, ``InitPlan 1 ...``,
    8.x's bare ``InitPlan``) names every ``->`` indented past it until a line at its column.
    """

    def __init__(self, root: _Node, col: int, rest: list[Row]) -> None:
        self.top: dict[str, Any] = {"Plan": root}
        self.stack = [root]
        root.body = next(
            (
                _indent(line)
                for _, line in rest
                if not (is_summary(line.strip()) and _indent(line) <= col + 1)
            ),
            col + 2,
        )
        root.body = max(root.body, col + 1)
        self.marker: tuple[str, int, _Node] | None = None
        self.worker: tuple[dict[str, Any], int] | None = None
        self.block: str | None = None
        self.summary_col: int | None = None

    def feed(self, col: int, content: str, number: int = 0) -> None:
        """Take one non-empty line (``col`` = its indentation, ``number`` the pasted line's).

        Raises:
            PlanFormatError: A plan node after the tree ended (a second plan, or lines
                whose indentation was lost): reading on would give a wrong tree.
        """
        root_body = self.stack[0].body or 0
        if col < root_body or self.summary_col is not None:
            if content.startswith("->") or _COST.search(content) or _ACTUAL.search(content):
                raise PlanFormatError(
                    f"line {number}: a plan node outside the tree (a second plan, or "
                    f"indentation lost in the copy): {content[:60]!r}"
                )
            if self.summary_col is None:
                self.summary_col = col
            at_top = col <= self.summary_col
            self.block = summary_line(self.top, content, at_top, self.block)
            return
        while len(self.stack) > 1 and col <= self.stack[-1].arrow:
            self.stack.pop()
        node = self.stack[-1]
        if node.body is None:
            node.body = col
        if self.marker is not None and col <= self.marker[1]:
            self.marker = None
        if content.startswith("->"):
            self._child(node, col, content[2:].strip())
        elif col <= node.body and _MARKER.match(content) and ":" not in content:
            self.marker = (content, col, node)
        elif col <= node.body and (found := _WORKER.match(content)):
            self.worker = (_worker(node, int(found.group(1)), found.group(2)), col)
        elif self.worker is not None and col > self.worker[1]:
            node_property(self.worker[0], content)
        else:
            self.worker = None
            node_property(node, content)

    def _child(self, parent: _Node, col: int, content: str) -> None:
        child = _header(content)
        child.arrow = col
        if self.marker is not None and self.marker[2] is parent and col > self.marker[1]:
            name = self.marker[0]
            child["Parent Relationship"] = "SubPlan" if name.startswith("SubPlan") else "InitPlan"
            child["Subplan Name"] = name
        else:
            child["Parent Relationship"] = _relationship(parent)
        parent.setdefault("Plans", []).append(child)
        self.stack.append(child)
        self.worker = None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _worker(node: dict[str, Any], number: int, rest: str) -> dict[str, Any]:
    """The node's worker ``number`` (created once), with what its first line says."""
    workers: list[dict[str, Any]] = node.setdefault("Workers", [])
    worker = next((w for w in workers if w.get("Worker Number") == number), None)
    if worker is None:
        worker = {"Worker Number": number}
        workers.append(worker)
    if found := _WORKER_ACTUAL.match(rest):
        _actuals(worker, found)
    elif rest:
        node_property(worker, rest)
    return worker


def _relationship(parent: dict[str, Any]) -> str:
    """Outer/Inner for the first/second child; Member under Append-like nodes."""
    if parent.get("Node Type") in ("Append", "Merge Append", "BitmapAnd", "BitmapOr"):
        return "Member"
    if parent.get("Node Type") == "Subquery Scan":
        return "Subquery"
    siblings = [p for p in parent.get("Plans", ()) if p.get("Parent Relationship") == "Outer"]
    return "Inner" if siblings else "Outer"


def _header(content: str) -> _Node:
    """A node from its header line: description, then cost and actual parentheses."""
    node = _Node()
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
