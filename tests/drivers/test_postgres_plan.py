"""PostgreSQL JSON plans written by hand, with exact hand-computed numbers.

Every expected value below is worked out in the comment next to it from the plan's raw
fields; none of them was copied from the parser's output.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dbtui.core.errors import DbtuiError
from dbtui.core.plan import Plan, PlanNode, Severity
from dbtui.drivers.postgres.plans.findings import index_candidates
from dbtui.drivers.postgres.plans.parse import node_label, parse_postgres_plan


def node(
    node_type: str, total_ms: float | None = None, loops: int = 1, **extra: Any
) -> dict[str, Any]:
    """A plan node: ``Actual Total Time`` per loop, 10 rows per loop unless overridden."""
    raw: dict[str, Any] = {"Node Type": node_type, "Plan Rows": 10, "Actual Rows": 10}
    if total_ms is not None:
        raw.update({"Actual Total Time": total_ms, "Actual Loops": loops})
    raw.update({k.replace("_", " "): v for k, v in extra.items()})
    return raw


def kids(parent: dict[str, Any], *children: dict[str, Any]) -> dict[str, Any]:
    parent["Plans"] = list(children)
    return parent


def plan_of(root: dict[str, Any], execution_ms: float | None = None, **top: Any) -> Plan:
    document: dict[str, Any] = {"Plan": root, **{k.replace("_", " "): v for k, v in top.items()}}
    if execution_ms is not None:
        document["Execution Time"] = execution_ms
    return parse_postgres_plan([document])


def by_label(plan: Plan) -> dict[str, PlanNode]:
    return {n.label: n for n in plan.root.walk()}


def codes(n: PlanNode) -> set[str]:
    return {f.code for f in n.findings}


def test_gather_divides_by_launched_workers_plus_leader() -> None:
    """Finalize Aggregate > Gather (3 planned, 2 launched) > Partial Aggregate > Parallel Seq Scan."""
    scan = node(
        "Seq Scan", 40.0, loops=3, Parallel_Aware=True, Relation_Name="orders",
        Actual_Rows=1000, Plan_Rows=50, Filter="(amount > 10)", Rows_Removed_by_Filter=50000,
        Total_Cost=700.0,
    )  # fmt: skip
    partial = kids(node("Aggregate", 60.0, loops=3, Partial_Mode="Partial", Total_Cost=800.0), scan)
    gather = kids(
        node("Gather", 90.0, Workers_Planned=3, Workers_Launched=2, Total_Cost=900.0), partial
    )
    final = kids(node("Aggregate", 100.0, Partial_Mode="Finalize", Total_Cost=1000.0), gather)
    plan = plan_of(final, execution_ms=110.0)
    nodes = [plan.root, *plan.root.children]
    nodes += [nodes[1].children[0], nodes[1].children[0].children[0]]
    top, gather_n, partial_n, scan_n = nodes
    # inclusive = Actual Total Time x loops / (2 workers + leader): 60*3/3, 40*3/3
    assert [n.inclusive_ms for n in nodes] == pytest.approx([100.0, 90.0, 60.0, 40.0])
    # exclusive = inclusive - child inclusive: 100-90, 90-60, 60-40, 40
    assert [n.exclusive_ms for n in nodes] == pytest.approx([10.0, 30.0, 20.0, 40.0])
    assert sum(n.exclusive_ms or 0 for n in nodes) <= 110.0
    # share of the 110 ms execution time
    assert [n.time_share for n in nodes] == pytest.approx([10 / 110, 30 / 110, 20 / 110, 40 / 110])
    # rows: 1000 per loop x 3 loops; estimate 50 x 3; factor 1000/50 = 20, under-estimated
    assert scan_n.actual_rows == 3000
    assert scan_n.estimated_rows == 150
    assert scan_n.misestimate == pytest.approx(20.0)
    assert scan_n.misestimate_under is True
    # removed: 50000 per loop x 3 = 150000 of 153000 read
    assert scan_n.rows_removed == 150000
    assert scan_n.removed_share == pytest.approx(150000 / 153000)
    # exclusive costs 1000-900, 900-800, 800-700, 700; shares of the largest total cost, 1000
    assert [n.exclusive_cost for n in nodes] == pytest.approx([100.0, 100.0, 100.0, 700.0])
    assert scan_n.cost_share == pytest.approx(0.7)
    assert codes(gather_n) == {"fewer-workers"}
    assert codes(scan_n) == {"seq-scan-filter"}
    # 36 % of the time is level 1, misestimate 20x is level 1, the finding is MEDIUM
    assert scan_n.severity == Severity.MEDIUM
    assert gather_n.severity == Severity.LOW  # 27 % share; fewer-workers is LOW
    assert top.severity == Severity.NONE  # 9 % share
    assert partial_n.label == "Partial Aggregate"
    assert scan_n.label == "Parallel Seq Scan on orders"


def test_node_run_by_one_process_under_gather_is_not_divided() -> None:
    """A non-partial Parallel Append member runs in one process (loops=1): no division.

    PEV2 divides by workers+1 regardless; dividing 30 ms by 3 would make the Append's own
    time look like 20 ms when it is 0.
    """
    member = node("Seq Scan", 30.0, loops=1, Relation_Name="small", Parent_Relationship="Member")
    append = kids(node("Append", 10.0, loops=3, Parallel_Aware=True), member)
    gather = kids(node("Gather", 35.0, Workers_Planned=2, Workers_Launched=2), append)
    plan = plan_of(gather, execution_ms=36.0)
    append_n = plan.root.children[0]
    assert append_n.inclusive_ms == pytest.approx(10.0)  # 10 x 3 / 3
    assert append_n.children[0].inclusive_ms == pytest.approx(30.0)  # 30 x 1 / min(3, 1)
    assert append_n.exclusive_ms == 0.0  # floored: 10 - 30 < 0


def test_initplan_time_is_taken_off_the_node_that_reads_its_value() -> None:
    """``SELECT * FROM t WHERE x > (SELECT avg(x) FROM t)``: the filter reads $0."""
    inner_scan = node("Seq Scan", 12.0, Relation_Name="t", Alias="t_1")
    agg = kids(
        node(
            "Aggregate", 20.0, Strategy="Plain", Parent_Relationship="InitPlan",
            Subplan_Name="InitPlan 1 (returns $0)",
        ),
        inner_scan,
    )  # fmt: skip
    outer = kids(node("Seq Scan", 50.0, Relation_Name="t", Filter="(x > $0)"), agg)
    plan = plan_of(outer, execution_ms=51.0)
    scan_n = plan.root
    agg_n = scan_n.children[0]
    assert scan_n.inclusive_ms == 50.0
    assert scan_n.exclusive_ms == pytest.approx(30.0)  # 50, InitPlan not a child, then - 20
    assert agg_n.exclusive_ms == pytest.approx(8.0)  # 20 - 12
    assert agg_n.children[0].exclusive_ms == pytest.approx(12.0)
    total = sum(n.exclusive_ms or 0 for n in plan.root.walk())
    assert total == pytest.approx(50.0)  # = root inclusive, <= 51 ms execution
    assert scan_n.time_share == pytest.approx(30.0 / 51.0)
    assert agg_n.subplan_name == "InitPlan 1 (returns $0)"
    assert agg_n.parent_relationship == "InitPlan"


def test_initplan_token_does_not_match_a_longer_parameter_number() -> None:
    """PEV2 bug: ``$1`` matched ``$10``. Here $10 is someone else's; $1 is read by ``b``."""
    init = node(
        "Result", 5.0, Parent_Relationship="InitPlan", Subplan_Name="InitPlan 1 (returns $1)"
    )
    a = node("Seq Scan", 40.0, Relation_Name="a", Filter="(a.x = $10)", Parent_Relationship="Outer")
    b = node("Index Scan", 0.5, loops=100, Relation_Name="b", Index_Name="b_pkey",
             Filter="(b.y > $1)", Parent_Relationship="Inner")  # fmt: skip
    loop = kids(node("Nested Loop", 100.0, Join_Type="Inner"), init, a, b)
    plan = plan_of(loop, execution_ms=101.0)
    nodes = by_label(plan)
    assert nodes["Seq Scan on a"].exclusive_ms == pytest.approx(40.0)
    # b: 0.5 x 100 loops = 50 inclusive, minus the 5 ms InitPlan it read
    assert nodes["Index Scan using b_pkey on b"].exclusive_ms == pytest.approx(45.0)
    assert nodes["Nested Loop (Inner)"].exclusive_ms == pytest.approx(10.0)  # 100 - 40 - 50
    assert sum(n.exclusive_ms or 0 for n in plan.root.walk()) == pytest.approx(100.0)


