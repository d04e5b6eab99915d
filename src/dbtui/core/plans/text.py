"""The JSON form of an analysed plan (``dbtui explain --format json``, advice exports).

The text form is drawn by :mod:`dbtui.render.plan` (Rich), which the TUI uses too; the
number formats both share are in :mod:`dbtui.core.plans.format`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import fields
from enum import Enum
from typing import Any

from dbtui.core.plan import Buffers, Plan, PlanNode, Severity

# -- JSON --------------------------------------------------------------------------------------


def to_json(plan: Plan) -> dict[str, Any]:
    """The plan with every computed field, as JSON-ready dicts and lists.

    Node fields keep the model's names; ``children`` nest; severities are integers
    (0..3) with their name in ``severity_name``; non-finite numbers become ``None`` and
    values JSON cannot hold (dates, ObjectIds...) become strings. Built without
    recursion, so very deep plans are fine.
    """
    return {
        "engine": plan.engine,
        "statement": plan.statement,
        "analysed": plan.analysed,
        "summary": _dataclass_dict(plan.summary),
        "root": _node_tree(plan.root),
    }


def _node_tree(root: PlanNode) -> dict[str, Any]:
    order = list(_preorder(root))
    built: dict[int, dict[str, Any]] = {}
    for node in reversed(order):
        entry = _dataclass_dict(node, skip="children")
        entry["children"] = [built.pop(id(child)) for child in node.children]
        built[id(node)] = entry
    return built[id(root)]


def _preorder(root: PlanNode) -> Iterator[PlanNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _dataclass_dict(obj: Any, skip: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in fields(obj):
        if item.name == skip:
            continue
        value = getattr(obj, item.name)
        out[item.name] = _jsonable(value)
        if isinstance(value, Severity):
            out[f"{item.name}_name"] = value.name.lower()
    if isinstance(obj, Buffers):
        out["total"] = obj.total
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Severity):
        return int(value)
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return _dataclass_dict(value)
    return str(value)
