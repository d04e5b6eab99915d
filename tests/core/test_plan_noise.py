"""Findings that must not fire, and wording that must read right (issue 15).

* A node that returned fewer rows than planned because the node above stopped reading it
  (a Limit that reached its count, a Merge Join whose other input ended, a semi join) is
  not a misestimate; one that returned more rows, or ran to its end, still is.
* A trivial plan (``SELECT 1``, under a millisecond, or cost under 10) gets no severity.
* A plan comparison says "48x slower" / "3.2x faster", never "(0.0x)".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from dbtui.core.plan import Plan, PlanNode, Severity
from dbtui.core.plans.format import ratio_words
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan
from dbtui.render.plan import render_text


def scan(name: str, planned: float, actual: float, relationship: str = "Outer") -> dict[str, Any]:
    return {"Node Type": "Index Scan", "Index Name": f"{name}_pkey", "Relation Name": name,
            "Alias": name, "Parent Relationship": relationship, "Plan Rows": planned,
            "Actual Rows": actual, "Actual Loops": 1, "Actual Total Time": 5.0,
            "Total Cost": 1000.0}  # fmt: skip


def merge_join(planned: float, actual: float, outer: dict[str, Any]) -> dict[str, Any]:
    inner = {"Node Type": "Sort", "Parent Relationship": "Inner", "Plan Rows": 10,
             "Actual Rows": 10, "Actual Loops": 1, "Actual Total Time": 0.1,
             "Total Cost": 2.0, "Plans": [scan("small", 10, 10)]}  # fmt: skip
    return {"Node Type": "Merge Join", "Join Type": "Inner", "Plan Rows": planned,
            "Actual Rows": actual, "Actual Loops": 1, "Actual Total Time": 6.0,
            "Total Cost": 1100.0, "Plans": [outer, inner]}  # fmt: skip


def limit(planned: float, actual: float, child: dict[str, Any]) -> dict[str, Any]:
    return {"Node Type": "Limit", "Plan Rows": planned, "Actual Rows": actual,
            "Actual Loops": 1, "Actual Total Time": 6.5, "Total Cost": 50.0,
            "Plans": [{**child, "Parent Relationship": "Outer"}]}  # fmt: skip


def analysed(root: dict[str, Any]) -> Plan:
    return parse_postgres_plan({"Plan": root, "Execution Time": 7.0})


def by_relation(plan: Plan, relation: str) -> PlanNode:
    return next(n for n in plan.nodes() if n.relation == relation)


def codes(plan: Plan) -> set[str]:
    return {f.code for n in plan.nodes() for f in n.findings}


def test_merge_join_under_a_limit_is_no_misestimate() -> None:
    """Limit 10 > Merge Join (2,000,000 planned, 10 read) > Index Scan (2,000,000 planned, 11)."""
    plan = analysed(limit(10, 10, merge_join(2_000_000, 10, scan("big", 2_000_000, 11))))
    assert "row-misestimate" not in codes(plan)
    for node in plan.nodes():
        assert node.misestimate is None or node.misestimate < 10, node.label
    join = next(n for n in plan.nodes() if n.node_type == "Merge Join")
    assert join.stopped_early
    assert by_relation(plan, "big").stopped_early
    text = render_text(plan)
    assert "↑" not in text
    assert "x est" not in text


def test_the_input_of_a_merge_join_that_stopped_early_is_no_misestimate() -> None:
    """The outer side stops when the inner side (10 rows) ends: 11 of 2,000,000 read."""
    plan = analysed(merge_join(10, 10, scan("big", 2_000_000, 11)))
    big = by_relation(plan, "big")
    assert big.stopped_early
    assert big.misestimate is None
    assert "row-misestimate" not in codes(plan)
    assert "x est" not in render_text(plan)


def test_real_misestimates_stay_flagged() -> None:
    # more rows than planned: stopping early cannot explain that
    under = analysed(limit(10, 10, merge_join(10, 10, scan("big", 5, 50_000))))
    assert "row-misestimate" in codes(under)
    assert by_relation(under, "big").misestimate_under is True
    # the Limit got fewer rows than its count: its input ran to its end, so 1 of 20,000
    # planned is a real over-estimate
    short = analysed(limit(100, 1, {**scan("big", 20_000, 1), "Node Type": "Seq Scan"}))
    assert not by_relation(short, "big").stopped_early
    assert "row-misestimate" in codes(short)
    # a Sort reads all its input before the Limit stops it: its input is not cut short
    sort = {"Node Type": "Sort", "Plan Rows": 20_000, "Actual Rows": 10, "Actual Loops": 1,
            "Actual Total Time": 6.0, "Total Cost": 900.0,
            "Plans": [{**scan("big", 20_000, 2), "Node Type": "Seq Scan"}]}  # fmt: skip
    sorted_plan = analysed(limit(10, 10, sort))
    assert next(n for n in sorted_plan.nodes() if n.node_type == "Sort").stopped_early
    assert not by_relation(sorted_plan, "big").stopped_early
    assert "row-misestimate" in codes(sorted_plan)


@pytest.fixture(scope="module")
def merge_db(postgres_server: Any) -> Iterator[str]:
    """``big`` (200,000 ids) and ``small`` (ids 1..10), both analysed."""
    name = f"noise_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE big (id int PRIMARY KEY, v int);"
            "INSERT INTO big SELECT g, g % 7 FROM generate_series(1, 200000) g;"
            "CREATE TABLE small (id int PRIMARY KEY);"
            "INSERT INTO small SELECT generate_series(1, 10); ANALYZE;"
        )
    yield url
    postgres_server.drop_database(name)


def explain_json(url: str, sql: str, *settings: str) -> Any:
    with psycopg.connect(url) as conn:
        for statement in settings:
            conn.execute(statement)
        row = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").fetchone()
        conn.rollback()
    assert row is not None
    return row[0]


@pytest.mark.postgres
def test_real_merge_join_and_limit_plans_have_no_misestimate(merge_db: str) -> None:
    merge = explain_json(
        merge_db,
        "SELECT * FROM big b JOIN small s ON s.id = b.id",
        "SET enable_hashjoin = off",
        "SET enable_nestloop = off",
    )
    plan = parse_postgres_plan(merge)
    assert any(n.node_type == "Merge Join" for n in plan.nodes()), plan.root.label
    big = by_relation(plan, "big")
    assert big.estimated_rows is not None
    assert big.estimated_rows > 100_000
    assert big.actual_rows is not None
    assert big.actual_rows < 100
    assert big.stopped_early
    assert big.misestimate is None
    assert "row-misestimate" not in codes(plan)
    limited = parse_postgres_plan(explain_json(merge_db, "SELECT * FROM big ORDER BY id LIMIT 5"))
    assert limited.root.node_type == "Limit"
    assert "row-misestimate" not in codes(limited)
    assert all(n.misestimate is None or n.misestimate < 10 for n in limited.nodes())


@pytest.mark.postgres
@pytest.mark.parametrize("analyze", [True, False])
def test_select_1_gets_no_marks(postgres_db_url: str, analyze: bool) -> None:
    driver = open_driver(spec_from_url(postgres_db_url))
    try:
        plan = driver.explain("SELECT 1", analyze=analyze)
    finally:
        driver.close()
    assert plan.root.node_type == "Result"
    if not analyze:
        assert plan.root.cost_share == 1.0, "100 % of the cost: what used to be marked !!!"
    assert all(node.severity == Severity.NONE for node in plan.nodes())
    text = render_text(plan)
    assert "!" not in text
    assert " · 0 findings" in text.splitlines()[-1]


def test_a_sub_millisecond_plan_gets_no_marks() -> None:
    """``SELECT 1`` as pasted: the Result is 90 % of 0.010 ms."""
    result = {"Node Type": "Result", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1,
              "Actual Total Time": 0.009, "Total Cost": 0.01}  # fmt: skip
    plan = parse_postgres_plan({"Plan": result, "Planning Time": 0.02, "Execution Time": 0.01})
    assert plan.root.time_share == pytest.approx(0.9)
    assert plan.root.severity == Severity.NONE
    assert "!" not in render_text(plan)


def test_a_plan_over_a_millisecond_still_gets_marks() -> None:
    result = {"Node Type": "Result", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1,
              "Actual Total Time": 1.5, "Total Cost": 0.01}  # fmt: skip
    plan = parse_postgres_plan({"Plan": result, "Execution Time": 1.5})
    assert plan.root.severity == Severity.HIGH
    assert "!!!" in render_text(plan)


@pytest.mark.parametrize(
    ("before", "after", "measure", "words"),
    [
        (1.0, 48.0, "time", "48x slower"),
        (48.0, 1.0, "time", "48x faster"),
        (10.0, 3.125, "time", "3.2x faster"),
        (3.125, 10.0, "time", "3.2x slower"),
        (1000.0, 8.0, "cost", "125x cheaper"),
        (8.0, 20.0, "cost", "2.5x more costly"),
        (100.0, 102.0, "time", "about the same"),
        (None, 3.0, "time", ""),
        (0.0, 3.0, "time", ""),
    ],
)
def test_ratio_reads_right_both_ways(
    before: float | None, after: float | None, measure: str, words: str
) -> None:
    assert ratio_words(before, after, measure) == words