def test_initplan_with_ten_or_more_is_matched_whole() -> None:
    """PEV2 bug: ``[1-9]+`` cut ``InitPlan 10`` to ``InitPlan 1``; PG17 names have no $k."""
    init = node("Result", 6.0, Parent_Relationship="InitPlan", Subplan_Name="InitPlan 10")
    user = node("Seq Scan", 20.0, Relation_Name="u", Filter="(u.x = (InitPlan 10).col1)")
    other = node("Seq Scan", 20.0, Relation_Name="o", Filter="(o.x = (InitPlan 1).col1)")
    append = kids(node("Append", 41.0), init, user, other)
    nodes = by_label(plan_of(append, execution_ms=41.0))
    assert nodes["Seq Scan on u"].exclusive_ms == pytest.approx(14.0)
    assert nodes["Seq Scan on o"].exclusive_ms == pytest.approx(20.0)


def test_unreferenced_initplan_is_charged_to_its_parent() -> None:
    """``SELECT (SELECT max(x) FROM t)`` without VERBOSE: Result shows no Output to match."""
    init = kids(
        node("Aggregate", 9.0, Parent_Relationship="InitPlan",
             Subplan_Name="InitPlan 1 (returns $0)"),
        node("Seq Scan", 7.0, Relation_Name="t"),
    )  # fmt: skip
    plan = plan_of(kids(node("Result", 9.5), init), execution_ms=10.0)
    assert plan.root.exclusive_ms == pytest.approx(0.5)  # 9.5 - 9
    assert sum(n.exclusive_ms or 0 for n in plan.root.walk()) == pytest.approx(9.5)


