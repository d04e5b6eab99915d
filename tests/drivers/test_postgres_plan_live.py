"""Real PostgreSQL plans captured from the harness server, checked against their raw JSON.

Timings change from run to run, so every expected number is computed inside the test
from the raw fields of the very plan that was parsed (per-loop time x loops / processes,
minus the children), never hard-coded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pytest

from dbtui.core.plan import Plan, PlanNode
from dbtui.drivers.postgres.plans.findings import index_candidates
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan, parse_postgres_text_plan
from dbtui.render.plan import render_text

pytestmark = pytest.mark.postgres

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, name text);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 20000) g;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id),
                     amount numeric, note text);
INSERT INTO orders SELECT g, 1 + g % 20000, g % 1000, md5(g::text)
  FROM generate_series(1, 200000) g;
CREATE TABLE events (id int, at date, v int) PARTITION BY RANGE (at);
CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
CREATE TABLE events_3 PARTITION OF events FOR VALUES FROM ('2024-03-01') TO ('2024-04-01');
INSERT INTO events SELECT g, date '2024-01-01' + g % 90, g FROM generate_series(1, 30000) g;
ANALYZE;
"""
PARALLEL = (
    "SET max_parallel_workers_per_gather = 2",
    "SET parallel_setup_cost = 0",
    "SET parallel_tuple_cost = 0",
    "SET min_parallel_table_scan_size = 0",
)
CTE_QUERY = """
WITH big AS MATERIALIZED (SELECT * FROM orders WHERE id < 50000)
SELECT b.id, (SELECT name FROM customers c WHERE c.id = b.customer_id)
FROM big b
WHERE b.amount > (SELECT avg(amount) FROM orders)
   OR b.customer_id < (SELECT max(customer_id) FROM orders WHERE id < 1000)
   OR EXISTS (SELECT 1 FROM customers c2 WHERE c2.id = b.customer_id + 1)
ORDER BY b.note
"""
SPILL_QUERY = "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.note"
SPILL = ("SET work_mem = '64kB'", "SET enable_mergejoin = off", "SET enable_nestloop = off")


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("postgres_server", marks=pytest.mark.postgres),
        pytest.param("pgvector_server", marks=pytest.mark.pgvector),  # PostgreSQL 18
    ],
)
def plans_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with customers (20k), orders (200k, FK) and a 3-partition events table,
    on each PostgreSQL server of the harness in turn (two major versions)."""
    postgres_server: Any = request.getfixturevalue(request.param)
    name = f"plans_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    yield url
    postgres_server.drop_database(name)


def explain(url: str, sql: str, settings: Sequence[str] = (), options: str = "") -> Any:
    """Run ``EXPLAIN (options, FORMAT JSON) sql`` after ``settings``; the decoded JSON."""
    opts = ", ".join(p for p in (options or "ANALYZE, BUFFERS, VERBOSE, SETTINGS", "FORMAT JSON"))
    with psycopg.connect(url) as conn:
        for statement in settings:
            conn.execute(statement)
        row = conn.execute(f"EXPLAIN ({opts}) {sql}").fetchone()
        conn.rollback()
    assert row is not None
    return row[0]


def explain_text(url: str, sql: str, settings: Sequence[str] = (), options: str = "") -> str:
    with psycopg.connect(url) as conn:
        for statement in settings:
            conn.execute(statement)
        prefix = f"EXPLAIN ({options}) " if options else "EXPLAIN "
        rows = conn.execute(prefix + sql).fetchall()
        conn.rollback()
    return "\n".join(str(r[0]) for r in rows)


def raw_preorder(document: Any) -> list[tuple[dict[str, Any], int, int | None]]:
    """(raw node, workers launched by the nearest Gather above, parent index), pre-order."""
    out: list[tuple[dict[str, Any], int, int | None]] = []
    stack: list[tuple[dict[str, Any], int, int | None]] = [(document[0]["Plan"], 0, None)]
    while stack:
        raw, workers, parent = stack.pop()
        index = len(out)
        out.append((raw, workers, parent))
        below = raw.get("Workers Launched", 0) if "Gather" in raw["Node Type"] else workers
        for kid in reversed(raw.get("Plans", [])):
            kid_workers = 0 if kid.get("Parent Relationship") == "InitPlan" else below
            stack.append((kid, kid_workers, index))
    return out


def expected_inclusive(raw: dict[str, Any], workers: int) -> float:
    loops = raw["Actual Loops"]
    processes = min(workers + 1, loops) if workers and loops else 1
    return float(raw["Actual Total Time"] * loops / processes)


def paired(plan: Plan, document: Any) -> list[tuple[PlanNode, dict[str, Any], int, int | None]]:
    nodes = list(plan.root.walk())
    raws = raw_preorder(document)
    assert len(nodes) == len(raws)
    return [(n, r, w, p) for n, (r, w, p) in zip(nodes, raws, strict=True)]


def assert_exclusive_sum_bounded(plan: Plan) -> None:
    total = sum(n.exclusive_ms or 0.0 for n in plan.root.walk())
    assert plan.summary.execution_ms is not None
    assert plan.root.inclusive_ms is not None
    assert total <= plan.summary.execution_ms + 1e-6
    assert total <= plan.root.inclusive_ms + 1e-6


def test_parallel_aggregate(plans_db: str) -> None:
    sql = "SELECT customer_id % 4, count(*) FROM orders WHERE amount > 10 GROUP BY 1"
    document = explain(plans_db, sql, PARALLEL)
    plan = parse_postgres_plan(document, sql)
    pairs = paired(plan, document)
    gathers = [r for _, r, _, _ in pairs if r["Node Type"] in ("Gather", "Gather Merge")]
    assert gathers, "the forced settings must give a parallel plan"
    assert gathers[0]["Workers Launched"] >= 1
    execution = document[0]["Execution Time"]
    inclusive = [expected_inclusive(r, w) for _, r, w, _ in pairs]
    for index, (node, raw, _, _) in enumerate(pairs):
        kids = [i for i, (_, _, _, parent) in enumerate(pairs) if parent == index]
        exclusive = max(0.0, inclusive[index] - sum(inclusive[k] for k in kids))
        assert node.inclusive_ms == pytest.approx(inclusive[index])
        assert node.exclusive_ms == pytest.approx(exclusive)
        assert node.time_share == pytest.approx(exclusive / execution)
        assert node.actual_rows == pytest.approx(raw["Actual Rows"] * raw["Actual Loops"])
        assert node.loops == raw["Actual Loops"]
    assert_exclusive_sum_bounded(plan)
    scan = next(n for n, r, _, _ in pairs if r["Node Type"] == "Seq Scan")
    assert scan.label == "Parallel Seq Scan on public.orders"
    removed, loops = scan.raw["Rows Removed by Filter"], scan.raw["Actual Loops"]
    assert isinstance(removed, int | float)
    assert isinstance(loops, int | float)
    assert scan.rows_removed == pytest.approx(removed * loops)
    assert plan.summary.settings.get("parallel_setup_cost") == "0"
    assert plan.statement == sql


def test_cte_with_initplans_and_subplans(plans_db: str) -> None:
    document = explain(plans_db, CTE_QUERY)
    plan = parse_postgres_plan(document)
    pairs = paired(plan, document)
    by_rel: dict[str, list[PlanNode]] = {}
    for node, _, _, _ in pairs:
        by_rel.setdefault(node.parent_relationship or "", []).append(node)
    init_names = [n.subplan_name or "" for n in by_rel["InitPlan"]]
    assert "CTE big" in init_names
    assert len([n for n in init_names if n.startswith("InitPlan")]) == 2
    assert len(by_rel["SubPlan"]) == 2
    cte_scan, cte_raw = next((n, r) for n, r, _, _ in pairs if r["Node Type"] == "CTE Scan")
    assert cte_scan.label == "CTE Scan on big b"
    assert {n.parent_relationship for n in cte_scan.children} == {"SubPlan"}
    # The CTE Scan's filter reads both scalar InitPlans and it alone reads the CTE:
    # inclusive - its SubPlans - the CTE - both InitPlans (all inclusive, from raw fields).
    initplans = [r for _, r, _, _ in pairs if r.get("Parent Relationship") == "InitPlan"]
    expected = expected_inclusive(cte_raw, 0)
    expected -= sum(expected_inclusive(k, 0) for k in cte_raw["Plans"])
    expected -= sum(expected_inclusive(r, 0) for r in initplans)
    assert expected > 0
    assert cte_scan.exclusive_ms == pytest.approx(expected)
    root = plan.root
    assert cte_scan.inclusive_ms is not None
    assert root.exclusive_ms == pytest.approx(
        max(0.0, expected_inclusive(document[0]["Plan"], 0) - cte_scan.inclusive_ms)
    )
    assert_exclusive_sum_bounded(plan)
    assert "[CTE big]" in render_text(plan, width=0)


def test_sort_and_hash_spill_with_small_work_mem(plans_db: str) -> None:
    document = explain(plans_db, SPILL_QUERY, SPILL)
    plan = parse_postgres_plan(document)
    pairs = paired(plan, document)
    sort_node, sort_raw = next((n, r) for n, r, _, _ in pairs if r["Node Type"] == "Sort")
    assert sort_raw["Sort Space Type"] == "Disk"
    assert "sort-spill" in {f.code for f in sort_node.findings}
    hash_node, hash_raw = next((n, r) for n, r, _, _ in pairs if r["Node Type"] == "Hash")
    assert hash_raw["Hash Batches"] > 1
    expected = "hash-batches-grew" if hash_raw["Hash Batches"] > hash_raw[
        "Original Hash Batches"
    ] else "hash-spill"  # fmt: skip
    assert expected in {f.code for f in hash_node.findings}
    assert sort_node.buffers is not None
    assert sort_node.buffers.temp_written > 0
    assert_exclusive_sum_bounded(plan)


def test_nested_loop_with_never_executed_side(plans_db: str) -> None:
    sql = "SELECT * FROM customers c JOIN orders o ON o.id = c.id WHERE c.id < 0"
    settings = ("SET enable_hashjoin = off", "SET enable_mergejoin = off")
    document = explain(plans_db, sql, settings)
    plan = parse_postgres_plan(document)
    pairs = paired(plan, document)
    assert plan.root.node_type == "Nested Loop"
    never = [n for n, r, _, _ in pairs if r["Actual Loops"] == 0]
    assert never
    assert all(n.never_executed for n in never)
    assert [n for n, _, _, _ in pairs if n.never_executed] == never
    assert "(never executed)" in render_text(plan)


def test_delete_with_foreign_key_trigger_rolls_back(plans_db: str) -> None:
    with psycopg.connect(plans_db) as conn:
        before = conn.execute("SELECT count(*) FROM customers").fetchone()
        with conn.transaction(force_rollback=True):
            conn.execute("INSERT INTO customers VALUES (999999, 'temp')")
            row = conn.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM customers WHERE id = 999999"
            ).fetchone()
        after = conn.execute("SELECT count(*) FROM customers").fetchone()
    assert before == after
    assert row is not None
    document = row[0]
    plan = parse_postgres_plan(document)
    (raw_trigger,) = document[0]["Triggers"]
    (trigger,) = plan.summary.triggers
    assert trigger.constraint == raw_trigger["Constraint Name"] == "orders_customer_id_fkey"
    assert trigger.time_ms == raw_trigger["Time"]
    assert trigger.calls == 1
    assert plan.root.label == "ModifyTable (Delete) on customers"
    share = raw_trigger["Time"] / document[0]["Execution Time"]
    found = {f.code for f in plan.summary.findings}
    assert ("trigger-time" in found) == (share > 0.1)
    text = render_text(plan, width=0)
    assert "Trigger RI_ConstraintTrigger" in text
    assert "triggers " in text


def test_partitioned_table_pruned_at_plan_and_at_run_time(plans_db: str) -> None:
    sql = "SELECT count(*) FROM events WHERE at >= '2024-02-10'"
    plan = parse_postgres_plan(explain(plans_db, sql))
    append = next(n for n in plan.root.walk() if n.node_type == "Append")
    assert {n.relation for n in append.children} == {"events_2", "events_3"}
    assert {n.parent_relationship for n in append.children} == {"Member"}
    with psycopg.connect(plans_db) as conn:
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute("PREPARE p(date) AS SELECT count(*) FROM events WHERE at >= $1")
        row = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE p('2024-03-05')").fetchone()
    assert row is not None
    generic = parse_postgres_plan(row[0])
    append = next(n for n in generic.root.walk() if n.node_type == "Append")
    assert append.raw["Subplans Removed"] == 2
    assert [f.code for f in append.findings] == ["runtime-pruning"]
    assert [n.relation for n in append.children] == ["events_3"]


def test_text_plan_matches_json_plan(plans_db: str) -> None:
    """Without ANALYZE both formats are deterministic: same tree, labels, costs, rows."""
    for sql in (CTE_QUERY, SPILL_QUERY, "SELECT count(*) FROM events WHERE at >= '2024-02-10'"):
        from_json = parse_postgres_plan(explain(plans_db, sql, SPILL, options="VERBOSE"))
        from_text = parse_postgres_text_plan(explain_text(plans_db, sql, SPILL, "VERBOSE"))
        pairs = zip(from_json.root.walk(), from_text.root.walk(), strict=True)
        for a, b in pairs:
            assert (a.label, a.total_cost, a.estimated_rows) == (
                b.label,
                b.total_cost,
                b.estimated_rows,
            )
            assert (a.parent_relationship, a.subplan_name) == (
                b.parent_relationship,
                b.subplan_name,
            )
            assert a.exclusive_cost == pytest.approx(b.exclusive_cost)


def test_analysed_text_plan_keeps_times_and_findings(plans_db: str) -> None:
    text = explain_text(plans_db, SPILL_QUERY, SPILL, "ANALYZE, BUFFERS")
    plan = parse_postgres_text_plan(text)
    codes = {f.code for n in plan.root.walk() for f in n.findings}
    assert "sort-spill" in codes
    assert codes & {"hash-spill", "hash-batches-grew"}
    assert plan.summary.execution_ms is not None
    assert plan.analysed
    assert_exclusive_sum_bounded(plan)
    assert all(n.loops is not None for n in plan.root.walk())


def test_seq_scan_index_candidate(plans_db: str) -> None:
    sql = "SELECT * FROM orders WHERE note = 'nothing matches'"
    plan = parse_postgres_plan(explain(plans_db, sql, ("SET max_parallel_workers_per_gather = 0",)))
    (candidate,) = index_candidates(plan)
    assert (candidate.schema, candidate.relation) == ("public", "orders")
    assert "note" in candidate.filter
    assert candidate.rows_read == 200000
    assert candidate.removed_share == 1.0
