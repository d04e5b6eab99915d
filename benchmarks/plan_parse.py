"""Time parsing + analysing a synthetic 2,000-node PostgreSQL plan (and rendering it).

Run: ``.venv/bin/python benchmarks/plan_parse.py [nodes]``. Prints the best of 5 runs per
step; no thresholds are asserted here (the UI target is "well under a second").
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

from dbtui.core.plans.text import to_json
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan, parse_postgres_text_plan
from dbtui.render.plan import render_text


def scan(i: int, loops: int = 1) -> dict[str, Any]:
    return {
        "Node Type": "Seq Scan", "Parent Relationship": "Member", "Relation Name": f"part_{i}",
        "Alias": f"p{i}", "Startup Cost": 0.0, "Total Cost": 100.0 + i, "Plan Rows": 50,
        "Plan Width": 8, "Actual Startup Time": 0.01, "Actual Total Time": 0.2,
        "Actual Rows": 40, "Actual Loops": loops, "Filter": f"(p{i}.v > $0)",
        "Rows Removed by Filter": 12000, "Shared Hit Blocks": 30, "Shared Read Blocks": 2,
    }  # fmt: skip


def join(i: int) -> dict[str, Any]:
    """Hash Join (Member) > [Seq Scan, Hash > Seq Scan]: four nodes."""
    inner = scan(i + 100000)
    inner["Parent Relationship"] = "Outer"
    hashed = {"Node Type": "Hash", "Parent Relationship": "Inner", "Total Cost": 120.0,
              "Plan Rows": 50, "Actual Total Time": 0.3, "Actual Rows": 40, "Actual Loops": 1,
              "Hash Batches": 1, "Original Hash Batches": 1, "Plans": [inner]}  # fmt: skip
    outer = scan(i)
    outer["Parent Relationship"] = "Outer"
    return {"Node Type": "Hash Join", "Join Type": "Inner", "Parent Relationship": "Member",
            "Total Cost": 400.0, "Plan Rows": 60, "Actual Total Time": 0.9, "Actual Rows": 40,
            "Actual Loops": 1, "Hash Cond": f"(p{i}.id = p{i + 100000}.id)",
            "Plans": [outer, hashed]}  # fmt: skip


def synthetic_plan(nodes: int) -> list[dict[str, Any]]:
    """Aggregate > Append of 4-node joins, an InitPlan and a CTE: about ``nodes`` nodes."""
    members = [join(i) for i in range(max(1, (nodes - 4) // 4))]
    init = {"Node Type": "Result", "Parent Relationship": "InitPlan",
            "Subplan Name": "InitPlan 1 (returns $0)", "Total Cost": 0.01, "Plan Rows": 1,
            "Actual Total Time": 0.01, "Actual Rows": 1, "Actual Loops": 1}  # fmt: skip
    cte = dict(scan(999999), **{"Parent Relationship": "InitPlan", "Subplan Name": "CTE c"})
    append = {"Node Type": "Append", "Parent Relationship": "Outer", "Total Cost": 1e6,
              "Plan Rows": 30000, "Actual Total Time": 500.0, "Actual Rows": 20000,
              "Actual Loops": 1, "Plans": members}  # fmt: skip
    root = {"Node Type": "Aggregate", "Strategy": "Plain", "Total Cost": 1.1e6, "Plan Rows": 1,
            "Actual Total Time": 520.0, "Actual Rows": 1, "Actual Loops": 1,
            "Plans": [init, cte, append]}  # fmt: skip
    return [{"Plan": root, "Planning Time": 3.0, "Execution Time": 530.0}]


def best_of(runs: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    document = synthetic_plan(size)
    text = json.dumps(document)
    plan = parse_postgres_plan(text)
    count = sum(1 for _ in to_json_nodes(plan))
    psql_text = render_psql(document)
    print(f"synthetic PostgreSQL plan: {count} nodes, {len(text):,} bytes of JSON")
    print(f"parse + analyse (JSON text)   {best_of(5, lambda: parse_postgres_plan(text)):8.1f} ms")
    print(
        f"parse + analyse (psql text)   {best_of(5, lambda: parse_postgres_text_plan(psql_text)):8.1f} ms"
    )
    print(f"render_text                   {best_of(5, lambda: render_text(plan)):8.1f} ms")
    print(f"to_json                       {best_of(5, lambda: to_json(plan)):8.1f} ms")


def to_json_nodes(plan: Any) -> list[Any]:
    out, stack = [], [plan.root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


def render_psql(document: list[dict[str, Any]]) -> str:
    """A psql-like text rendering of the synthetic plan, to time the text parser too."""
    lines: list[str] = []
    stack: list[tuple[dict[str, Any], int, bool]] = [(document[0]["Plan"], 1, True)]
    while stack:
        raw, col, is_root = stack.pop()
        head = "" if is_root else "->  "
        name = raw["Node Type"] + (f" on {raw['Relation Name']}" if "Relation Name" in raw else "")
        cost = f"(cost=0.00..{raw['Total Cost']:.2f} rows={raw['Plan Rows']} width=8)"
        actual = (f"(actual time=0.001..{raw['Actual Total Time']:.3f} "
                  f"rows={raw['Actual Rows']} loops={raw['Actual Loops']})")  # fmt: skip
        if raw.get("Subplan Name"):
            lines.append(" " * (col - 2) + raw["Subplan Name"])
        lines.append(" " * col + f"{head}{name}  {cost} {actual}")
        body = col + (2 if is_root else 6)
        if "Filter" in raw:
            lines.append(" " * body + f"Filter: {raw['Filter']}")
        for kid in reversed(raw.get("Plans", [])):
            stack.append((kid, body + 2 if kid.get("Subplan Name") else body, False))
    lines += [" Planning Time: 3.000 ms", " Execution Time: 530.000 ms"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