def test_cte_share_uses_exclusive_time_in_numerator_and_denominator() -> None:
    """PEV2 bug: it took ``cte x incl(scan) / sum(excl)``, removing 15 ms of a 10 ms CTE."""
    cte = node("Seq Scan", 10.0, Relation_Name="t", Parent_Relationship="InitPlan",
               Subplan_Name="CTE c")  # fmt: skip
    sub = node("Index Scan", 0.2, loops=100, Relation_Name="s", Index_Name="s_pkey",
               Parent_Relationship="SubPlan", Subplan_Name="SubPlan 2")  # fmt: skip
    scan = kids(node("CTE Scan", 60.0, CTE_Name="c", Alias="c", Filter="(SubPlan 2)"), cte, sub)
    plan = plan_of(scan, execution_ms=61.0)
    # 60 - 20 (SubPlan: 0.2 x 100) = 40, then the CTE's 10 ms: 40 - 10 x 40/40 = 30
    assert plan.root.exclusive_ms == pytest.approx(30.0)
    assert sum(n.exclusive_ms or 0 for n in plan.root.walk()) == pytest.approx(60.0)


def test_cte_read_by_two_scans_is_split_by_their_exclusive_times() -> None:
    cte = node("Seq Scan", 30.0, Relation_Name="t", Parent_Relationship="InitPlan",
               Subplan_Name="CTE c")  # fmt: skip
    c1 = node("CTE Scan", 40.0, CTE_Name="c", Alias="c1", Parent_Relationship="Outer")
    c2 = node("CTE Scan", 30.0, CTE_Name="c", Alias="c2", Parent_Relationship="Outer")
    hash_n = kids(node("Hash", 35.0, Parent_Relationship="Inner"), c2)
    join = kids(node("Hash Join", 100.0, Join_Type="Inner"), cte, c1, hash_n)
    nodes = by_label(plan_of(join, execution_ms=100.0))
    assert nodes["Hash Join (Inner)"].exclusive_ms == pytest.approx(25.0)  # 100 - 40 - 35
    assert nodes["CTE Scan on c c1"].exclusive_ms == pytest.approx(40 - 30 * 40 / 70)
    assert nodes["CTE Scan on c c2"].exclusive_ms == pytest.approx(30 - 30 * 30 / 70)
    assert nodes["Hash"].exclusive_ms == pytest.approx(5.0)
    assert sum(n.exclusive_ms or 0 for n in nodes.values()) == pytest.approx(100.0)


