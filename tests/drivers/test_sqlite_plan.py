"""SQLite EXPLAIN QUERY PLAN rows -> plan tree and findings (pure: no database involved).

The detail strings are the ones SQLite 3.40 prints for the statements named in each test.
"""

from __future__ import annotations

import pytest

from dbtui.core.plan import PlanNode, Severity
from dbtui.drivers.sqlite.plans import (
    TableInfo,
    parse_sqlite_plan,
    plan_relation_names,
    quote_identifier,
)


def _only(node: PlanNode) -> PlanNode:
    assert len(node.children) == 1, node.children
    return node.children[0]


def _codes(node: PlanNode) -> list[str]:
    return [finding.code for finding in node.findings]


def test_tree_is_built_from_parent_ids() -> None:
    # SELECT * FROM users WHERE id IN (SELECT user_id FROM orders WHERE status = 'x')
    rows = [
        (2, 0, 0, "SEARCH users USING INTEGER PRIMARY KEY (rowid=?)"),
        (6, 0, 0, "LIST SUBQUERY 1"),
        (8, 6, 0, "SCAN orders"),
    ]
    plan = parse_sqlite_plan(rows, "stmt")
    assert plan.engine == "sqlite"
    assert plan.root.label == "QUERY PLAN"
    assert [child.label for child in plan.root.children] == [
        "SEARCH users USING INTEGER PRIMARY KEY (rowid=?)",
        "LIST SUBQUERY 1",
    ]
    subquery = plan.root.children[1]
    assert subquery.node_type == "LIST SUBQUERY"
    assert [child.label for child in subquery.children] == ["SCAN orders"]
    assert subquery.children[0].raw == {"id": 8, "parent": 6, "notused": 0, "detail": "SCAN orders"}
    assert [node.label for node in plan.nodes()][1:] == [row[3] for row in rows]


def test_compound_query_nests_three_levels() -> None:
    # SELECT name FROM users UNION SELECT status FROM orders
    rows = [
        (1, 0, 0, "COMPOUND QUERY"),
        (2, 1, 0, "LEFT-MOST SUBQUERY"),
        (5, 2, 0, "SCAN users"),
        (11, 1, 0, "UNION USING TEMP B-TREE"),
        (13, 11, 0, "SCAN orders"),
    ]
    compound = _only(parse_sqlite_plan(rows, "s").root)
    assert compound.node_type == "COMPOUND QUERY"
    assert [c.node_type for c in compound.children] == [
        "LEFT-MOST SUBQUERY",
        "UNION USING TEMP B-TREE",
    ]
    assert _only(compound.children[1]).relation == "orders"
    # "UNION USING TEMP B-TREE" is set arithmetic, not the ORDER BY sort warning.
    assert compound.children[1].findings == ()


def test_unknown_parent_and_cycles_are_attached_to_the_root() -> None:
    rows = [(3, 99, 0, "SCAN a"), (4, 4, 0, "SCAN b")]
    plan = parse_sqlite_plan(rows, "s")
    assert [c.label for c in plan.root.children] == ["SCAN a", "SCAN b"]


def test_empty_plan_has_a_bare_root() -> None:
    plan = parse_sqlite_plan([], "BEGIN")
    assert plan.root.children == ()
    assert plan.root.severity is Severity.NONE
    assert plan.analysed is False


