"""The built-in demo database, and SQLite plans (EXPLAIN QUERY PLAN) on it.

The full-size demo is built once for the module; rebuild tests shrink it first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from drivertools import connected

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.paths import data_dir
from dbtui.core.plan import Plan, PlanNode, Severity
from dbtui.core.spec import spec_from_url
from dbtui.drivers.sqlite import SqliteDriver, demo, demo_data


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.ensure_demo_database(tmp_path_factory.mktemp("demo") / "demo.sqlite3")


@pytest.fixture
def driver(demo_db: Path) -> Iterator[SqliteDriver]:
    yield from connected(SqliteDriver, f"sqlite://{demo_db}", read_only=True)


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the demo so that rebuild tests stay cheap."""
    monkeypatch.setattr(demo, "USERS", 50)
    monkeypatch.setattr(demo, "POSTS", 80)
    monkeypatch.setattr(demo, "ORDERS", 120)
    monkeypatch.setattr(demo, "SESSIONS", 150)


def scans(plan: Plan) -> list[PlanNode]:
    return [node for node in plan.nodes() if node.node_type == "SCAN"]


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# -- the demo database --------------------------------------------------------------------------


def test_demo_has_the_promised_schema_and_size(demo_db: Path) -> None:
    conn = sqlite3.connect(demo_db)
    try:
        sizes = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("users", "categories", "posts", "tags", "post_tags", "orders", "sessions")
        }
        assert sizes["sessions"] == 250_000
        assert sizes["orders"] == 200_000
        assert max(sizes.values()) >= 100_000
        assert min(sizes.values()) > 0
        assert conn.execute("PRAGMA user_version").fetchone()[0] == demo.SCHEMA_VERSION
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        depth = conn.execute(
            "WITH RECURSIVE tree(id, depth) AS (SELECT id, 0 FROM categories WHERE parent_id IS NULL"
            " UNION ALL SELECT c.id, t.depth + 1 FROM categories c JOIN tree t ON c.parent_id = t.id)"
            " SELECT max(depth) FROM tree"
        ).fetchone()[0]
        assert depth == 2
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
        assert kinds["published_posts"] == kinds["user_order_totals"] == "view"
        assert kinds["posts_touch"] == "trigger"
        assert conn.execute("SELECT count(*) FROM published_posts").fetchone()[0] > 10_000
        assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
        statuses = dict(conn.execute("SELECT status, count(*) FROM orders GROUP BY 1").fetchall())
        assert set(statuses) == {s for s, _ in demo_data.ORDER_STATUSES}
        assert statuses["refunded"] < statuses["delivered"] / 10  # selective: worth an index
        domain = conn.execute("SELECT email, email_domain FROM users WHERE id = 1").fetchone()
        assert domain[0].endswith("@" + domain[1])
    finally:
        conn.close()


def test_build_is_deterministic(tmp_path: Path, small_demo: None) -> None:
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    demo.build_demo_database(first)
    demo.build_demo_database(second)
    dumps = []
    for path in (first, second):
        conn = sqlite3.connect(path)
        dumps.append(list(conn.iterdump()))
        conn.close()
    assert dumps[0] == dumps[1]
    assert any('INSERT INTO "sessions"' in line for line in dumps[0])


def test_default_location_is_the_user_data_dir(small_demo: None) -> None:
    assert demo.demo_path() == data_dir() / "demo.sqlite3"
    assert not demo.demo_path().exists()
    path = demo.ensure_demo_database()
    assert path == demo.demo_path()
    assert count(path, "SELECT count(*) FROM sessions") == 150
    assert demo.demo_url() == f"sqlite://{path}"


def test_missing_outdated_or_damaged_files_are_rebuilt(tmp_path: Path, small_demo: None) -> None:
    path = tmp_path / "demo.sqlite3"
    demo.ensure_demo_database(path)
    assert demo.schema_version(path) == demo.SCHEMA_VERSION

    path.unlink()
    demo.ensure_demo_database(path)
    assert count(path, "SELECT count(*) FROM orders") == 120

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("DELETE FROM orders")
    conn.commit()
    conn.close()
    demo.ensure_demo_database(path)
    assert count(path, "SELECT count(*) FROM orders") == 120

    path.write_bytes(b"garbage" * 1000)
    demo.ensure_demo_database(path)
    assert demo.schema_version(path) == demo.SCHEMA_VERSION

    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO tags (name) VALUES ('kept')")
    conn.commit()
    conn.close()
    demo.ensure_demo_database(path)  # current version: left alone
    assert count(path, "SELECT count(*) FROM tags WHERE name = 'kept'") == 1