def test_never_executed_side_of_a_nested_loop() -> None:
    outer = node("Index Scan", 0.004, Relation_Name="c", Index_Name="c_pkey", Actual_Rows=0,
                 Plan_Rows=1, Parent_Relationship="Outer")  # fmt: skip
    inner = node("Index Scan", 0.0, loops=0, Relation_Name="o", Index_Name="o_pkey",
                 Actual_Rows=0, Plan_Rows=1, Parent_Relationship="Inner",
                 Total_Cost=8.44)  # fmt: skip
    loop = kids(node("Nested Loop", 0.005, Join_Type="Inner", Actual_Rows=0, Plan_Rows=1,
                     Total_Cost=12.75), outer, inner)  # fmt: skip
    plan = plan_of(loop, execution_ms=0.05)
    outer_n, inner_n = plan.root.children
    assert inner_n.never_executed
    assert not outer_n.never_executed
    assert inner_n.misestimate is None  # no rows to compare
    assert inner_n.severity == Severity.NONE  # a 66 % cost share would otherwise flag it
    assert outer_n.misestimate == 1.0  # 0 found, 1 expected: not a misestimate
    assert inner_n.estimated_rows == 1.0  # Plan Rows x max(loops, 1)


@pytest.mark.parametrize(
    ("actual", "planned", "factor", "under", "level"),
    [
        (10, 10, 1.0, None, Severity.NONE),
        (110, 10, 11.0, True, Severity.LOW),
        (10, 1010, 101.0, False, Severity.MEDIUM),
        (20020, 20, 1001.0, True, Severity.HIGH),
        (0, 5000, 5000.0, False, Severity.HIGH),  # 0 counts as 1
        (1000, 100, 10.0, True, Severity.NONE),  # exactly 10x is not "over 10"
    ],
)
def test_misestimate_factor_direction_and_severity(
    actual: float, planned: float, factor: float, under: bool | None, level: Severity
) -> None:
    plan = plan_of(node("Seq Scan", 1.0, Actual_Rows=actual, Plan_Rows=planned), 1000.0)
    assert plan.root.misestimate == pytest.approx(factor)
    assert plan.root.misestimate_under is under
    assert plan.root.severity == level  # time share 0.1 % adds nothing


@pytest.mark.parametrize(
    ("excl", "level"),
    [(10.0, Severity.NONE), (10.5, Severity.LOW), (40.5, Severity.MEDIUM), (90.5, Severity.HIGH)],
)
def test_time_share_severity(excl: float, level: Severity) -> None:
    """Child takes (100 - excl) ms, the root keeps ``excl`` of a 100 ms execution."""
    child = node("Seq Scan", 100.0 - excl, Relation_Name="t")
    plan = plan_of(kids(node("Sort", 100.0), child), execution_ms=100.0)
    assert plan.root.exclusive_ms == pytest.approx(excl)
    assert plan.root.severity == level


def test_estimate_only_plan_uses_cost_share() -> None:
    scan = {"Node Type": "Seq Scan", "Relation Name": "t", "Total Cost": 900.0, "Plan Rows": 5}
    root = {"Node Type": "Sort", "Total Cost": 1000.0, "Plan Rows": 5, "Plans": [scan]}
    plan = parse_postgres_plan({"Plan": root})
    assert plan.analysed is False
    assert plan.root.inclusive_ms is None
    assert plan.root.exclusive_ms is None
    assert plan.root.exclusive_cost == pytest.approx(100.0)
    assert plan.root.cost_share == pytest.approx(0.1)
    assert plan.root.severity == Severity.NONE  # exactly 10 %
    assert plan.root.children[0].severity == Severity.MEDIUM  # 90 % is not over 90 %
    assert plan.root.children[0].cost_share == pytest.approx(0.9)
    assert plan.root.estimated_rows == 5


def test_exclusive_buffers_skip_initplans_but_subtract_subplans() -> None:
    def blocks(hit: int, read: int = 0) -> dict[str, int]:
        return {"Shared_Hit_Blocks": hit, "Shared_Read_Blocks": read, "Temp_Written_Blocks": 0}

    init = node("Result", 1.0, Parent_Relationship="InitPlan",
                Subplan_Name="InitPlan 1 (returns $0)", **blocks(5))  # fmt: skip
    sub = node("Index Scan", 0.01, loops=100, Parent_Relationship="SubPlan",
               Subplan_Name="SubPlan 2", **blocks(300, 2))  # fmt: skip
    scan = kids(node("Seq Scan", 9.0, Relation_Name="t", Filter="(x > $0) AND (SubPlan 2)",
                     **blocks(500, 10)), init, sub)  # fmt: skip
    plan = plan_of(scan, execution_ms=10.0)
    root = plan.root
    assert root.buffers is not None
    # 500 - 300 (SubPlan) - 5 (InitPlan read by this node's filter) = 195; read 10 - 2 = 8
    assert root.buffers.shared_hit == 195
    assert root.buffers.shared_read == 8
    assert root.children[1].buffers is not None
    assert root.children[1].buffers.shared_hit == 300


