"""Writes held until confirmed, by their real row/document count (dbtui.core.writes), on real servers.

PostgreSQL and SQLite run the write in a transaction and keep it open when it changes more
rows than the threshold (or has no WHERE); another connection checks that nothing is visible
until the commit, and that a rollback leaves the table as it was. MongoDB counts first and
sends nothing until the commit. A MongoDB document edit is a compare-and-swap.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pymongo
import pytest

from dbtui.core.config import ConfigError, UiConfig, parse_config
from dbtui.core.errors import QueryError
from dbtui.core.results import Result, RowsResult, StatusResult
from dbtui.core.spec import spec_from_url
from dbtui.core.writes import ConfirmsWrites, PendingWrite, sql_write_shape
from dbtui.drivers.mongo import MongoDriver
from dbtui.drivers.mongo.editing import DocumentChangedError
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.sqlite import SqliteDriver

LIMIT = 100
Client = pymongo.MongoClient[dict[str, Any]]


def checked(driver: ConfirmsWrites, sql: str) -> Result | PendingWrite:
    """The first thing ``execute_checked`` yields (a result, or the held write)."""
    item = next(iter(driver.execute_checked(sql, LIMIT)), None)
    assert item is not None
    return item


# -- shapes (no server) -------------------------------------------------------------------------


def test_write_shapes() -> None:
    assert sql_write_shape("DELETE FROM t") is not None
    assert sql_write_shape("DELETE FROM t") == sql_write_shape("delete from t")
    shape = sql_write_shape("DELETE FROM public.t WHERE true")
    assert shape is not None
    assert shape.target == "public.t"
    assert shape.whole  # a constant-true WHERE is no filter at all
    filtered = sql_write_shape("DELETE FROM public.t WHERE id = 1 OR 1 = 2")
    assert filtered is not None
    assert not filtered.whole
    update = sql_write_shape("UPDATE t SET a = 1")
    assert update is not None
    assert update.verb == "UPDATE"
    assert update.whole
    assert sql_write_shape("INSERT INTO t SELECT * FROM u") is not None
    assert sql_write_shape("INSERT INTO t VALUES (1), (2)") is None
    assert sql_write_shape("DELETE FROM t RETURNING *") is None
    assert sql_write_shape("SELECT 1") is None
    pending = PendingWrite("DELETE FROM t", "DELETE", "public.orders", 12345)
    assert pending.question == "DELETE would remove 12,345 rows from public.orders. Commit?"
    capped = PendingWrite("x", "deleteMany", "s.c", 100, capped=True, ran=False, unit="document")
    assert capped.question == "deleteMany would delete more than 100 documents from s.c. Run it?"


def test_confirm_rows_over_is_a_checked_ui_setting() -> None:
    config = parse_config("[ui]\nconfirm_rows_over = 5\n", Path("c.toml"))
    assert config.ui.confirm_rows_over == 5
    assert UiConfig().confirm_rows_over is None  # the UI then uses the default, 100
    with pytest.raises(ConfigError, match=r"line 2: ui\.confirm_rows_over"):
        parse_config("[ui]\nconfirm_rows_over = -1\n", Path("c.toml"))
    with pytest.raises(ConfigError, match="confirm_rows_over"):
        parse_config('[ui]\nconfirm_rows_over = "many"\n', Path("c.toml"))


# -- SQLite -------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER)")
    conn.executemany("INSERT INTO t (a) VALUES (?)", [(i,) for i in range(500)])
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def lite(sqlite_path: Path) -> Iterator[SqliteDriver]:
    driver = SqliteDriver(spec_from_url(f"sqlite://{sqlite_path}"))
    driver.connect()
    yield driver
    driver.close()


def pending_of(driver: ConfirmsWrites) -> PendingWrite | None:
    """The held write, read through a call (see :func:`status_of`)."""
    return driver.pending


def status_of(driver: SqliteDriver | PostgresDriver) -> str:
    """The driver's transaction status, read through a call (mypy narrows property reads)."""
    return driver.transaction_status


def lite_count(path: Path, where: str = "1") -> int:
    """Rows of ``t`` as another connection sees them (committed data only)."""
    conn = sqlite3.connect(path, timeout=0.2)
    try:
        return int(conn.execute(f"SELECT count(*) FROM t WHERE {where}").fetchone()[0])
    finally:
        conn.close()