@pytest.mark.parametrize(
    ("detail", "node_type", "relation", "index"),
    [
        ("SCAN orders", "SCAN", "orders", None),
        ("SCAN TABLE orders AS o", "SCAN", "orders", None),  # SQLite < 3.36 spelling
        ("SCAN my table", "SCAN", "my table", None),
        ("SCAN orders USING INDEX orders_user", "SCAN", "orders", "orders_user"),
        ("SCAN orders USING COVERING INDEX orders_user", "SCAN", "orders", "orders_user"),
        (
            "SEARCH orders USING INDEX orders_user (user_id=? AND created_at>?)",
            "SEARCH",
            "orders",
            "orders_user",
        ),
        ("SEARCH o USING COVERING INDEX ix (user_id>?)", "SEARCH", "o", "ix"),
        ("SEARCH u USING INTEGER PRIMARY KEY (rowid=?)", "SEARCH", "u", "INTEGER PRIMARY KEY"),
        ("SEARCH wr USING PRIMARY KEY (a=?)", "SEARCH", "wr", "PRIMARY KEY"),
        ("SEARCH p USING AUTOMATIC COVERING INDEX (status=?)", "SEARCH", "p", "automatic index"),
        ("SCAN json_each VIRTUAL TABLE INDEX 1:", "SCAN", "json_each", None),
        ("USE TEMP B-TREE FOR ORDER BY", "USE TEMP B-TREE", None, None),
        ("CORRELATED SCALAR SUBQUERY 1", "CORRELATED SCALAR SUBQUERY", None, None),
        ("CO-ROUTINE (subquery-1)", "CO-ROUTINE", None, None),
        ("MATERIALIZE c", "MATERIALIZE", None, None),
        ("SCAN CONSTANT ROW", "SCAN", None, None),
        ("SCAN (subquery-1)", "SCAN", None, None),
        ("SOMETHING NEW 7", "SOMETHING NEW 7", None, None),
    ],
)
def test_labels_relations_and_indexes(
    detail: str, node_type: str, relation: str | None, index: str | None
) -> None:
    node = _only(parse_sqlite_plan([(2, 0, 0, detail)], "s").root)
    assert (node.label, node.node_type, node.relation, node.index) == (
        detail,
        node_type,
        relation,
        index,
    )


def test_full_scan_severity_follows_table_size() -> None:
    rows = [(2, 0, 0, "SCAN t")]
    unknown = _only(parse_sqlite_plan(rows, "s").root)
    assert _codes(unknown) == ["full-scan"]
    assert unknown.severity is Severity.MEDIUM
    assert "every row of t" in unknown.findings[0].message
    assert unknown.findings[0].advice

    def severity(size: int) -> Severity:
        tables = {"t": TableInfo("t", size)}
        return _only(parse_sqlite_plan(rows, "s", tables=tables).root).severity

    assert severity(50) is Severity.LOW
    assert severity(5_000) is Severity.MEDIUM
    assert severity(250_000) is Severity.HIGH


def test_alias_is_mapped_to_the_real_table_and_its_size() -> None:
    # SELECT * FROM orders o JOIN users u ON u.id = o.user_id WHERE o.status = 'x'
    rows = [(4, 0, 0, "SCAN o"), (8, 0, 0, "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)")]
    tables = {"O": TableInfo("orders", 200_000), "u": TableInfo("users", 5_000)}
    scan, search = parse_sqlite_plan(rows, "s", tables=tables).root.children
    assert (scan.relation, search.relation) == ("orders", "users")
    assert scan.raw["estimated table rows"] == 200_000
    assert "~200,000 rows of orders" in scan.findings[0].message
    assert search.findings == ()
    assert search.severity is Severity.NONE


def test_scan_in_an_inner_loop_or_correlated_subquery_is_one_step_worse() -> None:
    # SELECT * FROM orders, users (no join condition: users is scanned per order)
    rows = [(3, 0, 0, "SCAN orders"), (5, 0, 0, "SCAN users")]
    tables = {"orders": TableInfo("orders", 5_000), "users": TableInfo("users", 5_000)}
    outer, inner = parse_sqlite_plan(rows, "s", tables=tables).root.children
    assert outer.severity is Severity.MEDIUM
    assert inner.severity is Severity.HIGH
    assert "every row of the outer loop" in inner.findings[0].message

    correlated = [
        (2, 0, 0, "SCAN u"),
        (8, 0, 0, "CORRELATED SCALAR SUBQUERY 1"),
        (13, 8, 0, "SCAN orders"),
    ]
    tables = {"u": TableInfo("users", 50), "orders": TableInfo("orders", 500)}
    plan = parse_sqlite_plan(correlated, "s", tables=tables)
    users, subquery = plan.root.children
    assert users.severity is Severity.LOW
    assert _codes(subquery) == ["correlated-subquery"]
    assert _only(subquery).severity is Severity.MEDIUM  # LOW for 500 rows, bumped once


def test_cte_subquery_and_non_table_scans_have_no_scan_finding() -> None:
    # WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<10) SELECT * FROM c
    rows = [
        (2, 0, 0, "CO-ROUTINE c"),
        (5, 2, 0, "SETUP"),
        (6, 5, 0, "SCAN CONSTANT ROW"),
        (17, 2, 0, "RECURSIVE STEP"),
        (18, 17, 0, "SCAN c"),
        (28, 0, 0, "SCAN c"),
        (29, 0, 0, "SCAN (subquery-1)"),
        (30, 0, 0, "SCAN t"),
    ]
    tables = {"t": TableInfo("tree", is_table=False)}
    plan = parse_sqlite_plan(rows, "s", tables=tables)
    assert all(node.findings == () for node in plan.nodes())
    assert plan.root.children[-1].raw["refers to"] == "tree"