def test_spill_and_bitmap_findings() -> None:
    sort = node("Sort", 5.0, Sort_Method="external merge", Sort_Space_Type="Disk",
                Sort_Space_Used=4736)  # fmt: skip
    hash_grew = node("Hash", 1.0, Hash_Batches=16, Original_Hash_Batches=4)
    hash_spill = node("Hash", 1.0, Hash_Batches=8, Original_Hash_Batches=8)
    agg = node("Aggregate", 1.0, Strategy="Hashed", HashAgg_Batches=5, Disk_Usage=1024)
    bitmap = node("Bitmap Heap Scan", 1.0, Relation_Name="t", Lossy_Heap_Blocks=12,
                  Exact_Heap_Blocks=3)  # fmt: skip
    ios = node("Index Only Scan", 1.0, Relation_Name="t", Index_Name="t_idx", Actual_Rows=100,
               Heap_Fetches=95)  # fmt: skip
    worker_sort = node("Sort", 1.0, loops=3, Sort_Method="quicksort", Sort_Space_Type="Memory",
                       Workers=[{"Worker Number": 0, "Sort Method": "external merge",
                                 "Sort Space Type": "Disk", "Sort Space Used": 560}])  # fmt: skip
    root = kids(node("Append", 20.0), sort, hash_grew, hash_spill, agg, bitmap, ios, worker_sort)
    found = [codes(n) for n in plan_of(root, execution_ms=20.0).root.children]
    assert found == [
        {"sort-spill"},
        {"hash-batches-grew"},
        {"hash-spill"},
        {"hashagg-spill"},
        {"lossy-bitmap"},
        {"heap-fetches"},
        {"sort-spill"},
    ]
    ios_finding = plan_of(ios, 20.0).root.findings[0]
    assert ios_finding.severity == Severity.HIGH  # 95 fetches for 100 rows: 95 % > 90 %
    assert "4,736 kB" in plan_of(sort, 20.0).root.findings[0].message


def test_seq_scan_filter_thresholds_and_index_candidate() -> None:
    def scan(rows: int, removed: int) -> dict[str, Any]:
        return node("Seq Scan", 1.0, Relation_Name="orders", Schema="public", Alias="o",
                    Actual_Rows=rows, Plan_Rows=rows, Filter="(o.amount > 10)",
                    Rows_Removed_by_Filter=removed)  # fmt: skip

    flagged = plan_of(scan(900, 9100), 100.0)  # 10,000 read, 91 % removed
    assert codes(flagged.root) == {"seq-scan-filter"}
    assert codes(plan_of(scan(899, 9100), 100.0).root) == set()  # 9,999 read
    assert codes(plan_of(scan(1000, 9000), 100.0).root) == set()  # exactly 90 %
    (candidate,) = index_candidates(flagged)
    assert (candidate.relation, candidate.schema, candidate.alias) == ("orders", "public", "o")
    assert candidate.filter == "(o.amount > 10)"
    assert candidate.rows_read == 10000
    assert "(o.amount > 10)" in flagged.root.findings[0].message


def test_summary_triggers_jit_settings() -> None:
    root = node("ModifyTable", 0.09, Operation="Delete", Relation_Name="customers", Actual_Rows=0)
    plan = plan_of(
        root,
        execution_ms=100.0,
        Planning_Time=0.14,
        Triggers=[
            {"Trigger Name": "RI_ConstraintTrigger_a_1", "Constraint Name": "orders_fk",
             "Relation": "customers", "Time": 43.0, "Calls": 1},
            {"Trigger Name": "audit", "Relation": "customers", "Time": 5.0, "Calls": 1},
        ],
        JIT={"Functions": 11, "Timing": {"Generation": {"Deform": 0.1, "Total": 1.0},
                                          "Total": 30.0}},
        Settings={"work_mem": "64kB"},
    )  # fmt: skip
    summary = plan.summary
    assert summary.planning_ms == 0.14
    assert summary.execution_ms == 100.0
    assert [(t.name, t.constraint, t.time_ms, t.calls) for t in summary.triggers] == [
        ("RI_ConstraintTrigger_a_1", "orders_fk", 43.0, 1),
        ("audit", None, 5.0, 1),
    ]
    assert (summary.jit_ms, summary.jit_functions) == (30.0, 11)
    assert summary.settings == {"work_mem": "64kB"}
    # 43 % -> MEDIUM trigger finding; 5 % trigger not reported; JIT 30 % -> LOW
    assert [(f.code, f.severity) for f in summary.findings] == [
        ("trigger-time", Severity.MEDIUM),
        ("jit-time", Severity.LOW),
    ]
    assert plan.root.label == "ModifyTable (Delete) on customers"


