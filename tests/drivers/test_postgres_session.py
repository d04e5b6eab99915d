"""Transactions, read-only mode and a connection lost mid-session."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected
from harness.postgres import PostgresServer

from dbtui.core.errors import ConnectionLostError, QueryError, ReadOnlyError
from dbtui.core.results import RowsResult
from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres


@pytest.fixture
def prepared_url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("create table items (id int primary key, name text)")
        conn.execute("insert into items values (1, 'one'), (2, 'two')")
    return postgres_db_url


@pytest.fixture
def driver(prepared_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, prepared_url)


@pytest.fixture
def read_only(prepared_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, prepared_url, read_only=True)


def run(driver: PostgresDriver, sql: str) -> None:
    for result in driver.execute(sql):
        if isinstance(result, RowsResult):
            result.rows.fetch(1000)


def count(url: str) -> int:
    """Rows in ``items`` as another session sees them."""
    with psycopg.connect(url) as conn:
        row = conn.execute("select count(*) from items").fetchone()
    assert row is not None
    return int(row[0])


def test_transaction_status_follows_begin_error_rollback(driver: PostgresDriver) -> None:
    assert driver.transaction_status == "idle"
    run(driver, "begin")
    assert driver.transaction_status == "in transaction"
    run(driver, "insert into items values (3, 'three')")
    with pytest.raises(QueryError):
        run(driver, "insert into items values (3, 'again')")
    assert driver.transaction_status == "failed transaction"
    with pytest.raises(QueryError, match="current transaction is aborted"):
        run(driver, "select 1")
    run(driver, "rollback")
    assert driver.transaction_status == "idle"


def test_commit_makes_rows_visible_to_others(driver: PostgresDriver, prepared_url: str) -> None:
    run(driver, "begin")
    run(driver, "insert into items values (3, 'three')")
    assert count(prepared_url) == 2
    run(driver, "commit")
    assert driver.transaction_status == "idle"
    assert count(prepared_url) == 3


def test_autocommit_by_default(driver: PostgresDriver, prepared_url: str) -> None:
    run(driver, "delete from items where id = 2")
    assert driver.transaction_status == "idle"
    assert count(prepared_url) == 1


def test_read_only_insert_refused_before_sending(read_only: PostgresDriver) -> None:
    with pytest.raises(ReadOnlyError) as info:
        run(read_only, "insert into items values (9, 'nine')")
    assert info.value.message.startswith("refused: INSERT is not a plain read")
    assert "nothing was sent" in info.value.message
    assert read_only.transaction_status == "idle"
    with pytest.raises(ReadOnlyError, match="CREATE TABLE"):
        run(read_only, "create table x (a int)")
    (result,) = read_only.execute("select count(*) from items")
    assert isinstance(result, RowsResult)
    assert result.rows.fetch(1) == [(2,)]


def test_read_only_holds_inside_an_explicit_transaction(read_only: PostgresDriver) -> None:
    run(read_only, "begin")
    with pytest.raises(ReadOnlyError):
        run(read_only, "update items set name = 'x'")
    run(read_only, "rollback")


@pytest.mark.parametrize(
    "sql",
    [
        "set default_transaction_read_only = off",
        "begin read write",
        "reset all",
        "select set_config('default_transaction_read_only', 'off', false)",
    ],
)
def test_read_only_cannot_be_switched_off(read_only: PostgresDriver, sql: str) -> None:
    with pytest.raises(ReadOnlyError):
        run(read_only, sql)
    with pytest.raises(ReadOnlyError):
        run(read_only, "insert into items values (9, 'nine')")


def test_read_only_is_restored_after_a_hidden_switch(
    read_only: PostgresDriver, prepared_url: str
) -> None:
    """A function that lies about its volatility hides the switch from the classifier
    (DO blocks are refused before sending); the session turns read-only again."""
    with psycopg.connect(prepared_url, autocommit=True) as conn:
        conn.execute(
            "create function sneaky() returns text language sql stable as "
            "$$ select set_config('default_transaction_read_only', 'off', false) $$"
        )
    run(read_only, "select sneaky()")
    assert "WARNING: dbtui switched the session back to read-only" in read_only.notices
    with pytest.raises(ReadOnlyError):
        run(read_only, "insert into items values (9, 'nine')")


def test_read_only_catalog_still_browses(read_only: PostgresDriver) -> None:
    top = read_only.children(None)
    current = next(node for node in top if node.expandable)
    assert any(node.label == "public" for node in read_only.children(current))


def test_catalog_does_not_hang_behind_the_users_uncommitted_ddl(driver: PostgresDriver) -> None:
    run(driver, "begin")
    run(driver, "alter table items add column extra int")  # holds an exclusive lock
    database = next(node for node in driver.children(None) if node.expandable)
    public = next(n for n in driver.children(database) if n.label == "public")
    tables = next(n for n in driver.children(public) if n.label == "Tables")
    (items,) = driver.children(tables)
    with pytest.raises(QueryError, match="lock timeout"):
        driver.details(items)
    run(driver, "rollback")
    facts = dict(driver.details(items))
    assert "Total size" in facts


def test_connection_lost_then_reconnect(
    driver: PostgresDriver, postgres_server: PostgresServer
) -> None:
    run(driver, "begin")
    run(driver, "insert into items values (3, 'three')")
    postgres_server.restart()
    with pytest.raises(ConnectionLostError) as info:
        run(driver, "select 1")
    assert "Reconnect" in info.value.message
    assert "\n" not in info.value.message
    assert driver.transaction_status == ""
    with pytest.raises(ConnectionLostError):  # stays lost until reconnect()
        run(driver, "select 1")
    driver.reconnect()
    assert driver.transaction_status == "idle"
    (result,) = driver.execute("select count(*) from items")
    assert isinstance(result, RowsResult)
    assert result.rows.fetch(1) == [(2,)]  # the open transaction was rolled back


def test_catalog_reconnects_by_itself(
    driver: PostgresDriver, postgres_server: PostgresServer
) -> None:
    before = [node.label for node in driver.children(None)]
    postgres_server.restart()
    assert [node.label for node in driver.children(None)] == before