def test_sqlite_delete_where_true_is_held_then_rolled_back(
    lite: SqliteDriver, sqlite_path: Path
) -> None:
    held = checked(lite, "DELETE FROM t WHERE true")
    assert isinstance(held, PendingWrite)
    assert held.affected == 500
    assert held.target == "t"
    assert held.ran
    assert held.question == "DELETE would remove 500 rows from t. Commit?"
    assert lite.pending is held
    assert lite_count(sqlite_path) == 500  # not committed
    assert status_of(lite) == "in transaction"
    lite.rollback_pending()
    assert pending_of(lite) is None
    assert status_of(lite) == "idle"
    assert lite_count(sqlite_path) == 500


def test_sqlite_commit_after_yes(lite: SqliteDriver, sqlite_path: Path) -> None:
    held = checked(lite, "DELETE FROM t WHERE 1 = 1")
    assert isinstance(held, PendingWrite)
    assert lite_count(sqlite_path) == 500
    status = lite.commit_pending()
    assert status.status == "DELETE 500"
    assert lite_count(sqlite_path) == 0


def test_sqlite_small_update_commits_without_asking(lite: SqliteDriver, sqlite_path: Path) -> None:
    result = checked(lite, "UPDATE t SET a = -1 WHERE id <= 5")
    assert isinstance(result, StatusResult)
    assert result.rowcount == 5
    assert pending_of(lite) is None
    assert lite.transaction_status == "idle"
    assert lite_count(sqlite_path, "a = -1") == 5


def test_sqlite_no_where_is_held_even_when_small(lite: SqliteDriver, sqlite_path: Path) -> None:
    lite_run(lite, "DELETE FROM t WHERE id > 3")
    held = checked(lite, "UPDATE t SET a = 0")
    assert isinstance(held, PendingWrite)
    assert held.whole
    assert held.affected == 3
    assert lite.question_before("UPDATE t SET a = 0") is None  # asked after, with the count
    assert lite.needs_confirmation("UPDATE t SET a = 0") is not None
    assert lite.question_before("DROP TABLE t") is not None
    lite.rollback_pending()
    assert lite_count(sqlite_path, "a = 0") == 1  # only the row that had a = 0


def lite_run(driver: SqliteDriver, sql: str) -> None:
    for result in driver.execute(sql):
        assert isinstance(result, StatusResult)


def test_sqlite_inside_user_transaction_uses_a_savepoint(
    lite: SqliteDriver, sqlite_path: Path
) -> None:
    lite_run(lite, "BEGIN")
    lite_run(lite, "UPDATE t SET a = -7 WHERE id = 1")
    held = checked(lite, "DELETE FROM t WHERE a >= 0")
    assert isinstance(held, PendingWrite)
    assert held.in_transaction
    assert "Keep it in your open transaction?" in held.question
    lite.rollback_pending()
    assert lite.transaction_status == "in transaction"  # the user's transaction is still there
    rows = next(iter(lite.execute("SELECT count(*), min(a) FROM t")))
    assert isinstance(rows, RowsResult)
    assert rows.rows.fetch(10) == [(500, -7)]  # the earlier update kept, the delete undone
    lite_run(lite, "ROLLBACK")
    assert lite_count(sqlite_path, "a = -7") == 0


def test_sqlite_anything_else_or_close_rolls_the_held_write_back(
    lite: SqliteDriver, sqlite_path: Path
) -> None:
    assert isinstance(checked(lite, "DELETE FROM t WHERE true"), PendingWrite)
    rows = next(iter(lite.execute("SELECT count(*) FROM t")))
    assert isinstance(rows, RowsResult)
    assert rows.rows.fetch(10) == [(500,)]
    assert pending_of(lite) is None
    assert isinstance(checked(lite, "DELETE FROM t"), PendingWrite)
    lite.close()
    assert lite_count(sqlite_path) == 500


# -- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def pg(postgres_db_url: str) -> Iterator[PostgresDriver]:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id serial PRIMARY KEY, a int)")
        conn.execute("INSERT INTO t (a) SELECT g FROM generate_series(1, 500) g")
        conn.execute("CREATE TABLE archive (id int, a int)")
    driver = PostgresDriver(spec_from_url(postgres_db_url))
    driver.connect()
    yield driver
    driver.close()