def test_planning_time_key() -> None:
    plan = parse_postgres_plan({"Plan": node("Result", 0.01), "Planning Time": 0.25})
    assert plan.summary.planning_ms == 0.25
    assert plan.analysed is True  # Actual Loops present


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ({"Node Type": "Seq Scan", "Relation Name": "orders", "Alias": "orders"},
         "Seq Scan on orders"),
        ({"Node Type": "Index Scan", "Index Name": "idx", "Relation Name": "t", "Alias": "x"},
         "Index Scan using idx on t x"),
        ({"Node Type": "Index Only Scan", "Scan Direction": "Backward", "Index Name": "i",
          "Relation Name": "t", "Alias": "t"}, "Index Only Scan Backward using i on t"),
        ({"Node Type": "Bitmap Index Scan", "Index Name": "idx"}, "Bitmap Index Scan on idx"),
        ({"Node Type": "Hash Join", "Join Type": "Inner"}, "Hash Join (Inner)"),
        ({"Node Type": "Aggregate", "Strategy": "Hashed"}, "Aggregate (Hashed)"),
        ({"Node Type": "Aggregate", "Strategy": "Plain"}, "Aggregate"),
        ({"Node Type": "SetOp", "Strategy": "Hashed", "Command": "Except"},
         "SetOp (Hashed Except)"),
        ({"Node Type": "CTE Scan", "CTE Name": "big", "Alias": "b"}, "CTE Scan on big b"),
        ({"Node Type": "Seq Scan", "Relation Name": "t", "Schema": "s", "Alias": "t"},
         "Seq Scan on s.t"),
        ({"Node Type": "Subquery Scan", "Alias": "sub"}, "Subquery Scan on sub"),
    ],
)  # fmt: skip
def test_labels(raw: dict[str, Any], label: str) -> None:
    assert node_label(raw) == label


def test_input_shapes() -> None:
    document = [{"Plan": node("Result", 0.01), "Execution Time": 0.02}]
    text = json.dumps(document, indent=2)
    framed = " QUERY PLAN\n-----------\n" + "\n".join(f" {ln} +" for ln in text.splitlines())
    for shape in (document, document[0], text, text.encode(), framed + "\n(1 row)\n",
                  {"QUERY PLAN": document}, document[0]["Plan"]):  # fmt: skip
        assert parse_postgres_plan(shape).root.node_type == "Result"
    for bad in ("not json", [], [{"x": 1}], 42, [document[0], document[0]]):
        with pytest.raises(DbtuiError):
            parse_postgres_plan(bad)


def test_pg18_fractional_rows_and_timing_off() -> None:
    """PG18 prints per-loop Actual Rows with decimals; TIMING OFF drops the time keys."""
    scan = {"Node Type": "Index Scan", "Plan Rows": 1, "Actual Rows": 0.5, "Actual Loops": 4,
            "Index Searches": 4}  # fmt: skip
    plan = parse_postgres_plan({"Plan": scan, "Execution Time": 1.0})
    assert plan.root.actual_rows == pytest.approx(2.0)
    assert plan.root.inclusive_ms is None
    assert plan.root.exclusive_ms is None
    assert plan.root.misestimate == 1.0
    assert plan.root.raw["Index Searches"] == 4


def test_raw_fields_kept_without_children_and_input_untouched() -> None:
    child = node("Seq Scan", 1.0, Relation_Name="t", Filter="(a = 1)")
    root = kids(node("Limit", 1.5), child)
    snapshot = json.dumps(root, sort_keys=True)
    plan = plan_of(root, 2.0)
    assert "Plans" not in plan.root.raw
    assert plan.root.children[0].raw["Filter"] == "(a = 1)"
    assert json.dumps(root, sort_keys=True) == snapshot
