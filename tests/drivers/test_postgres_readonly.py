"""Read-only PostgreSQL: every non-read is refused before sending, checked on the server.

"Before sending" is checked on the server: the user session's backend shows the
same last query and ``query_start`` in ``pg_stat_activity`` before and after a
refusal. Each dangerous statement's own effect is checked too (files, large
objects, relfilenodes, ``postgresql.auto.conf``, notifications, statistics).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from drivertools import connected

from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.results import RowsResult, StatusResult
from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres

SETUP = """
create table items (id int primary key, name text);
insert into items select g, 'n' || g from generate_series(1, 100) g;
create sequence seq;
create extension if not exists pg_stat_statements;
create function add_item() returns int language sql volatile
    as 'insert into items values (9999, ''f'') returning 1';
create function stable_count() returns bigint language sql stable
    as 'select count(*) from items';
select lo_from_bytea(4242, 'existing large object');
"""


@pytest.fixture
def db(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(SETUP)
    return postgres_db_url


@pytest.fixture
def admin(db: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(db, autocommit=True) as conn:
        yield conn


@pytest.fixture
def driver(db: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, db, read_only=True)


def one(conn: psycopg.Connection[Any], sql: str, *params: object) -> Any:
    row = conn.execute(sql, params or None).fetchone()
    assert row is not None
    return row[0]


def last_sent(conn: psycopg.Connection[Any], pid: int | None) -> tuple[Any, ...]:
    """What the user session last sent, as the server saw it."""
    row = conn.execute(
        "select query, query_start from pg_stat_activity where pid = %s", [pid]
    ).fetchone()
    assert row is not None
    return tuple(row)


def run_all(driver: PostgresDriver, sql: str) -> list[Any]:
    """Run ``sql`` and read every row of every result."""
    out: list[Any] = []
    for result in driver.execute(sql):
        out.append(result.rows.fetch(10_000) if isinstance(result, RowsResult) else result)
    return out


def assert_refused(
    driver: PostgresDriver, admin: psycopg.Connection[Any], sql: str, *words: str
) -> ReadOnlyError:
    run_all(driver, "select 'marker before refusal'")
    before = last_sent(admin, driver.backend_pid)
    with pytest.raises(ReadOnlyError) as info:
        run_all(driver, sql)
    assert "nothing was sent" in info.value.message
    for word in words:
        assert word in info.value.message
    assert last_sent(admin, driver.backend_pid) == before
    return info.value


def file_exists(admin: psycopg.Connection[Any], path: str) -> bool:
    return one(admin, "select pg_stat_file(%s, true) is not null", path) is True


# -- the statements of issue 12, each with its own effect checked ------------------------------


def test_copy_to_program_runs_no_shell_command(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    marker = f"/tmp/dbtui-ro-{uuid.uuid4().hex}"
    assert_refused(driver, admin, f"copy items to program 'touch {marker}'", "PROGRAM")
    assert_refused(driver, admin, f"copy (select 1) to program 'touch {marker}'", "PROGRAM")
    assert not file_exists(admin, marker)


def test_copy_to_a_file_writes_no_file(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    path = f"/tmp/dbtui-ro-{uuid.uuid4().hex}.csv"
    assert_refused(driver, admin, f"copy items to '{path}'", "file")
    assert_refused(driver, admin, f"copy items from '{path}'", "COPY ... FROM")
    assert not file_exists(admin, path)


@pytest.mark.parametrize(
    "sql",
    [
        "select lo_export(4242, '{path}')",
        "select lo_import('/etc/hostname')",
        "select lo_from_bytea(0, 'x')",
        "select lo_create(0)",
        "select lo_unlink(4242)",
        "select * from items where id = lo_creat(-1)",
    ],
)
def test_large_object_functions_are_refused(
    driver: PostgresDriver, admin: psycopg.Connection[Any], sql: str
) -> None:
    path = f"/tmp/dbtui-ro-{uuid.uuid4().hex}"
    before = one(admin, "select count(*) from pg_largeobject_metadata")
    assert_refused(driver, admin, sql.format(path=path), "lo_", "administration")
    assert one(admin, "select count(*) from pg_largeobject_metadata") == before
    assert not file_exists(admin, path)


@pytest.mark.parametrize(
    ("sql", "relation"),
    [
        ("vacuum full items", "items"),
        ("vacuum items", "items"),
        ("analyze items", "items"),
        ("cluster items using items_pkey", "items"),
        ("reindex table items", "items_pkey"),
        ("reindex index items_pkey", "items_pkey"),
    ],
)
def test_maintenance_commands_are_refused(
    driver: PostgresDriver, admin: psycopg.Connection[Any], sql: str, relation: str
) -> None:
    query = "select pg_relation_filenode(%s::regclass)"
    before = one(admin, query, relation)
    word = sql.split()[0].upper()
    assert_refused(driver, admin, sql, word, "not a plain read")
    assert one(admin, query, relation) == before


def test_alter_system_and_reload_leave_the_configuration(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    auto = "select pg_read_file('postgresql.auto.conf')"
    before = one(admin, auto)
    assert_refused(driver, admin, "alter system set work_mem = '77MB'", "ALTER SYSTEM")
    assert_refused(driver, admin, "alter system reset all", "ALTER SYSTEM")
    assert_refused(driver, admin, "select pg_reload_conf()", "pg_reload_conf")
    assert one(admin, auto) == before
    assert "77MB" not in before


def test_checkpoint_is_refused(driver: PostgresDriver, admin: psycopg.Connection[Any]) -> None:
    assert_refused(driver, admin, "checkpoint", "CHECKPOINT")


def test_notify_reaches_no_listener(
    driver: PostgresDriver, admin: psycopg.Connection[Any], db: str
) -> None:
    with psycopg.connect(db, autocommit=True) as listener:
        listener.execute("listen dbtui_ro")
        assert_refused(driver, admin, "notify dbtui_ro, 'hello'", "NOTIFY")
        assert_refused(driver, admin, "select pg_notify('dbtui_ro', 'hello')", "pg_notify")
        admin.execute("notify dbtui_ro, 'control'")  # the listener does hear a real one
        heard = [n.payload for n in listener.notifies(timeout=1.0, stop_after=2)]
    assert heard == ["control"]


def test_pg_stat_statements_is_not_reset(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("select 1 as dbtui_must_survive")
    survivors = "select count(*) from pg_stat_statements where query like '%dbtui_must_survive%'"
    assert one(admin, survivors) >= 1
    assert_refused(driver, admin, "select pg_stat_statements_reset()", "pg_stat_statements_reset")
    assert_refused(driver, admin, "select pg_stat_reset()", "pg_stat_reset")
    assert_refused(driver, admin, "select pg_stat_reset_shared('bgwriter')", "pg_stat_reset")
    assert one(admin, survivors) >= 1


def test_a_volatile_function_that_inserts_is_not_run(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    for sql in (
        "select add_item()",
        "select * from add_item()",
        "select name from items where id = (select add_item())",
        "select public.add_item()",
        "with x as (select add_item()) select * from x",
        "values (add_item())",
        "declare c cursor for select add_item()",
    ):
        assert_refused(driver, admin, sql, "add_item", "VOLATILE")
    assert one(admin, "select count(*) from items") == 100


# -- more of our own ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("insert into items values (500, 'x')", ("INSERT",)),
        ("update items set name = 'x' where id = 1", ("UPDATE",)),
        ("delete from items where id = 1", ("DELETE",)),
        ("truncate items", ("TRUNCATE",)),
        ("drop table items", ("DROP TABLE",)),
        ("create table other (a int)", ("CREATE TABLE",)),
        ("create index on items (name)", ("CREATE INDEX",)),
        ("select * into copy_of_items from items", ("SELECT INTO",)),
        ("create table c2 as select * from items", ("CREATE TABLE AS",)),
        ("with d as (delete from items returning *) select count(*) from d", ("DELETE",)),
        ("select * from items for update", ("FOR UPDATE",)),
        ("select * from (select * from items for share) s", ("FOR UPDATE/SHARE",)),
        ("explain analyze delete from items", ("EXPLAIN ANALYZE", "DELETE")),
        ("explain analyze select add_item()", ("add_item",)),
        ("prepare ins as insert into items values (7000, 'p')", ("PREPARE",)),
        ("execute never_prepared", ("EXECUTE",)),
        ("do $$ begin perform 1; end $$", ("DO",)),
        ("lock table items", ("LOCK",)),
        ("load 'auto_explain'", ("LOAD",)),
        ("listen somewhere", ("LISTEN",)),
        ("set default_transaction_read_only = off", ("read-write",)),
        ("set transaction_read_only = off", ("read-write",)),
        ("set session characteristics as transaction read write", ("read-write",)),
        ("reset all", ("read-write",)),
        ("discard all", ("read-write",)),
        ("begin read write", ("read-write",)),
        ("set role postgres", ("role",)),
        ("set session authorization postgres", ("session_authorization",)),
        ("prepare transaction 'x'", ("PREPARE TRANSACTION",)),
        ("rollback prepared 'x'", ("ROLLBACK PREPARED",)),
        ("select set_config('work_mem', '1MB', false)", ("set_config",)),
        ("select nextval('seq')", ("nextval",)),
        ("select pg_advisory_lock(1)", ("pg_advisory_lock",)),
        ("select pg_terminate_backend(1)", ("pg_terminate_backend",)),
        ("select pg_cancel_backend(1)", ("pg_cancel_backend",)),
        ("select pg_rotate_logfile()", ("pg_rotate_logfile",)),
        ("select pg_switch_wal()", ("pg_switch_wal",)),
        ("select pg_create_restore_point('x')", ("pg_create_restore_point",)),
        ("select pg_read_file('/etc/passwd')", ("pg_read_file",)),
        ("select pg_read_binary_file('/etc/passwd')", ("pg_read_binary_file",)),
        ("select * from pg_ls_dir('.')", ("pg_ls_dir",)),
        ("select dblink_exec('dbname=x', 'drop table items')", ("dblink_exec",)),
        ("select * from dblink('dbname=x', 'select 1') as t(a int)", ("dblink",)),
        ("select pg_file_write('x', 'y', false)", ("pg_file_write",)),
        ("select query_to_xml('select 1', true, true, '')", ("query_to_xml",)),
        ("select no_such_function_anywhere()", ("not in the catalog",)),
        ("call some_procedure()", ("CALL",)),
        ("create function g() returns int language sql as 'select 1'", ("CREATE FUNCTION",)),
        ("grant select on items to public", ("GRANT",)),
        ("refresh materialized view m", ("REFRESH",)),
    ],
)
def test_other_non_reads_are_refused(
    driver: PostgresDriver, admin: psycopg.Connection[Any], sql: str, words: tuple[str, ...]
) -> None:
    assert_refused(driver, admin, sql, *words)
    assert one(admin, "select count(*) from items") == 100
    assert driver.transaction_status == "idle"


def test_sequences_and_advisory_locks_are_untouched(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    assert_refused(driver, admin, "select nextval('seq')", "nextval")
    assert_refused(driver, admin, "select pg_advisory_lock(42)", "pg_advisory_lock")
    assert one(admin, "select is_called from seq") is False
    assert one(admin, "select count(*) from pg_locks where locktype = 'advisory'") == 0


def test_terminate_backend_leaves_the_other_session_alive(
    driver: PostgresDriver, admin: psycopg.Connection[Any], db: str
) -> None:
    with psycopg.connect(db, autocommit=True) as victim:
        pid = victim.info.backend_pid
        assert_refused(driver, admin, f"select pg_terminate_backend({pid})", "pg_terminate")
        assert one(victim, "select 1") == 1


def test_a_script_stops_at_the_refused_statement(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    results = driver.execute("select 1;\nvacuum full items;\nselect 2")
    first = next(results)
    assert isinstance(first, RowsResult)
    first.rows.close()
    with pytest.raises(ReadOnlyError) as info:
        next(results)
    assert info.value.position == len("select 1;\n")
    assert info.value.statement == "select 1;\nvacuum full items;\nselect 2"


def test_a_syntax_error_is_reported_without_sending(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    with pytest.raises(QueryError) as info:
        run_all(driver, "select 1;\nselect * fro items")
    assert not isinstance(info.value, ReadOnlyError)
    assert info.value.position is not None
    assert "select 1;\nselect * fro items"[info.value.position :].startswith("fro")
    assert "fro items" not in last_sent(admin, driver.backend_pid)[0]


# -- what read-only allows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "select count(*) from items",
        "select lower(name), now(), random(), pg_sleep(0), clock_timestamp() from items limit 1",
        "select pg_size_pretty(pg_total_relation_size('items')), pg_relation_size('items')",
        "select stable_count()",
        "select current_setting('work_mem'), pg_is_in_recovery(), version()",
        "values (1), (2)",
        "table items",
        "with x as (select * from items where id < 5) select count(*) from x",
        "select * from generate_series(1, 3) g join items on items.id = g",
        "explain select * from items",
        "explain analyze select count(*) from items",
        "explain insert into items values (1)",
        "show work_mem",
        "show all",
        "set work_mem = '8MB'",
        "set search_path = public",
        "reset work_mem",
        "set default_transaction_read_only = on",
        "set transaction_read_only = true",
        "discard plans",
        "unlisten *",
        "select * from pg_stat_activity",
        "select * from pg_stat_statements limit 1",
    ],
)
def test_plain_reads_run(driver: PostgresDriver, sql: str) -> None:
    results = run_all(driver, sql)
    assert results
    assert driver.transaction_status == "idle"


def test_transactions_cursors_and_prepared_reads(
    driver: PostgresDriver, admin: psycopg.Connection[Any]
) -> None:
    run_all(driver, "begin")
    run_all(driver, "savepoint a")
    run_all(driver, "declare c cursor for select id from items order by id")
    (fetched,) = run_all(driver, "fetch 3 from c")
    assert fetched == [(1,), (2,), (3,)]
    run_all(driver, "move 10 in c")
    run_all(driver, "close c")
    run_all(driver, "rollback to savepoint a")
    run_all(driver, "release savepoint a")
    run_all(driver, "commit")
    run_all(driver, "prepare counted as select count(*) from items where id > $1")
    (rows,) = run_all(driver, "execute counted(90)")
    assert rows == [(10,)]
    run_all(driver, "deallocate counted")
    (status,) = run_all(driver, "start transaction read only")
    assert isinstance(status, StatusResult)
    run_all(driver, "rollback")
    assert_refused(driver, admin, "execute counted(1 + add_item())", "add_item")


def test_explain_analyze_of_a_read_runs_read_only(driver: PostgresDriver) -> None:
    (top,) = driver.explain_json("select count(*) from items", analyze=True)
    assert top["Plan"]["Actual Rows"] == 1
    with pytest.raises(ReadOnlyError, match="nothing was sent"):
        driver.explain_json("select add_item()", analyze=True)
    (plain,) = driver.explain_json("select add_item()")  # planned, never run
    assert plain["Plan"]["Node Type"] == "Result"
