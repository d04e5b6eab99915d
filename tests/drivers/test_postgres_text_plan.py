"""psql TEXT plans (``EXPLAIN`` without FORMAT JSON), parsed into the same analysed model.

The fixtures were printed by PostgreSQL 15 and pasted verbatim (psql header and row count
included); every expected number below is computed by hand from the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dbtui.core.errors import DbtuiError
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan, parse_postgres_text_plan
from dbtui.drivers.postgres.plans.text import text_to_json

FIXTURES = Path(__file__).parent.parent / "fixtures" / "postgres-text"
PARALLEL = (FIXTURES / "parallel-sort-spill-verbose-pg15.txt").read_text()
DELETE = (FIXTURES / "delete-fk-trigger-verbose-pg15.txt").read_text()


def test_parallel_text_plan_tree_and_numbers() -> None:
    plan = parse_postgres_text_plan(PARALLEL, "SELECT ...")
    nodes = list(plan.root.walk())
    assert [n.label for n in nodes] == [
        "Finalize Aggregate (Sorted)",
        "Gather Merge",
        "Partial Aggregate (Sorted)",
        "Sort",
        "Parallel Seq Scan on public.orders",
    ]
    # inclusive: 55.643, 55.632, 38.271 x 3 / 3, 31.766 x 3 / 3, 10.695 x 3 / 3
    assert [n.exclusive_ms for n in nodes] == pytest.approx(
        [55.643 - 55.632, 55.632 - 38.271, 38.271 - 31.766, 31.766 - 10.695, 10.695]
    )
    assert nodes[3].time_share == pytest.approx((31.766 - 10.695) / 55.989)
    assert [n.loops for n in nodes] == [1, 1, 3, 3, 3]
    assert nodes[4].actual_rows == 65933 * 3
    assert nodes[4].estimated_rows == 82435 * 3
    assert nodes[4].rows_removed == 733 * 3
    assert [n.total_cost for n in nodes] == [14977.65, 14526.88, 14109.16, 13446.56, 3117.75]
    sort = nodes[3]
    assert sort.buffers is not None
    assert (sort.buffers.shared_hit, sort.buffers.temp_written) == (1982 - 1870, 885)
    assert [f.code for f in sort.findings] == ["sort-spill"]
    # the node line is the leader's own sort; the workers' sorts are listed apart: 1720+376+368
    assert "2,464 kB" in sort.findings[0].message
    workers = sort.raw["Workers"]
    assert isinstance(workers, list)
    assert [(w["Worker Number"], w["Sort Space Used"], w["Actual Rows"]) for w in workers] == [
        (0, 376, 28442),
        (1, 368, 27393),
    ]
    assert nodes[1].raw["Workers Launched"] == 2
    assert plan.summary.planning_ms == 0.32
    assert plan.summary.execution_ms == 55.989
    assert plan.summary.settings == {
        "min_parallel_table_scan_size": "0",
        "parallel_setup_cost": "0",
        "parallel_tuple_cost": "0",
        "work_mem": "64kB",
    }
    assert plan.statement == "SELECT ..."


def test_delete_text_plan_trigger_and_relationships() -> None:
    top = text_to_json(DELETE)
    assert top["Triggers"] == [
        {
            "Trigger Name": "RI_ConstraintTrigger_a_16399",
            "Constraint Name": "orders_customer_id_fkey",
            "Time": 9.472,
            "Calls": 1,
        }
    ]
    scan = top["Plan"]["Plans"][0]
    assert scan["Parent Relationship"] == "Outer"
    assert (scan["Schema"], scan["Relation Name"], scan["Index Name"]) == (
        "public",
        "customers",
        "customers_pkey",
    )
    assert scan["Index Cond"] == "(customers.id = 999999)"
    plan = parse_postgres_text_plan(DELETE)
    assert plan.root.label == "ModifyTable (Delete) on public.customers"
    assert [f.code for f in plan.summary.findings] == ["trigger-time"]  # 9.472 of 9.599 ms


def test_text_details_folded_into_numbers() -> None:
    text = """\
 Hash Join  (cost=1.00..2.00 rows=10 width=4) (actual time=0.100..5.000 rows=10 loops=1)
   Hash Cond: (a.id = b.id)
   ->  Bitmap Heap Scan on a  (cost=1.00..2.00 rows=1 width=4) (actual rows=10.50 loops=2)
         Recheck Cond: (x > 1)
         Rows Removed by Index Recheck: 100
         Heap Blocks: exact=12 lossy=34
         ->  Bitmap Index Scan on a_x  (cost=0.00..1.00 rows=1 width=0) (never executed)
   ->  Hash  (cost=1.00..1.00 rows=1 width=4) (actual time=1.000..1.000 rows=1 loops=1)
         Buckets: 65536 (originally 1024)  Batches: 16 (originally 1)  Memory Usage: 3073kB
         ->  Seq Scan on b  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.500 rows=1 loops=1)
               WAL: records=3 fpi=1 bytes=300
 Planning Time: 0.050 ms
 JIT:
   Functions: 4
   Options: Inlining false, Optimization false, Expressions true, Deforming true
   Timing: Generation 0.100 ms (Deform 0.020 ms), Inlining 0.000 ms, Total 1.250 ms
 Execution Time: 5.500 ms
"""
    top = text_to_json(text)
    join = top["Plan"]
    heap, hashed = join["Plans"]
    assert join["Join Type"] == "Inner"
    assert heap["Actual Rows"] == 10.5
    assert "Actual Total Time" not in heap  # TIMING OFF style "(actual rows=... loops=...)"
    assert (heap["Exact Heap Blocks"], heap["Lossy Heap Blocks"]) == (12, 34)
    assert heap["Plans"][0]["Actual Loops"] == 0
    assert heap["Plans"][0]["Index Name"] == "a_x"
    assert (hashed["Hash Batches"], hashed["Original Hash Batches"]) == (16, 1)
    assert (hashed["Hash Buckets"], hashed["Original Hash Buckets"]) == (65536, 1024)
    assert hashed["Peak Memory Usage"] == 3073
    assert hashed["Plans"][0]["WAL Records"] == 3
    assert top["JIT"]["Functions"] == 4
    assert top["JIT"]["Timing"]["Total"] == 1.25
    plan = parse_postgres_text_plan(text)
    codes = {n.label: [f.code for f in n.findings] for n in plan.root.walk()}
    assert codes["Bitmap Heap Scan on a"] == ["lossy-bitmap"]
    assert codes["Hash"] == ["hash-batches-grew"]
    assert plan.summary.jit_ms == 1.25
    never = plan.root.children[0].children[0]
    assert never.never_executed


def test_psql_framed_json_pasted_as_text_is_accepted() -> None:
    framed = ' QUERY PLAN\n----\n [{"Plan": {"Node Type": "Result", "Plan Rows": 1}}]\n(1 row)'
    assert parse_postgres_text_plan(framed).root.node_type == "Result"
    assert parse_postgres_plan(framed).root.node_type == "Result"


def test_not_a_plan() -> None:
    with pytest.raises(DbtuiError):
        parse_postgres_text_plan("")
