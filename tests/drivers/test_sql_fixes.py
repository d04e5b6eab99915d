"""Small SQL fixes on real servers: SQL INSERT export keeps the schema, a constant-true WHERE
is confirmed like no WHERE, and a connection from ``PG*`` variables is labelled by its host."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from drivertools import connected
from psycopg.conninfo import conninfo_to_dict

from dbtui.core import spec as spec_module
from dbtui.core.export import qualified_name_text, split_qualified_name
from dbtui.core.results import RowsResult
from dbtui.core.spec import spec_from_url
from dbtui.core.writes import PendingWrite
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.sqlite import SqliteDriver
from dbtui.ui.export_job import ExportRequest, guess_table, run_export, source_of, table_parts


@pytest.fixture
def pg(postgres_db_url: str) -> Iterator[PostgresDriver]:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute('CREATE SCHEMA "Sales Dept"')
        conn.execute('CREATE TABLE "Sales Dept".orders (id int PRIMARY KEY, note text)')
        conn.execute("INSERT INTO \"Sales Dept\".orders VALUES (1, 'a'), (2, NULL)")
        conn.execute("CREATE TABLE public.orders (id int PRIMARY KEY, note text)")
    yield from connected(PostgresDriver, postgres_db_url)


# -- SQL INSERT export keeps the schema -----------------------------------------------------------


def test_qualified_names_are_read_as_the_server_reads_them() -> None:
    assert split_qualified_name('public."Order Items"') == ("public", "Order Items")
    assert split_qualified_name(" Sales . Orders ") == ("sales", "orders")
    assert split_qualified_name('"odd.name"') == ("odd.name",)
    assert split_qualified_name('"a""b".c') == ('a"b', "c")
    assert split_qualified_name("my table") is None
    assert split_qualified_name("a..b") is None
    assert qualified_name_text(("Sales Dept", "orders")) == '"Sales Dept".orders'
    assert table_parts('"Sales Dept".orders') == ("Sales Dept", "orders")
    assert table_parts("my table") == "my table"
    assert table_parts("orders") == "orders"


@pytest.mark.postgres
def test_sql_export_keeps_the_schema(pg: PostgresDriver, postgres_db_url: str) -> None:
    statement = 'SELECT * FROM "Sales Dept".orders ORDER BY id'
    result = next(iter(pg.execute(statement)))
    assert isinstance(result, RowsResult)
    source = source_of(result, result.rows.fetch(500), "postgresql")
    assert source is not None
    assert source.table == '"Sales Dept".orders'
    outcome = run_export(
        source, ExportRequest("sql", None, source.table), threading.Event(), lambda n: None
    )
    assert outcome.text is not None
    assert outcome.text.startswith('INSERT INTO "Sales Dept"."orders" ("id", "note") VALUES')
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute('DELETE FROM "Sales Dept".orders')
        conn.execute(outcome.text)  # goes back into the schema's table, not public.orders
        assert conn.execute('SELECT count(*) FROM "Sales Dept".orders').fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM public.orders").fetchone() == (0,)


def test_guess_table_keeps_every_part() -> None:
    assert guess_table("select * from shop . orders o") == "shop.orders"
    assert guess_table('SELECT 1 FROM "My Schema"."T" t') == '"My Schema"."T"'
    assert guess_table("SELECT 1") == "exported_rows"


# -- a constant-true WHERE is no WHERE --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        'DELETE FROM "Sales Dept".orders WHERE true',
        'DELETE FROM "Sales Dept".orders WHERE 1 = 1',
        "UPDATE \"Sales Dept\".orders SET note = 'x' WHERE true",
        "UPDATE \"Sales Dept\".orders SET note = 'x' WHERE 1=1 OR id = 5",
    ],
)
def test_postgres_constant_true_where_is_confirmed(
    pg: PostgresDriver, postgres_db_url: str, sql: str
) -> None:
    question = pg.needs_confirmation(sql)
    assert question is not None
    assert "always-true WHERE" in question.question
    # With held writes it is held whatever the row count (2 rows, under the threshold).
    assert pg.question_before(sql) is None
    held = next(iter(pg.execute_checked(sql, 100)))
    assert isinstance(held, PendingWrite)
    assert held.whole
    pg.rollback_pending()
    with psycopg.connect(postgres_db_url) as conn:
        rows = conn.execute('SELECT id, note FROM "Sales Dept".orders ORDER BY id').fetchall()
    assert rows == [(1, "a"), (2, None)]


@pytest.mark.postgres
def test_postgres_real_filter_is_not_held(pg: PostgresDriver) -> None:
    sql = 'DELETE FROM "Sales Dept".orders WHERE id = 1 OR 1 = 2'
    assert pg.needs_confirmation(sql) is None
    result = next(iter(pg.execute_checked(sql, 100)))
    assert not isinstance(result, PendingWrite)


def test_sqlite_constant_true_where_is_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER)")
        conn.executemany("INSERT INTO t (a) VALUES (?)", [(i,) for i in range(5)])
    driver = SqliteDriver(spec_from_url(f"sqlite://{path}"))
    driver.connect()
    try:
        question = driver.needs_confirmation("DELETE FROM t WHERE 1")
        assert question is not None
        assert "DELETE with an always-true WHERE removes every row of t" in question.question
        held = next(iter(driver.execute_checked("UPDATE t SET a = 0 WHERE 1 = 1", 100)))
        assert isinstance(held, PendingWrite)
        assert held.affected == 5
        driver.rollback_pending()
    finally:
        driver.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT sum(a) FROM t").fetchone() == (10,)


# -- PG* environment variables name the connection ----------------------------------------------------


@pytest.fixture
def fresh_url_facts() -> Iterator[None]:
    """URL facts are cached per text; the environment changes here, so start and end clean."""
    spec_module._url_facts.cache_clear()
    yield
    spec_module._url_facts.cache_clear()


@pytest.mark.postgres
def test_pghost_names_the_connection(postgres_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    params = conninfo_to_dict(postgres_db_url)
    for variable in ("PGHOSTADDR", "PGSERVICE", "PGSERVICEFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PGHOST", str(params["host"]))
    monkeypatch.setenv("PGPORT", str(params["port"]))
    monkeypatch.setenv("PGDATABASE", str(params["dbname"]))
    monkeypatch.setenv("PGUSER", str(params["user"]))
    spec = spec_from_url("postgresql://")
    assert spec.name == f"{params['host']}:{params['port']}/{params['dbname']}"
    assert "localhost" not in spec.name
    # and that is where it connects
    for driver in connected(PostgresDriver, "postgresql://"):
        assert driver.current_database == params["dbname"]
    # what the URL says still wins over the environment
    assert spec_from_url("postgresql://db.example/shop").name == f"db.example:{params['port']}/shop"


@pytest.mark.usefixtures("fresh_url_facts")
def test_without_pg_variables_the_label_is_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGSERVICE"):
        monkeypatch.delenv(variable, raising=False)
    assert spec_from_url("postgresql://").name == "localhost"
    monkeypatch.setenv("PGSERVICE", "prod")
    spec_module._url_facts.cache_clear()
    assert spec_from_url("postgresql://").name == "service=prod"
