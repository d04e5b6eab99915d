"""The plain-text renderer and the JSON export, for plans with and without timings."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

import pytest

from dbtui.core.plan import Buffers, Finding, Plan, PlanNode, PlanSummary, Severity, TriggerTime
from dbtui.core.plans.format import summary_line
from dbtui.core.plans.text import to_json
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan
from dbtui.render.plan import render_text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def analysed_plan() -> Plan:
    """Sort > Nested Loop > (Seq Scan filtered, Index Scan never executed) + an InitPlan."""
    scan = {"Node Type": "Seq Scan", "Relation Name": "orders", "Alias": "orders",
            "Parent Relationship": "Outer", "Plan Rows": 10, "Actual Rows": 0,
            "Actual Total Time": 40.0, "Actual Loops": 2, "Filter": "(amount > 10)",
            "Rows Removed by Filter": 10000, "Total Cost": 400.0}  # fmt: skip
    never = {"Node Type": "Index Scan", "Index Name": "c_pkey", "Relation Name": "c",
             "Alias": "c", "Parent Relationship": "Inner", "Plan Rows": 1, "Actual Rows": 0,
             "Actual Total Time": 0.0, "Actual Loops": 0, "Total Cost": 8.0}  # fmt: skip
    init = {"Node Type": "Result", "Parent Relationship": "InitPlan",
            "Subplan Name": "InitPlan 1 (returns $0)", "Plan Rows": 1, "Actual Rows": 1,
            "Actual Total Time": 0.5, "Actual Loops": 1, "Total Cost": 0.01}  # fmt: skip
    loop = {"Node Type": "Nested Loop", "Join Type": "Inner", "Parent Relationship": "Outer",
            "Plan Rows": 300, "Actual Rows": 3000, "Actual Total Time": 85.0, "Actual Loops": 1,
            "Total Cost": 410.0, "Plans": [scan, never]}  # fmt: skip
    sort = {"Node Type": "Sort", "Plan Rows": 5000, "Actual Rows": 400, "Actual Total Time": 95.0,
            "Actual Loops": 1, "Sort Method": "external merge", "Sort Space Type": "Disk",
            "Sort Space Used": 100, "Total Cost": 500.0, "Plans": [init, loop]}  # fmt: skip
    return parse_postgres_plan(
        {"Plan": sort, "Planning Time": 0.2, "Execution Time": 100.0,
         "Triggers": [{"Trigger Name": "audit", "Relation": "orders", "Time": 1.5,
                       "Calls": 2}],
         "JIT": {"Functions": 3, "Timing": {"Total": 12.5}}, "Settings": {"work_mem": "64kB"}},
        "SELECT ...",
    )  # fmt: skip


def test_columns_tree_guides_and_markers() -> None:
    text = render_text(analysed_plan(), width=0)
    lines = text.splitlines()
    header = lines[0]
    for title in ("excl ms", "%time", "rows", "est", "x est", "loops", "node"):
        assert title in header
    tree = lines[1:6]
    assert tree[0].endswith("Sort  ⚠ sort-spill")
    assert "├─ [InitPlan 1 (returns $0)] Result" in tree[1]
    assert "└─ Nested Loop (Inner)" in tree[2]
    assert "   ├─ Seq Scan on orders  ⚠ seq-scan-filter" in tree[3]
    assert "   └─ Index Scan using c_pkey on c (never executed)" in tree[4]
    # metric columns are right-aligned on the header's column ends
    end = header.index("excl ms") + len("excl ms")
    assert all(line[end - 1].isdigit() for line in tree)
    # Nested Loop: 3000 rows for 300 planned: under-estimated 10x
    assert re.search(r"3,000 +300 +↓10\.0x +1 ", tree[2])
    # Sort: 95 - 85 (Nested Loop) - 0.5 (InitPlan, read by no node: charged to its parent);
    # the time bar comes first: 9.5 % of 8 cells is one
    assert re.match(r"█░{7} +9\.500 +9\.5% +400 +5,000 +↑12\.5x +1 +!! +Sort", tree[0])
    # Seq Scan: 40 ms x 2 loops; 0 rows per loop (counted as 1) for 10 planned: 10x over
    assert re.match(r"█{6}░░ +80\.000 +80\.0% +0 +20 +↑10\.0x +2 !!! +", tree[3])
    assert "Trigger audit on orders: calls=2" in text
    assert "Findings:" in text
    assert "  Sort  ⚠ sort-spill (medium): The sort did not fit in work_mem" in text
    assert (
        "  Seq Scan on orders  ⚠ seq-scan-filter (high): Seq Scan on orders read 20,000 rows"
        in text
    )
    assert lines[-1] == (
        "postgresql plan · analysed · planning 0.200 ms · execution 100.000 ms · "
        "triggers 1.500 ms (1) · JIT 12.500 ms, 3 functions · 3 findings · "
        "settings work_mem=64kB"
    )


def test_width_limit_and_colour() -> None:
    plan = analysed_plan()
    plain = render_text(plan, width=60)
    assert all(len(line) <= 60 for line in plain.splitlines())
    assert "…" in plain
    coloured = render_text(plan, color=True, width=60)
    assert "\x1b[" in coloured
    assert "\x1b[2m" in coloured  # the never-executed node is dimmed
    assert ANSI.sub("", coloured) == plain


def sqlite_like_plan() -> Plan:
    """No timings, rows or costs at all: what the SQLite parser produces."""
    temp = PlanNode(
        node_type="USE TEMP B-TREE",
        label="USE TEMP B-TREE FOR ORDER BY",
        findings=(Finding("temp-btree", Severity.LOW, "A temporary b-tree sorts the rows."),),
        severity=Severity.LOW,
    )
    scan = PlanNode(node_type="SCAN", label="SCAN orders", relation="orders")
    root = PlanNode(node_type="QUERY PLAN", label="QUERY PLAN", children=(scan, temp))
    return Plan(engine="sqlite", statement="SELECT * FROM orders ORDER BY x", root=root)


def test_plan_without_timings_renders_as_a_bare_tree() -> None:
    text = render_text(sqlite_like_plan())
    lines = text.splitlines()
    assert lines[0].strip() == "node"
    assert lines[1].strip() == "QUERY PLAN"
    assert lines[2].endswith("├─ SCAN orders")
    assert lines[3].endswith("└─ USE TEMP B-TREE FOR ORDER BY  ⚠ temp-btree")
    assert lines[3].startswith("!")
    assert (
        "  USE TEMP B-TREE FOR ORDER BY  ⚠ temp-btree (low): A temporary b-tree sorts the rows."
        in text
    )
    assert "ms" not in text
    assert summary_line(sqlite_like_plan()) == "sqlite plan · estimated · 1 finding"


def test_estimate_only_plan_shows_cost_columns() -> None:
    scan = {"Node Type": "Seq Scan", "Relation Name": "t", "Total Cost": 900.0, "Plan Rows": 5}
    plan = parse_postgres_plan({"Plan": {"Node Type": "Sort", "Total Cost": 1000.0,
                                         "Plan Rows": 5, "Plans": [scan]}})  # fmt: skip
    text = render_text(plan)
    assert text.splitlines()[0].split() == ["cost", "excl", "cost", "%cost", "est", "node"]
    assert "estimated cost 1,000" in text


def test_json_export_has_every_field_and_is_strict_json() -> None:
    plan = analysed_plan()
    data = to_json(plan)
    text = json.dumps(data, allow_nan=False)
    root = data["root"]
    node_fields = {f.name for f in fields(PlanNode)}
    assert node_fields <= set(root)
    assert {f.name for f in fields(PlanSummary)} <= set(data["summary"])
    assert root["severity"] == 2
    assert root["severity_name"] == "medium"
    assert root["findings"][0]["code"] == "sort-spill"
    assert root["children"][1]["children"][1]["never_executed"] is True
    assert data["summary"]["triggers"][0]["calls"] == 2
    assert data["analysed"] is True
    assert data["statement"] == "SELECT ..."
    assert "Plans" not in text


def test_json_export_replaces_non_finite_numbers_and_keeps_buffers_total() -> None:
    node = PlanNode(
        node_type="X",
        label="X",
        misestimate=float("inf"),
        buffers=Buffers(shared_hit=3, temp_read=2),
        raw={"when": object()},
    )
    plan = Plan(
        engine="test",
        statement="",
        root=node,
        summary=PlanSummary(triggers=(TriggerTime("t", None, 1.0, 1),)),
    )
    data = to_json(plan)
    json.dumps(data, allow_nan=False)
    assert data["root"]["misestimate"] is None
    assert data["root"]["buffers"]["total"] == 5
    assert isinstance(data["root"]["raw"]["when"], str)


@pytest.mark.parametrize("depth", [3000])
def test_very_deep_plan_renders_and_exports(depth: int) -> None:
    """Parsing, rendering and exporting never recurse, so depth is not limited by Python."""
    raw: dict[str, Any] = {"Node Type": "Result", "Plan Rows": 1, "Actual Rows": 1,
                 "Actual Total Time": 0.001, "Actual Loops": 1}  # fmt: skip
    top = raw
    for _ in range(depth):
        raw = {**raw, "Node Type": "Limit", "Plans": [raw]}
    top = raw
    plan = parse_postgres_plan({"Plan": top, "Execution Time": 1.0})
    text = render_text(plan, width=80)
    assert len(text.splitlines()) >= depth + 1
    data = to_json(plan)
    count = 0
    node = data["root"]
    while node["children"]:
        node = node["children"][0]
        count += 1
    assert count == depth


def test_server_text_in_a_plan_is_shown_escaped() -> None:
    """Labels, subplan names, finding messages and settings come from the server."""
    evil = "t\x1b]0;pwned\x07[/]\u202e[bold]x"
    node = PlanNode(
        node_type="Seq Scan",
        label=f"Seq Scan on {evil}",
        subplan_name=f"CTE {evil}",
        findings=(Finding("seq-scan-filter", Severity.HIGH, f"read {evil}", f"index {evil}"),),
        severity=Severity.HIGH,
    )
    plan = Plan("postgresql", "q", node, PlanSummary(settings={"search_path": evil}))
    for text in (render_text(plan), ANSI.sub("", render_text(plan, color=True))):
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "\u202e" not in text
        assert "[CTE t\\x1b]0;pwned\\x07[/]\\u202e[bold]x] Seq Scan on t\\x1b]0;" in text
        assert "search_path=t\\x1b]0;pwned" in text