def test_interrupted_build_leaves_the_old_file_and_no_leftovers(
    tmp_path: Path, small_demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite3"
    path.write_bytes(b"old")

    def broken(*_args: object) -> Iterator[tuple[object, ...]]:
        yield (1, 1, 1_700_000_000, None, "10.0.0.1", "x")
        raise KeyboardInterrupt

    monkeypatch.setattr(demo_data, "sessions", broken)
    with pytest.raises(KeyboardInterrupt):
        demo.ensure_demo_database(path)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite3"]


# -- plans on the demo database -----------------------------------------------------------------


def test_unindexed_lookup_is_a_high_severity_scan(driver: SqliteDriver) -> None:
    plan = driver.explain("SELECT * FROM sessions WHERE user_id = 42")
    assert plan.engine == "sqlite"
    assert plan.analysed is False
    (scan,) = plan.root.children
    assert (scan.label, scan.node_type, scan.relation) == ("SCAN sessions", "SCAN", "sessions")
    assert [f.code for f in scan.findings] == ["full-scan"]
    assert scan.severity is Severity.HIGH
    assert scan.raw["estimated table rows"] == 250_000
    assert "~250,000 rows of sessions" in scan.findings[0].message


def test_indexed_lookup_has_no_findings(driver: SqliteDriver) -> None:
    plan = driver.explain("SELECT * FROM orders WHERE user_id = 42")
    (search,) = plan.root.children
    assert search.label == "SEARCH orders USING INDEX orders_user (user_id=?)"
    assert (search.relation, search.index) == ("orders", "orders_user")
    assert all(node.findings == () for node in plan.nodes())


def test_sort_without_index_and_aliases(driver: SqliteDriver) -> None:
    plan = driver.explain(
        "SELECT p.title, u.name FROM posts AS p JOIN users u ON u.id = p.user_id"
        " ORDER BY p.created_at DESC LIMIT 20"
    )
    *loops, sort = plan.root.children
    assert {node.relation for node in loops} == {"posts", "users"}  # from the aliases p and u
    assert {node.label.split()[1] for node in loops} == {"p", "u"}
    assert [f.code for f in sort.findings] == ["temp-b-tree"]


def test_view_aliases_resolve_to_tables(driver: SqliteDriver) -> None:
    plan = driver.explain("SELECT * FROM published_posts WHERE category = 'SQLite'")
    assert "posts" in [node.relation for node in scans(plan)]


def test_parameters_are_bound_to_null_for_plans(driver: SqliteDriver) -> None:
    positional = driver.explain("SELECT * FROM orders WHERE status = ? AND user_id = ?")
    named = driver.explain("SELECT * FROM orders WHERE user_id = :user")
    assert positional.root.children[0].index == "orders_user"
    assert named.root.children[0].index == "orders_user"


def test_leading_explain_is_ignored(driver: SqliteDriver) -> None:
    plan = driver.explain("EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE ip = '10.0.0.1'")
    assert plan.statement == "SELECT * FROM sessions WHERE ip = '10.0.0.1'"
    assert scans(plan)[0].relation == "sessions"


def test_explain_errors_have_positions(driver: SqliteDriver) -> None:
    with pytest.raises(QueryError) as caught:
        driver.explain("SELECT * FROM orders WHERE staus = 'paid'")
    assert (caught.value.message, caught.value.position) == ("no such column: staus", 27)
    with pytest.raises(QueryError) as caught:
        driver.explain("EXPLAIN QUERY PLAN SELECT * FROM orders WHERE staus = 'paid'")
    assert caught.value.position == 19 + 27
    assert caught.value.statement == "EXPLAIN QUERY PLAN SELECT * FROM orders WHERE staus = 'paid'"


def test_explaining_a_write_on_a_read_only_connection_changes_nothing(
    driver: SqliteDriver, demo_db: Path
) -> None:
    plan = driver.explain("UPDATE orders SET status = 'paid' WHERE status = 'pending'")
    assert scans(plan)[0].relation == "orders"
    assert count(demo_db, "SELECT count(*) FROM orders WHERE status = 'pending'") > 0
    with pytest.raises(ReadOnlyError):
        list(driver.execute("UPDATE orders SET status = 'paid' WHERE status = 'pending'"))


def test_explain_refuses_pragmas_that_act_while_compiling(driver: SqliteDriver) -> None:
    with pytest.raises(QueryError, match="query_only"):
        driver.explain("PRAGMA query_only = OFF")
    with pytest.raises(ReadOnlyError):  # query_only is still on
        list(driver.execute("CREATE TEMP TABLE t (x)"))


def test_analyze_runs_a_query_and_measures_it(driver: SqliteDriver, demo_db: Path) -> None:
    expected = count(demo_db, "SELECT count(*) FROM orders WHERE status = 'refunded'")
    plan = driver.explain("SELECT * FROM orders WHERE status = 'refunded'", analyze=True)
    assert plan.analysed is True
    assert plan.root.actual_rows == expected
    assert plan.summary.execution_ms is not None
    assert plan.summary.execution_ms > 0
    assert plan.root.inclusive_ms == plan.summary.execution_ms
    assert scans(plan)[0].severity is Severity.HIGH


def test_analyze_refuses_writes_and_leaves_data(tmp_path: Path, small_demo: None) -> None:
    path = demo.ensure_demo_database(tmp_path / "demo.sqlite3")
    writable = SqliteDriver(spec_from_url(f"sqlite://{path}"))
    writable.connect()
    try:
        for statement in (
            "DELETE FROM sessions",
            "UPDATE orders SET total_cents = 0",
            "INSERT INTO tags (name) VALUES ('x')",
            "CREATE INDEX sessions_user ON sessions (user_id)",
        ):
            with pytest.raises(QueryError, match="only runs queries") as caught:
                writable.explain(statement, analyze=True)
            assert caught.value.statement == statement
        with pytest.raises(QueryError, match="does not explain PRAGMA user_version = 0"):
            writable.explain("PRAGMA user_version = 0", analyze=True)
        assert count(path, "SELECT count(*) FROM sessions") == 150
        assert count(path, "SELECT count(*) FROM orders WHERE total_cents = 0") == 0
        assert demo.schema_version(path) == demo.SCHEMA_VERSION
        # The plan of a write is still available without ANALYZE.
        assert scans(writable.explain("DELETE FROM sessions WHERE ip = 'x'"))[0].relation == (
            "sessions"
        )
        # And the connection is writable again afterwards.
        list(writable.execute("CREATE INDEX sessions_user ON sessions (user_id)"))
        after = writable.explain("SELECT * FROM sessions WHERE user_id = 42")
        assert after.root.children[0].index == "sessions_user"
    finally:
        writable.close()
