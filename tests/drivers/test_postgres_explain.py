"""EXPLAIN as JSON, and the safety rules of EXPLAIN ANALYZE."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.results import RowsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres import explain as explaining

pytestmark = pytest.mark.postgres


@pytest.fixture
def prepared_url(both_postgres_db_url: str) -> str:
    with psycopg.connect(both_postgres_db_url, autocommit=True) as conn:
        conn.execute("create table items (id int primary key, name text)")
        conn.execute("insert into items select g, 'n' || g from generate_series(1, 1000) g")
        conn.execute("create sequence seq")
    return both_postgres_db_url


@pytest.fixture
def driver(prepared_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, prepared_url)


def count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("select count(*) from items").fetchone()
    assert row is not None
    return int(row[0])


def test_explain_without_analyze_is_json_with_a_plan(driver: PostgresDriver) -> None:
    data = driver.explain_json("select * from items where id = 5")
    assert isinstance(data, list)
    top = data[0]
    assert top["Plan"]["Node Type"] == "Index Scan"
    assert "Execution Time" not in top
    assert isinstance(top["Plan"]["Total Cost"], float)


def test_explain_analyze_select_measures(driver: PostgresDriver) -> None:
    (top,) = driver.explain_json("select count(*) from items", analyze=True)
    assert top["Plan"]["Actual Rows"] == 1
    assert "Execution Time" in top
    assert "Shared Hit Blocks" in top["Plan"]
    assert driver.transaction_status == "idle"


def test_explain_returns_the_analysed_plan_model(driver: PostgresDriver) -> None:
    plan = driver.explain("select * from items order by name", analyze=True)
    assert plan.engine == "postgresql"
    assert plan.analysed
    assert plan.root.node_type == "Sort"
    assert plan.statement == "select * from items order by name"


def test_explain_analyze_of_a_delete_leaves_every_row(
    driver: PostgresDriver, prepared_url: str
) -> None:
    statement = "delete from items"
    assert driver.explain_is_write(statement)
    (top,) = driver.explain_json(statement, analyze=True)
    assert top["Plan"]["Node Type"] == "ModifyTable"
    assert top["Plan"]["Plans"][0]["Actual Rows"] == 1000  # it really ran...
    assert count(prepared_url) == 1000  # ...and was rolled back
    assert driver.transaction_status == "idle"


def test_explain_analyze_write_inside_the_users_transaction(
    driver: PostgresDriver, prepared_url: str
) -> None:
    list(driver.execute("begin"))
    list(driver.execute("insert into items values (1001, 'mine')"))
    driver.explain_json("delete from items where id > 500", analyze=True)
    assert driver.transaction_status == "in transaction"
    (result,) = driver.execute("select count(*) from items")
    assert isinstance(result, RowsResult)
    assert result.rows.fetch(1) == [(1001,)]  # the user's insert survives, the delete does not
    list(driver.execute("commit"))
    assert count(prepared_url) == 1001


def test_failed_analyze_of_a_write_still_rolls_back(
    driver: PostgresDriver, prepared_url: str
) -> None:
    with pytest.raises(QueryError) as info:
        driver.explain_json("insert into items values (1, 'duplicate')", analyze=True)
    assert "duplicate key" in info.value.message
    assert driver.transaction_status == "idle"
    assert count(prepared_url) == 1000


def test_data_modifying_cte_counts_as_a_write(driver: PostgresDriver, prepared_url: str) -> None:
    statement = "with d as (delete from items where id < 10 returning id) select count(*) from d"
    assert driver.explain_is_write(statement)
    driver.explain_json(statement, analyze=True)
    assert count(prepared_url) == 1000


def test_lock_timeout_keeps_analyze_from_waiting(driver: PostgresDriver, prepared_url: str) -> None:
    with psycopg.connect(prepared_url) as locker:
        locker.execute("select * from items where id = 1 for update")
        with pytest.raises(QueryError, match="lock timeout"):
            driver.explain_json("update items set name = 'x' where id = 1", analyze=True)
    assert driver.transaction_status == "idle"


def test_read_only_connection_refuses_analyze_of_a_write(prepared_url: str) -> None:
    driver = PostgresDriver(spec_from_url(prepared_url, read_only=True))
    driver.connect()
    try:
        (plain,) = driver.explain_json("insert into items values (5000, 'x')")
        assert plain["Plan"]["Node Type"] == "ModifyTable"
        with pytest.raises(ReadOnlyError):
            driver.explain_json("insert into items values (5000, 'x')", analyze=True)
        assert driver.transaction_status == "idle"
    finally:
        driver.close()
    assert count(prepared_url) == 1000


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("select * from items", False),
        ("values (1)", False),
        ("select nextval('seq')", False),
        ("insert into items values (1)", True),
        ("update items set name = 'x' where id = 1", True),
        ("merge into items using items s on items.id = s.id when matched then do nothing", True),
        ("create table copy as select * from items", True),
        ("execute prepared_thing", True),
    ],
)
def test_explain_is_write(driver: PostgresDriver, statement: str, writes: bool) -> None:
    assert driver.explain_is_write(statement) is writes


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("select 1; select 2", "exactly one statement"),
        ("", "exactly one statement"),
        ("create table x (a int)", "cannot be explained"),
        ("begin", "cannot be explained"),
    ],
)
def test_statements_that_cannot_be_explained(
    driver: PostgresDriver, statement: str, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        driver.explain_json(statement, analyze=True)
    assert driver.transaction_status == "idle"


def test_error_positions_are_relative_to_the_statement(driver: PostgresDriver) -> None:
    statement = "  select nosuch from items"
    with pytest.raises(QueryError) as info:
        driver.explain_json(statement)
    assert statement[info.value.position or 0 :].startswith("nosuch")
    syntax = "\nselect * fro items"
    with pytest.raises(QueryError) as bad:
        driver.explain_json(syntax)
    assert syntax[bad.value.position or 0 :].startswith("fro items")


# -- EXPLAIN ANALYZE never commits, whatever the statement looks like (issue 12, section 3) ------

INSERTING_FUNCTION = """
create function add_item() returns int language plpgsql volatile as $$
begin
    insert into items values (5000 + (select count(*) from items), 'from f');
    return 1;
