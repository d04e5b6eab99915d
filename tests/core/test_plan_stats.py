"""Plan statistics (per table / node type / index) and plan comparison."""

from __future__ import annotations

import pytest

from dbtui.core.plan import Plan, PlanNode, PlanSummary
from dbtui.core.plans.stats import compare_plans, plan_stats
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url


def node(
    node_type: str,
    ms: float,
    cost: float,
    relation: str | None = None,
    index: str | None = None,
    children: tuple[PlanNode, ...] = (),
) -> PlanNode:
    label = " ".join(filter(None, (node_type, relation)))
    return PlanNode(
        node_type,
        label,
        children,
        relation=relation,
        index=index,
        exclusive_ms=ms,
        exclusive_cost=cost,
        total_cost=cost,
        inclusive_ms=ms,
    )


def test_stats_group_exclusive_time_and_cost() -> None:
    root = node(
        "Hash Join",
        5.0,
        10.0,
        children=(
            node("Seq Scan", 60.0, 100.0, relation="orders"),
            node(
                "Hash",
                1.0,
                2.0,
                children=(
                    node("Index Scan", 14.0, 30.0, relation="users", index="users_pkey"),
                    node("Seq Scan", 20.0, 40.0, relation="orders"),
                ),
            ),
        ),
    )
    plan = Plan("postgresql", "q", root, PlanSummary(execution_ms=100.0), analysed=True)
    stats = plan_stats(plan)
    assert [(r.name, r.nodes, r.exclusive_ms) for r in stats.per_table] == [
        ("orders", 2, 80.0),
        ("users", 1, 14.0),
    ]
    assert stats.per_table[0].share == pytest.approx(0.8)
    assert stats.per_table[0].exclusive_cost == 140.0
    assert [r.name for r in stats.per_node_type] == ["Seq Scan", "Index Scan", "Hash Join", "Hash"]
    assert [(r.name, r.exclusive_ms) for r in stats.per_index] == [("users_pkey", 14.0)]


def test_stats_without_timings_rank_by_cost() -> None:
    root = PlanNode(
        "SCAN",
        "SCAN a",
        (PlanNode("SCAN", "SCAN b", relation="b", exclusive_cost=9.0),),
        relation="a",
        exclusive_cost=1.0,
    )
    stats = plan_stats(Plan("sqlite", "q", root))
    assert [r.name for r in stats.per_table] == ["b", "a"]
    assert all(r.exclusive_ms is None and r.share is None for r in stats.per_table)


def test_compare_reports_added_removed_and_changed_nodes() -> None:
    before = Plan(
        "postgresql",
        "q",
        node("Aggregate", 1.0, 10.0, children=(node("Seq Scan", 90.0, 1000.0, relation="t"),)),
        PlanSummary(execution_ms=91.0),
        True,
    )
    after = Plan(
        "postgresql",
        "q",
        node(
            "Aggregate",
            1.05,
            10.0,
            children=(node("Index Scan", 2.0, 8.0, relation="t", index="t_a"),),
        ),
        PlanSummary(execution_ms=3.0),
        True,
    )
    comparison = compare_plans(before, after)
    assert comparison.measure == "time"
    assert comparison.ratio == pytest.approx(91.0 / 3.0)
    kinds = {(c.change, c.label) for c in comparison.changes}
    assert kinds == {("added", "Index Scan t"), ("removed", "Seq Scan t")}, "the 5% change is noise"


def test_compare_real_plans_before_and_after_an_index(postgres_db_url: str) -> None:
    driver = open_driver(spec_from_url(postgres_db_url))
    try:
        for sql in (
            "CREATE TABLE items AS SELECT g AS id, g % 1000 AS k FROM generate_series(1, 100000) g",
            "ANALYZE items",
        ):
            list(driver.execute(sql))
        query = "SELECT * FROM items WHERE k = 7"
        before = driver.explain(query)
        list(driver.execute("CREATE INDEX items_k ON items (k)"))
        after = driver.explain(query)
    finally:
        driver.close()
    comparison = compare_plans(before, after)
    assert comparison.measure == "cost"
    assert comparison.ratio is not None
    assert comparison.ratio > 2
    changes = {c.change for c in comparison.changes}
    assert "removed" in changes
    assert any(c.change == "added" and "items_k" in c.label for c in comparison.changes)