def pg_count(url: str, sql: str = "SELECT count(*) FROM t") -> int:
    """A count as another connection sees it (committed data only)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def pg_run(driver: PostgresDriver, sql: str) -> None:
    for result in driver.execute(sql):
        assert isinstance(result, StatusResult)


@pytest.mark.postgres
def test_postgres_delete_where_true_is_held_then_rolled_back(
    pg: PostgresDriver, postgres_db_url: str
) -> None:
    held = checked(pg, "DELETE FROM t WHERE true")
    assert isinstance(held, PendingWrite)
    assert held.question == "DELETE would remove 500 rows from t. Commit?"
    assert pg.pending is held
    assert pg.transaction_status == "in transaction"
    assert pg_count(postgres_db_url) == 500
    status = pg.rollback_pending()
    assert "rolled back" in status.status
    assert pg.transaction_status == "idle"
    assert pg_count(postgres_db_url) == 500


@pytest.mark.postgres
def test_postgres_commit_after_yes(pg: PostgresDriver, postgres_db_url: str) -> None:
    held = checked(pg, "DELETE FROM public.t WHERE 1 = 1")
    assert isinstance(held, PendingWrite)
    assert held.target == "public.t"
    assert pg_count(postgres_db_url) == 500
    assert pg.commit_pending().status == "DELETE 500"
    assert pg_count(postgres_db_url) == 0
    assert pg.transaction_status == "idle"


@pytest.mark.postgres
def test_postgres_small_update_commits_without_asking(
    pg: PostgresDriver, postgres_db_url: str
) -> None:
    result = checked(pg, "UPDATE t SET a = -1 WHERE id <= 5")
    assert isinstance(result, StatusResult)
    assert result.rowcount == 5
    assert pending_of(pg) is None
    assert pg.transaction_status == "idle"
    assert pg_count(postgres_db_url, "SELECT count(*) FROM t WHERE a = -1") == 5


@pytest.mark.postgres
def test_postgres_merge_insert_select_and_no_where(
    pg: PostgresDriver, postgres_db_url: str
) -> None:
    held = checked(pg, "INSERT INTO archive SELECT * FROM t")
    assert isinstance(held, PendingWrite)
    assert held.question == "INSERT would add 500 rows to archive. Commit?"
    pg.rollback_pending()
    merge = "MERGE INTO t USING t s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a + 1"
    held = checked(pg, merge)
    assert isinstance(held, PendingWrite)
    assert held.verb == "MERGE"
    assert held.affected == 500
    pg.rollback_pending()
    pg_run(pg, "DELETE FROM t WHERE id > 2")
    small = checked(pg, "UPDATE t SET a = 0")
    assert isinstance(small, PendingWrite)
    assert small.whole
    assert small.affected == 2
    pg.rollback_pending()
    returning = checked(pg, "DELETE FROM t WHERE true RETURNING id")
    assert not isinstance(returning, PendingWrite)  # rows are shown, not held
    assert pg_count(postgres_db_url) == 0
    assert pg_count(postgres_db_url, "SELECT count(*) FROM archive") == 0


@pytest.mark.postgres
def test_postgres_inside_user_transaction_uses_a_savepoint(
    pg: PostgresDriver, postgres_db_url: str
) -> None:
    pg_run(pg, "BEGIN")
    pg_run(pg, "UPDATE t SET a = -7 WHERE id = 1")
    held = checked(pg, "DELETE FROM t WHERE a > 0")
    assert isinstance(held, PendingWrite)
    assert held.in_transaction
    assert held.affected == 499
    pg.rollback_pending()
    assert pg.transaction_status == "in transaction"
    again = checked(pg, "DELETE FROM t WHERE a > 0")
    assert isinstance(again, PendingWrite)
    assert "kept in your open transaction" in pg.commit_pending().status
    assert pg.transaction_status == "in transaction"
    assert pg_count(postgres_db_url) == 500  # nothing committed: the user's transaction is open
    pg_run(pg, "COMMIT")
    assert pg_count(postgres_db_url) == 1


@pytest.mark.postgres
def test_postgres_close_or_next_statement_rolls_back(
    pg: PostgresDriver, postgres_db_url: str
) -> None:
    assert isinstance(checked(pg, "DELETE FROM t WHERE true"), PendingWrite)
    pg_run(pg, "SET application_name = 'next'")
    assert pending_of(pg) is None
    assert pg.transaction_status == "idle"
    assert pg_count(postgres_db_url) == 500
    assert isinstance(checked(pg, "DELETE FROM t"), PendingWrite)
    assert pg.question_before("DELETE FROM t") is None
    assert pg.needs_confirmation("DELETE FROM t") is not None
    pg.close()
    assert pg_count(postgres_db_url) == 500


@pytest.mark.postgres
def test_postgres_failed_write_leaves_no_transaction(pg: PostgresDriver) -> None:
    with pytest.raises(QueryError):
        checked(pg, "DELETE FROM t WHERE a / 0 = 1")
    assert pending_of(pg) is None
    assert pg.transaction_status == "idle"


# -- MongoDB ------------------------------------------------------------------------------------


@pytest.fixture
def mongo(mongo_url: str) -> Iterator[tuple[MongoDriver, Client, str]]:
    name = f"held_{uuid.uuid4().hex[:8]}"
    client: Client = pymongo.MongoClient(mongo_url)
    client[name].c.insert_many([{"_id": i, "name": f"n{i}"} for i in range(300)])
    driver = MongoDriver(spec_from_url(f"{mongo_url.rstrip('/')}/{name}"))
    driver.connect()
    try:
        yield driver, client, name
    finally:
        driver.close()
        client.drop_database(name)
        client.close()


@pytest.mark.mongo
def test_mongo_delete_many_match_all_is_counted_and_not_sent(
    mongo: tuple[MongoDriver, Client, str],
) -> None:
    driver, client, name = mongo
    command = 'db.c.deleteMany({name: {$ne: "zzz"}})'
    assert driver.question_before(command) is None
    held = checked(driver, command)
    assert isinstance(held, PendingWrite)
    assert held.capped
    assert not held.ran
    assert held.typed is None
    assert (
        held.question == f"deleteMany would delete more than 100 documents from {name}.c. Run it?"
    )
    assert client[name].c.count_documents({}) == 300
    assert driver.rollback_pending().rowcount == 0
    assert client[name].c.count_documents({}) == 300
    assert isinstance(checked(driver, command), PendingWrite)
    status = driver.commit_pending()
    assert status.rowcount == 300
    assert client[name].c.count_documents({}) == 0


@pytest.mark.mongo
def test_mongo_update_many_small_runs_at_once_big_waits(
    mongo: tuple[MongoDriver, Client, str],
) -> None:
    driver, client, name = mongo
    small = checked(driver, "db.c.updateMany({_id: {$lt: 5}}, {$set: {x: 1}})")
    assert isinstance(small, StatusResult)
    assert small.rowcount == 5
    assert client[name].c.count_documents({"x": 1}) == 5
    held = checked(driver, "db.c.updateMany({_id: {$gte: 150}}, {$set: {y: 1}})")
    assert isinstance(held, PendingWrite)
    assert held.verb == "updateMany"
    assert client[name].c.count_documents({"y": 1}) == 0
    driver.rollback_pending()
    client[name].c.delete_many({"_id": {"$gte": 3}})
    every = checked(driver, "db.c.deleteMany({})")
    assert isinstance(every, PendingWrite)
    assert every.whole
    assert every.affected == 3
    assert every.typed == "c"
    assert every.question == f"deleteMany would delete 3 documents from {name}.c. Run it?"
    list(driver.execute("db.c.find({})"))  # anything else drops the held command
    assert pending_of(driver) is None
    assert client[name].c.count_documents({}) == 3


@pytest.mark.mongo
def test_mongo_edit_is_compare_and_swap(mongo: tuple[MongoDriver, Client, str]) -> None:
    driver, client, name = mongo
    original = driver.find_document(name, "c", 1)
    assert original is not None
    client[name].c.update_one({"_id": 1}, {"$set": {"other": "theirs"}})
    with pytest.raises(DocumentChangedError, match="changed since you opened it"):
        driver.replace_document(name, "c", 1, {"name": "mine"}, original=original)
    assert client[name].c.find_one({"_id": 1}) == {"_id": 1, "name": "n1", "other": "theirs"}
    fresh = driver.find_document(name, "c", 1)
    assert fresh is not None
    driver.replace_document(name, "c", 1, '{name: "$mine"}', original=fresh)
    assert client[name].c.find_one({"_id": 1}) == {"_id": 1, "name": "$mine"}
    tricky = {"_id": 2, "name": "$name", "nested": {"path": "$$ROOT"}}
    client[name].c.replace_one({"_id": 2}, tricky)
    loaded = driver.find_document(name, "c", 2)
    assert loaded == tricky
    driver.replace_document(name, "c", 2, {"name": "ok"}, original=loaded)
    assert client[name].c.find_one({"_id": 2}) == {"_id": 2, "name": "ok"}