end $$
"""


@pytest.fixture
def with_function(prepared_url: str) -> str:
    with psycopg.connect(prepared_url, autocommit=True) as conn:
        conn.execute(INSERTING_FUNCTION)
        conn.execute(
            "create function counted() returns bigint language sql stable "
            "as 'select count(*) from items'"
        )
    return prepared_url


def test_analyze_of_a_select_calling_a_writing_function_is_rolled_back(
    with_function: str,
) -> None:
    driver = PostgresDriver(spec_from_url(with_function))
    driver.connect()
    try:
        assert not driver.explain_is_write("select add_item()")  # it looks like a read...
        (top,) = driver.explain_json("select add_item()", analyze=True)
        assert top["Plan"]["Actual Rows"] == 1  # ...it really ran...
        assert driver.transaction_status == "idle"
    finally:
        driver.close()
    assert count(with_function) == 1000  # ...and was rolled back


def test_analyze_inside_the_users_transaction_rolls_back_only_itself(
    with_function: str,
) -> None:
    driver = PostgresDriver(spec_from_url(with_function))
    driver.connect()
    try:
        list(driver.execute("begin"))
        list(driver.execute("insert into items values (1001, 'mine')"))
        driver.explain_json("select add_item()", analyze=True)
        driver.explain_json("select * from items where id = 1", analyze=True)
        assert driver.transaction_status == "in transaction"
        (result,) = driver.execute("select count(*) from items")
        assert isinstance(result, RowsResult)
        assert result.rows.fetch(1) == [(1001,)]
        list(driver.execute("commit"))
    finally:
        driver.close()
    assert count(with_function) == 1001


def test_analyze_asks_first_for_functions_not_known_read_only(with_function: str) -> None:
    driver = PostgresDriver(spec_from_url(with_function))
    driver.connect()
    try:
        ask = driver.analyze_needs_confirmation
        assert ask("select count(*), lower(name), now() from items group by name") is None
        assert ask("select counted()") is None  # STABLE
        question = ask("select add_item()")
        assert question is not None
        assert "add_item" in question
        assert "VOLATILE" in question
        assert ask("select * from items where id = (select add_item())") is not None
        assert ask("select nextval('seq')") is not None
        assert ask("select pg_terminate_backend(1)") is not None
        assert ask("delete from items") == explaining.ANALYZE_WRITE_WARNING
        assert ask("select random(), pg_sleep(0)") is None  # volatile but harmless
        # created after connect: unknown to the cache, so it asks (no I/O on the UI thread)...
        create = "create function later() returns int language sql stable as 'select 1'"
        list(driver.execute(create))
        assert ask("select later()") is not None
        assert ask("select counted()") is not None  # the whole cache is stale after DDL
        list(driver.execute("select 1"))  # ...until the next statement reloads it in its worker
        assert ask("select later()") is None
        assert ask("select counted()") is None
        assert ask("not sql at all") is None  # the explain itself reports the syntax error
    finally:
        driver.close()


def test_read_only_analyze_asks_nothing_for_what_it_refuses(with_function: str) -> None:
    driver = PostgresDriver(spec_from_url(with_function, read_only=True))
    driver.connect()
    try:
        assert driver.analyze_needs_confirmation("delete from items") is None
        assert driver.analyze_needs_confirmation("select add_item()") is not None  # cache only
        with pytest.raises(ReadOnlyError):
            driver.explain_json("select add_item()", analyze=True)
        assert driver.needs_confirmation("drop table items") is None  # refused at once
    finally:
        driver.close()
    assert count(with_function) == 1000


def run_dbtui(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m dbtui ARGS`` as a user runs it (as in tests/test_cli.py)."""
    return subprocess.run(
        [sys.executable, "-m", "dbtui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_cli_explain_analyze_never_commits(with_function: str) -> None:
    refused = run_dbtui("explain", "--analyze", with_function, "select add_item()")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert count(with_function) == 1000
    ran = run_dbtui("explain", "--analyze", "--allow-write", with_function, "select add_item()")
    assert ran.returncode == 0, ran.stderr
    assert "Result" in ran.stdout
    assert count(with_function) == 1000
