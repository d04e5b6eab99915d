"""Text plans of other shapes: older servers, partial copies, per-worker lines, new fields.

PostgreSQL 15 outputs come from ``tests/fixtures/plans`` (see its README); the 8.x and
9.x plans are written by hand in the documented formats of those versions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dbtui.core.plan import Plan
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan, parse_postgres_text_plan
from dbtui.drivers.postgres.plans.text import text_to_json

FIXTURES = Path(__file__).parent.parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / "plans" / name).read_text(encoding="utf-8")


def body(name: str, folder: str = "plans") -> list[str]:
    """The plan lines of a psql-framed text fixture: no header, rule or row count."""
    lines = (FIXTURES / folder / name).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("(") and "rows)" in line)
    return lines[start:end]


def shape(plan: Plan) -> list[tuple[str, str | None, str | None]]:
    return [(n.label, n.parent_relationship, n.subplan_name) for n in plan.root.walk()]


# -- older formats -----------------------------------------------------------------------------

PG84 = """\
                                   QUERY PLAN
--------------------------------------------------------------------------------
 Hash Join  (cost=10.05..31.10 rows=10 width=8) (actual time=0.300..1.500 rows=10 loops=1)
   Hash Cond: (a.id = b.id)
   InitPlan
     ->  Limit  (cost=0.00..0.02 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
           ->  Seq Scan on c  (cost=0.00..20.00 rows=1000 width=4) (actual time=0.008..0.008 rows=1 loops=1)
     ->  Result  (cost=0.00..0.01 rows=1 width=0) (actual time=0.001..0.001 rows=1 loops=1)
   ->  Seq Scan on a  (cost=0.00..20.00 rows=10 width=4) (actual time=0.020..1.000 rows=10 loops=1)
         Filter: ((x > $0) AND (subplan))
         SubPlan
           ->  Index Scan using d_pkey on d  (cost=0.00..8.27 rows=1 width=0) (actual time=0.003..0.003 rows=1 loops=100)
                 Index Cond: (id = $2)
   ->  Hash  (cost=10.00..10.00 rows=100 width=4) (actual time=0.200..0.200 rows=100 loops=1)
         ->  Seq Scan on b  (cost=0.00..10.00 rows=100 width=4) (actual time=0.010..0.100 rows=100 loops=1)
 Total runtime: 1.700 ms
(14 rows)
"""


def test_8x_unnumbered_initplan_and_subplan_markers() -> None:
    plan = parse_postgres_text_plan(PG84)
    assert shape(plan) == [
        ("Hash Join (Inner)", None, None),
        ("Limit", "InitPlan", "InitPlan"),
        ("Seq Scan on c", "Outer", None),
        ("Result", "InitPlan", "InitPlan"),
        ("Seq Scan on a", "Outer", None),
        ("Index Scan using d_pkey on d", "SubPlan", "SubPlan"),
        ("Hash", "Inner", None),
        ("Seq Scan on b", "Outer", None),
    ]
    assert plan.summary.execution_ms == 1.7
    scan_a = plan.root.children[2]
    assert scan_a.raw["Filter"] == "((x > $0) AND (subplan))"
    # the SubPlan ran 100 times at 0.003 ms: 0.3 ms of the scan's 1.0 ms are the SubPlan's
    assert scan_a.exclusive_ms == pytest.approx(1.0 - 0.3)


PG96 = """\
 Sort  (cost=20.00..20.25 rows=100 width=4) (actual time=0.500..0.600 rows=100 loops=1)
   Sort Key: a
   Sort Method: quicksort  Memory: 29kB
   ->  Seq Scan on t  (cost=0.00..10.00 rows=100 width=4) (actual time=0.010..0.200 rows=100 loops=1)
 Planning time: 0.080 ms
 Execution time: 0.650 ms
"""


def test_9x_lower_case_summary_times() -> None:
    plan = parse_postgres_text_plan(PG96)
    assert (plan.summary.planning_ms, plan.summary.execution_ms) == (0.08, 0.65)
    assert "Planning time" not in plan.root.raw
    assert plan.root.time_share == pytest.approx((0.6 - 0.2) / 0.65)


# -- partial and re-indented copies ------------------------------------------------------------


def test_first_line_copied_without_its_leading_space() -> None:
    """Summary lines and settings stay out of the root; the CTE marker is still seen."""
    lines = body("cte-initplan-pg15.txt")
    whole = parse_postgres_text_plan("\n".join(lines))
    copied = parse_postgres_text_plan("\n".join([lines[0].lstrip(), *lines[1:]]))
    assert shape(copied) == shape(whole)
    assert ("Seq Scan on orders", "InitPlan", "CTE big") in shape(copied)
    assert (copied.summary.planning_ms, copied.summary.execution_ms) == (0.668, 25333.288)
    assert not {"Planning Time", "Execution Time"} & set(copied.root.raw)
    assert [n.exclusive_ms for n in copied.root.walk()] == [
        n.exclusive_ms for n in whole.root.walk()
    ]
    total = sum(n.exclusive_ms or 0.0 for n in copied.root.walk())
    assert total <= (copied.root.inclusive_ms or 0.0) * 1.001  # the CTE is not counted twice
    spill = body("parallel-sort-spill-verbose-pg15.txt", "postgres-text")
    plan = parse_postgres_text_plan("\n".join([spill[0].lstrip(), *spill[1:]]))
    assert plan.summary.settings["work_mem"] == "64kB"
    assert "Settings" not in plan.root.raw
    assert plan.summary.execution_ms == 55.989


def test_plan_pasted_from_its_first_arrow() -> None:
    lines = body("text-echo-pg15.txt")
    start = next(i for i, line in enumerate(lines) if "->  Hash Join" in line)
    plan = parse_postgres_text_plan("\n".join(lines[start:]))
    assert [n.label for n in plan.root.walk()] == [
        "Hash Join (Inner)",
        "Seq Scan on public.orders o",
        "Hash",
        "Seq Scan on public.customers c",
    ]
    assert plan.root.raw["Hash Cond"] == "(o.customer_id = c.id)"
    assert plan.summary.execution_ms == 78.627
    assert "Execution Time" not in plan.root.raw


def test_tabs_in_the_indentation() -> None:
    lines = body("memoize-pg15.txt")
    tabbed = [
        "\t" * ((len(ln) - len(ln.lstrip())) // 8) + ln[((len(ln) - len(ln.lstrip())) // 8) * 8 :]
        for ln in lines
    ]
    assert any("\t" in line for line in tabbed)
    whole, plan = (
        parse_postgres_text_plan("\n".join(lines)),
        parse_postgres_text_plan("\n".join(tabbed)),
    )
    assert shape(plan) == shape(whole)
    assert [n.inclusive_ms for n in plan.root.walk()] == [n.inclusive_ms for n in whole.root.walk()]


def test_children_indented_by_four_columns() -> None:
    four = """\
Nested Loop  (cost=0.00..50.00 rows=10 width=8) (actual time=0.100..2.000 rows=10 loops=1)
  Join Filter: (a.id = b.id)
  ->  Seq Scan on a  (cost=0.00..10.00 rows=10 width=4) (actual time=0.010..0.100 rows=10 loops=1)
      Filter: (x > 1)
  ->  Materialize  (cost=0.00..12.00 rows=5 width=4) (actual time=0.010..0.050 rows=5 loops=10)
      ->  Seq Scan on b  (cost=0.00..11.00 rows=5 width=4) (actual time=0.005..0.020 rows=5 loops=1)
          Filter: (y < 3)
Planning Time: 0.1 ms
Execution Time: 2.1 ms
"""
    plan = parse_postgres_text_plan(four)
    assert shape(plan) == [
        ("Nested Loop (Inner)", None, None),
        ("Seq Scan on a", "Outer", None),
        ("Materialize", "Inner", None),
        ("Seq Scan on b", "Outer", None),
    ]
    assert plan.root.children[0].raw["Filter"] == "(x > 1)"
    assert plan.root.children[1].children[0].raw["Filter"] == "(y < 3)"
    assert plan.summary.execution_ms == 2.1


@pytest.mark.parametrize("name", ["output-newline-pg15.txt", "output-newline-unaligned-pg15.txt"])
def test_line_break_inside_an_output_value(name: str) -> None:
    plan = parse_postgres_text_plan(fixture(name))
    assert [n.label for n in plan.root.walk()] == ["Limit", "Seq Scan on public.customers"]
    for node in plan.root.walk():
        assert node.raw["Output"] == "'first\nsecond'::text, id"


def test_auto_explain_log() -> None:
    log = fixture("auto-explain-pg15.log")
    plan = parse_postgres_text_plan(log)
    assert plan.statement == "SELECT count(*) FROM orders WHERE\n  amount > 95;"
    assert [n.label for n in plan.root.walk()] == ["Aggregate", "Seq Scan on orders"]
    assert plan.root.children[0].raw["Rows Removed by Filter"] == 197939
    assert plan.root.raw["Actual Total Time"] == 18.382
    lines = log.splitlines()
    second = [i for i, line in enumerate(lines) if "LOG:" in line][1]
    json_plan = parse_postgres_plan("\n".join(lines[second:]))
    assert json_plan.statement == "SELECT count(*) FROM customers WHERE id < 10;"
    assert [n.label for n in json_plan.root.walk()] == [
        "Aggregate",
        "Index Only Scan using customers_pkey on customers",
    ]


# -- per-worker lines --------------------------------------------------------------------------

PG12_WORKERS = """\
 Gather Merge  (cost=10.00..50.00 rows=300 width=4) (actual time=5.000..9.000 rows=300 loops=1)
   Workers Planned: 2
   Workers Launched: 2
   ->  Sort  (cost=9.00..9.25 rows=100 width=4) (actual time=4.000..4.500 rows=100 loops=3)
         Output: a
         Sort Key: t.a
         Sort Method: quicksort  Memory: 25kB
         Worker 0:  Sort Method: external merge  Disk: 376kB
         Worker 1:  Sort Method: external merge  Disk: 368kB
         Worker 0: actual time=3.900..4.400 rows=110 loops=1
         Worker 1: actual time=3.800..4.300 rows=90 loops=1
         ->  Parallel Seq Scan on public.t  (cost=0.00..5.00 rows=100 width=4) (actual time=0.010..1.000 rows=100 loops=3)
               Output: a
 Planning Time: 0.100 ms
 Execution Time: 9.500 ms
"""


def test_worker_with_sort_and_actual_lines_is_one_worker() -> None:
    """PostgreSQL 11/12 print a worker's sort and its times on two lines."""
    sort = text_to_json(PG12_WORKERS)["Plan"]["Plans"][0]
    assert sort["Workers"] == [
        {
            "Worker Number": 0,
            "Sort Method": "external merge",
            "Sort Space Type": "Disk",
            "Sort Space Used": 376,
            "Actual Startup Time": 3.9,
            "Actual Total Time": 4.4,
            "Actual Rows": 110,
            "Actual Loops": 1,
        },
        {
            "Worker Number": 1,
            "Sort Method": "external merge",
            "Sort Space Type": "Disk",
            "Sort Space Used": 368,
            "Actual Startup Time": 3.8,
            "Actual Total Time": 4.3,
            "Actual Rows": 90,
            "Actual Loops": 1,
        },
    ]
    node = parse_postgres_text_plan(PG12_WORKERS).root.children[0]
    assert [f.code for f in node.findings] == ["sort-spill"]  # the leader sorted in memory
    assert "744 kB" in node.findings[0].message


@pytest.mark.parametrize(
    ("name", "disk_kb"),
    [
        ("workers-only-spill-pg15.txt", "9,840"),
        ("workers-only-spill-verbose-pg15.txt", "9,840"),
        ("workers-only-spill-pg15.json", None),
    ],
)
def test_only_the_workers_spill(name: str, disk_kb: str | None) -> None:
    """``parallel_leader_participation = off``: the Sort line has no sort of its own."""
    plan = parse_postgres_text_plan(fixture(name))
    sort = plan.root.children[0]
    assert "Sort Method" not in sort.raw
    assert [f.code for f in sort.findings] == ["sort-spill"]
    if disk_kb is not None:
        assert f"({disk_kb} kB)" in sort.findings[0].message
    workers = sort.raw["Workers"]
    assert isinstance(workers, list)
    assert [w["Worker Number"] for w in workers] == [0, 1]
    assert all(w["Sort Space Type"] == "Disk" for w in workers)


def test_verbose_workers_keep_their_times_and_sorts() -> None:
    sort = text_to_json(fixture("workers-only-spill-verbose-pg15.txt"))["Plan"]["Plans"][0]
    assert [(w["Actual Rows"], w["Sort Space Used"]) for w in sort["Workers"]] == [
        (54159, 3024),
        (123160, 6816),
    ]


# -- fields read from both formats -------------------------------------------------------------


def test_io_timings() -> None:
    text = text_to_json(fixture("io-timings-pg15.txt"))["Plan"]
    assert (text["Temp I/O Read Time"], text["Temp I/O Write Time"]) == (12.273, 23.257)
    json_plan = parse_postgres_plan(fixture("io-timings-pg15.json"))
    assert json_plan.root.raw["Temp I/O Read Time"] == 13.365
    text_node = parse_postgres_text_plan(fixture("io-timings-pg15.txt")).root.children[0]
    assert text_node.raw["Temp I/O Write Time"] == 23.257  # shown in the node's details
    older = text_to_json(
        " Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n"
        "   Buffers: shared read=10\n"
        "   I/O Timings: read=0.512 write=0.020\n"
    )["Plan"]
    assert (older["I/O Read Time"], older["I/O Write Time"]) == (0.512, 0.02)
    newer = text_to_json(
        " Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n"
        "   I/O Timings: shared read=1.5 write=0.5, local read=0.25, temp write=2.0\n"
    )["Plan"]
    assert newer["Shared I/O Read Time"] == 1.5
    assert newer["Local I/O Read Time"] == 0.25
    assert newer["Temp I/O Write Time"] == 2.0


def test_incremental_sort_groups_read_as_in_json() -> None:
    text_node = text_to_json(fixture("incremental-sort-pg15.txt"))["Plan"]["Plans"][0]
    json_node = parse_postgres_plan(fixture("incremental-sort-pg15.json")).root.children[0].raw
    for key in ("Full-sort Groups", "Pre-sorted Groups"):
        assert text_node[key] == json_node[key]
    assert text_node["Full-sort Groups"]["Group Count"] == 501
    spilled = text_to_json(
        " Incremental Sort  (cost=1.00..9.00 rows=100 width=8) (actual time=0.1..5.0 rows=100 loops=1)\n"
        "   Sort Key: a, b\n"
        "   Presorted Key: a\n"
        "   Full-sort Groups: 2  Sort Method: external merge  Average Memory: 30kB  "
        "Peak Memory: 30kB  Average Disk: 100kB  Peak Disk: 150kB\n"
    )
    assert spilled["Plan"]["Full-sort Groups"]["Sort Methods Used"] == ["external merge"]
    plan = parse_postgres_plan(spilled)
    assert [f.code for f in plan.root.findings] == ["sort-spill"]
    assert "150 kB" in plan.root.findings[0].message


def test_memoize_cache_statistics() -> None:
    text_node = text_to_json(fixture("memoize-pg15.txt"))["Plan"]["Plans"][0]["Plans"][0]
    memoize = text_node["Plans"][0]["Plans"][1]
    assert memoize["Node Type"] == "Memoize"
    assert (memoize["Cache Hits"], memoize["Cache Misses"]) == (9435, 5000)
    assert (memoize["Cache Evictions"], memoize["Peak Memory Usage"]) == (0, 508)
    assert memoize["Workers"][0]["Cache Hits"] == 1761
    json_plan = parse_postgres_plan(fixture("memoize-pg15.json"))
    node = next(n for n in json_plan.root.walk() if n.node_type == "Memoize")
    assert (node.raw["Cache Hits"], node.raw["Cache Misses"]) == (10184, 5000)
    assert not node.findings  # 67 % of lookups hit, nothing evicted


def _memoize_plan(hits: int, misses: int, evictions: int) -> Plan:
    return parse_postgres_text_plan(
        " Nested Loop  (cost=0.30..90.00 rows=1000 width=8) (actual time=0.1..9.0 rows=1000 loops=1)\n"
        "   ->  Seq Scan on a  (cost=0.00..10.00 rows=1000 width=4) (actual time=0.01..1.0 rows=1000 loops=1)\n"
        "   ->  Memoize  (cost=0.30..0.32 rows=1 width=4) (actual time=0.005..0.005 rows=1 loops=1000)\n"
        "         Cache Key: a.b_id\n"
        "         Cache Mode: logical\n"
        f"         Hits: {hits}  Misses: {misses}  Evictions: {evictions}  Overflows: 0  "
        "Memory Usage: 64kB\n"
        "         ->  Index Scan using b_pkey on b  (cost=0.29..0.31 rows=1 width=4) (actual time=0.004..0.004 rows=1 loops=990)\n"
        " Execution Time: 9.5 ms\n"
    )


def test_memoize_findings() -> None:
    def codes(plan: Plan) -> list[str]:
        return [f.code for f in plan.root.children[1].findings]

    assert codes(_memoize_plan(10, 990, 0)) == ["memoize-misses"]
    assert codes(_memoize_plan(600, 400, 350)) == ["memoize-evictions"]
    assert codes(_memoize_plan(600, 400, 0)) == []
