"""EXPLAIN ANALYZE typed in the editor never commits (issue #12, section 3).

A statement the user types as ``EXPLAIN ANALYZE <write>`` (or a ``SELECT`` of a
function that writes) and runs with F5 or in a script goes through
``driver.execute``; it must run inside a transaction (a savepoint inside the
user's own) that is always rolled back, and still show its plan rows.
Every check of the table is made from a second connection too, so a commit
would be seen.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.results import Result, RowsResult, StatusResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.explain import ANALYZE_WRITE_WARNING

pytestmark = pytest.mark.postgres

SETUP = """
create table t (x int);
create function f() returns int language plpgsql volatile as $$
begin
    insert into t values (42);
    return 1;
end $$;
create function boom() returns int language plpgsql volatile as $$
begin
    insert into t values (13);
    raise exception 'boom after the insert';
end $$;
"""

TYPED = [
    "EXPLAIN ANALYZE SELECT f()",
    "explain (analyze, buffers) insert into t values (1)",
    "explain analyze select f()",
    "EXPLAIN (ANALYZE) INSERT INTO t VALUES (2)",
    "EXPLAIN (ANALYZE true, BUFFERS) SELECT f()",
    "EXPLAIN (ANALYZE on, COSTS off) SELECT f() FROM generate_series(1, 3)",
    "EXPLAIN ANALYZE VERBOSE INSERT INTO t SELECT f()",
    "-- a comment first\n/* and a block */ EXPLAIN ANALYZE SELECT f()",
    "EXPLAIN ANALYZE WITH gone AS (INSERT INTO t VALUES (5) RETURNING x) SELECT * FROM gone",
    "EXPLAIN ANALYZE CREATE TABLE made AS SELECT f()",
    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT f()",
]


@pytest.fixture
def url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(SETUP)
    return postgres_db_url


@pytest.fixture
def driver(url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, url)


def run(driver: PostgresDriver, sql: str) -> list[Result]:
    """Every result of ``sql`` through ``driver.execute``, row streams read to the end."""
    results = []
    for result in driver.execute(sql):
        if isinstance(result, RowsResult):
            result.rows.fetch(10_000)
        results.append(result)
    return results


def plan_text(result: Result) -> str:
    assert isinstance(result, RowsResult)
    rows = result.rows.fetch(10_000)
    result.rows.close()
    return "\n".join(str(row[0]) for row in rows)


def committed(url: str) -> list[int]:
    """The rows of ``t`` another connection sees (only committed ones)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return [row[0] for row in conn.execute("select x from t order by x").fetchall()]


def table_exists(url: str, name: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("select to_regclass(%s) is not null", [name]).fetchone()
        return bool(row and row[0])


@pytest.mark.parametrize("sql", TYPED)
def test_typed_analyze_in_autocommit_is_rolled_back(
    driver: PostgresDriver, url: str, sql: str
) -> None:
    (result,) = driver.execute(sql)
    plan = plan_text(result)
    assert "Execution Time" in plan or '"Execution Time"' in plan
    assert driver.transaction_status == "idle"
    assert committed(url) == []
    assert not table_exists(url, "made")
    # the session still works and sees nothing either
    (after,) = driver.execute("select count(*) from t")
    assert isinstance(after, RowsResult)
    assert after.rows.fetch(10) == [(0,)]
    after.rows.close()


@pytest.mark.parametrize("sql", ["EXPLAIN ANALYZE SELECT f()", TYPED[1]])
def test_typed_analyze_inside_user_transaction_uses_a_savepoint(
    driver: PostgresDriver, url: str, sql: str
) -> None:
    run(driver, "BEGIN")
    run(driver, "insert into t values (7)")
    (result,) = driver.execute(sql)
    assert "Execution Time" in plan_text(result)
    assert driver.transaction_status == "in transaction"
    (mine,) = driver.execute("select x from t order by x")
    assert isinstance(mine, RowsResult)
    assert mine.rows.fetch(10) == [(7,)]  # the user's own insert is still there, f()'s is not
    mine.rows.close()
    assert committed(url) == []  # and nothing is committed yet
    run(driver, "COMMIT")
    assert committed(url) == [7]


def test_typed_analyze_in_a_script_keeps_the_users_writes(driver: PostgresDriver, url: str) -> None:
    script = (
        "begin;\ninsert into t values (1);\nexplain analyze select f();\n"
        "explain (analyze, buffers) insert into t values (2);\ncommit;\n"
        "explain analyze delete from t"
    )
    results = run(driver, script)
    assert len(results) == 6
    assert isinstance(results[2], RowsResult)
    assert isinstance(results[4], StatusResult)
    assert driver.transaction_status == "idle"
    assert committed(url) == [1]


def test_failing_typed_analyze_rolls_back_and_keeps_the_transaction(
    driver: PostgresDriver, url: str
) -> None:
    with pytest.raises(QueryError, match="boom after the insert"):
        run(driver, "EXPLAIN ANALYZE SELECT boom()")
    assert driver.transaction_status == "idle"
    assert committed(url) == []
    run(driver, "BEGIN; insert into t values (3)")
    with pytest.raises(QueryError, match="boom after the insert"):
        run(driver, "EXPLAIN ANALYZE SELECT boom()")
    # only the EXPLAIN was undone: the user's transaction is open, with its insert
    assert driver.transaction_status == "in transaction"
    run(driver, "COMMIT")
    assert committed(url) == [3]


def test_typed_analyze_is_not_held_as_a_write(driver: PostgresDriver, url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("insert into t select generate_series(1, 5)")
    results = list(driver.execute_checked("explain analyze delete from t", 0))
    assert driver.pending is None
    assert len(results) == 1
    assert "Execution Time" in plan_text(results[0])  # type: ignore[arg-type]
    assert committed(url) == [1, 2, 3, 4, 5]


def test_plain_explain_still_shows_the_plan(driver: PostgresDriver, url: str) -> None:
    (result,) = driver.execute("EXPLAIN INSERT INTO t VALUES (1)")
    plan = plan_text(result)
    assert "Insert on t" in plan
    assert "Execution Time" not in plan
    assert committed(url) == []


def test_typed_analyze_asks_like_f7(driver: PostgresDriver) -> None:
    """F5 on a typed EXPLAIN ANALYZE asks as F7 does: writes and unknown functions."""
    asked = driver.question_before("EXPLAIN ANALYZE SELECT f()")
    assert asked is not None
    assert "rolled back" in asked.question
    assert "f()" in asked.question
    for ask in (driver.question_before, driver.needs_confirmation):
        write = ask("explain (analyze) delete from t")  # rolled back: not "Destructive"
        assert write is not None
        assert write.question == ANALYZE_WRITE_WARNING
    assert driver.question_before("EXPLAIN ANALYZE SELECT 1") is None
    assert driver.question_before("EXPLAIN SELECT f()") is None  # runs nothing
    assert driver.question_before("DROP TABLE t") is not None  # other questions unchanged


def test_read_only_refuses_typed_analyze_of_a_write(url: str) -> None:
    driver = PostgresDriver(spec_from_url(url, read_only=True))
    driver.connect()
    try:
        assert driver.question_before("EXPLAIN ANALYZE SELECT f()") is None  # refused anyway
        with pytest.raises(ReadOnlyError, match="read-only"):
            run(driver, "EXPLAIN ANALYZE SELECT f()")
        (result,) = driver.execute("EXPLAIN ANALYZE SELECT 1")
        assert "Execution Time" in plan_text(result)
        assert driver.transaction_status == "idle"
    finally:
        driver.close()
    assert committed(url) == []