def test_index_scans() -> None:
    covering = _only(parse_sqlite_plan([(4, 0, 0, "SCAN t USING COVERING INDEX i")], "s").root)
    assert covering.findings == ()
    plain = _only(parse_sqlite_plan([(4, 0, 0, "SCAN t USING INDEX i")], "s").root)
    assert _codes(plain) == ["full-index-scan"]
    assert plain.severity is Severity.LOW


@pytest.mark.parametrize(
    ("purpose", "severity"),
    [
        ("ORDER BY", Severity.MEDIUM),
        ("GROUP BY", Severity.MEDIUM),
        ("DISTINCT", Severity.LOW),
        ("RIGHT PART OF ORDER BY", Severity.LOW),
        ("LAST TERM OF ORDER BY", Severity.LOW),
    ],
)
def test_temp_b_tree(purpose: str, severity: Severity) -> None:
    node = _only(parse_sqlite_plan([(21, 0, 0, f"USE TEMP B-TREE FOR {purpose}")], "s").root)
    assert _codes(node) == ["temp-b-tree"]
    assert node.severity is severity


def test_automatic_index_suggests_a_permanent_one() -> None:
    detail = "SEARCH p USING AUTOMATIC PARTIAL COVERING INDEX (status=? AND created_at>?)"
    tables = {"p": TableInfo("order lines", 10)}
    node = _only(parse_sqlite_plan([(17, 0, 0, detail)], "s", tables=tables).root)
    assert node.relation == "order lines"
    assert _codes(node) == ["automatic-index"]
    assert node.severity is Severity.MEDIUM
    assert "temporary index on order lines (status=? AND created_at>?)" in node.findings[0].message
    assert (
        'CREATE INDEX "order lines_status_created_at_idx" ON "order lines"(status, created_at);'
        in node.findings[0].advice
    )


def test_bloom_filter_is_not_a_problem() -> None:
    node = _only(parse_sqlite_plan([(3, 0, 0, "BLOOM FILTER ON c (id=?)")], "s").root)
    assert (node.node_type, node.relation, node.findings) == ("BLOOM FILTER", "c", ())


def test_node_severity_is_its_own_not_its_childrens() -> None:
    rows = [(6, 0, 0, "LIST SUBQUERY 1"), (8, 6, 0, "SCAN orders")]
    plan = parse_sqlite_plan(rows, "s")
    subquery = plan.root.children[0]
    assert subquery.severity is Severity.NONE
    assert _only(subquery).severity is Severity.MEDIUM
    assert plan.root.severity is Severity.NONE


def test_analysed_plan_carries_total_time_and_rows() -> None:
    plan = parse_sqlite_plan(
        [(2, 0, 0, "SCAN t")], "SELECT * FROM t", execution_ms=12.5, rows_returned=40
    )
    assert plan.analysed is True
    assert plan.summary.execution_ms == 12.5
    assert (plan.root.inclusive_ms, plan.root.actual_rows) == (12.5, 40.0)
    assert plan.statement == "SELECT * FROM t"
    assert plan.root.children[0].inclusive_ms is None  # SQLite has no per-node timing


def test_relation_names_for_lookup() -> None:
    rows = [
        (2, 0, 0, "CO-ROUTINE (subquery-1)"),
        (4, 2, 0, "SCAN o"),
        (5, 0, 0, "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)"),
        (6, 0, 0, "SCAN (subquery-1)"),
        (7, 0, 0, "SCAN CONSTANT ROW"),
        (8, 0, 0, "BLOOM FILTER ON c (id=?)"),
        (9, 0, 0, "SCAN o"),
    ]
    assert plan_relation_names(rows) == ["o", "u", "c"]


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("users", "users"),
        ("Users_2", "Users_2"),
        ("order", '"order"'),
        ("Select", '"Select"'),
        ("my table", '"my table"'),
        ('say "hi"', '"say ""hi"""'),
        ("2fast", '"2fast"'),
        ("", '""'),
    ],
)
def test_quote_identifier(name: str, quoted: str) -> None:
    assert quote_identifier(name) == quoted
