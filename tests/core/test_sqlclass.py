"""Statement classification with the real PostgreSQL parser: plain strings, no I/O."""

from __future__ import annotations

import pytest

from dbtui.core.errors import QueryError
from dbtui.core.sqlclass import StatementKind, classify

READ, WRITE, DDL = StatementKind.READ, StatementKind.WRITE, StatementKind.DDL
TRANSACTION, OTHER = StatementKind.TRANSACTION, StatementKind.OTHER


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("select 1", READ),
        ("SELECT * FROM t WHERE a = 1 FOR UPDATE", READ),
        ("values (1), (2)", READ),
        ("table t", READ),
        ("select 1 union all select 2", READ),
        ("show work_mem", READ),
        ("explain select * from t", READ),
        ("explain delete from t", READ),
        ("explain (analyze off) delete from t", READ),
        ("explain analyze select 1", READ),
        ("explain analyze delete from t where id = 1", WRITE),
        ("explain (analyze, buffers) insert into t values (1)", WRITE),
        ("copy t to stdout", READ),
        ("copy (select 1) to '/tmp/x'", READ),
        ("fetch 10 from c", READ),
        ("insert into t values (1)", WRITE),
        ("update t set a = 1 where id = 2", WRITE),
        ("delete from t where id = 2", WRITE),
        ("merge into t using s on t.id = s.id when matched then delete", WRITE),
        ("truncate t", WRITE),
        ("copy t from stdin", WRITE),
        ("refresh materialized view mv", WRITE),
        ("with d as (delete from t returning *) select * from d", WRITE),
        ("create table t (id int)", DDL),
        ("create index on t (a)", DDL),
        ("alter table t add column b int", DDL),
        ("drop table t", DDL),
        ("create table x as select 1", DDL),
        ("select * into x from t", DDL),
        ("grant select on t to bob", DDL),
        ("comment on table t is 'x'", DDL),
        ("create extension hypopg", DDL),
        ("create function f() returns int language sql as 'select 1'", DDL),
        ("begin", TRANSACTION),
        ("start transaction isolation level serializable", TRANSACTION),
        ("commit", TRANSACTION),
        ("rollback to savepoint a", TRANSACTION),
        ("set work_mem = '64MB'", OTHER),
        ("vacuum analyze t", OTHER),
        ("call p(1)", OTHER),
        ("do $$ begin perform 1; end $$", OTHER),
        ("execute q(1)", OTHER),
        ("lock table t", OTHER),
        ("move 10 in c", OTHER),
        ("listen ch", OTHER),
    ],
)
def test_kind(sql: str, kind: StatementKind) -> None:
    result = classify(sql)
    assert result.count == 1
    assert result.kind is kind


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("drop table t", "DROP TABLE t"),
        ("DROP TABLE IF EXISTS a, s.b CASCADE", "DROP TABLE a, s.b"),
        ("drop materialized view mv", "DROP MATERIALIZED VIEW mv"),
        ("drop index concurrently s.i", "DROP INDEX s.i"),
        ("drop schema s cascade", "DROP SCHEMA s"),
        ("drop function f(int), g()", "DROP FUNCTION f, g"),
        ("drop database shop", "DROP DATABASE shop"),
        ("drop role bob", "DROP ROLE"),
        ("drop owned by bob", "DROP OWNED"),
        ("truncate a, s.b", "TRUNCATE removes every row of a, s.b"),
        ("delete from s.t", "DELETE without WHERE removes every row of s.t"),
        ("delete from t using u", "DELETE without WHERE removes every row of t"),
        ("update t set a = 1", "UPDATE without WHERE changes every row of t"),
        ("alter table t drop column c", "ALTER TABLE t DROP COLUMN c"),
        (
            "alter table t drop constraint k, drop column if exists c",
            "ALTER TABLE t DROP CONSTRAINT k, DROP COLUMN c",
        ),
        ("alter type ty drop attribute a", "ALTER TYPE ty DROP ATTRIBUTE a"),
        (
            "with d as (delete from t returning id) select count(*) from d",
            "DELETE without WHERE removes every row of t",
        ),
        (
            "with a as (with b as (update t set x = 1) select 1) select * from a",
            "UPDATE without WHERE changes every row of t",
        ),
        ("explain analyze delete from t", "DELETE without WHERE removes every row of t"),
    ],
)
def test_destructive(sql: str, reason: str) -> None:
    result = classify(sql)
    assert result.is_destructive
    assert result.reason == reason


@pytest.mark.parametrize(
    "sql",
    [
        "select * from t",
        "delete from t where id = 1",
        "delete from t where current of c",
        "update t set a = 1 where a = 1 or 1 = 2",
        "alter table t add column c int",
        "alter table t alter column c drop not null",
        "alter table t alter column c drop default",
        "explain delete from t",
        "prepare q as delete from t",
        "create rule r as on insert to t do also delete from u",
        "create function f() returns void language sql as 'delete from t'",
        "insert into t select * from u",
        "begin",
    ],
)
def test_not_destructive(sql: str) -> None:
    result = classify(sql)
    assert not result.is_destructive
    assert result.reason == ""


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("with d as (delete from t returning *) select * from d", True),
        ("with i as (insert into t values (1) returning id) select id from i", True),
        ("with x as (select 1) update t set a = (select * from x) where id = 1", False),
        ("with x as (select 1) select * from x", False),
        ("explain analyze with d as (delete from t returning *) select 1", True),
        ("explain with d as (delete from t returning *) select 1", False),
        ("select 1", False),
    ],
)
def test_data_modifying_cte(sql: str, expected: bool) -> None:
    assert classify(sql).has_data_modifying_cte is expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select 1", True),
        ("values (1)", True),
        ("select 1 into temp x", False),
        ("insert into t values (1)", False),
        ("insert into t values (1) returning id", True),
        ("update t set a = 1 where b = 2 returning *", True),
        ("delete from t where id = 1 returning id", True),
        ("delete from t where id = 1", False),
        ("show all", True),
        ("explain select 1", True),
        ("fetch 5 from c", True),
        ("move 5 in c", False),
        ("call p()", True),
        ("execute q", True),
        ("create table t (id int)", False),
        ("set work_mem = '1MB'", False),
        ("copy t to stdout", False),
        ("begin", False),
    ],
)
def test_returns_rows(sql: str, expected: bool) -> None:
    assert classify(sql).returns_rows is expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("set default_transaction_read_only = off", True),
        ("SET default_transaction_read_only TO false", True),
        ("set session default_transaction_read_only = 0", True),
        ("set default_transaction_read_only to default", True),
        ("reset default_transaction_read_only", True),
        ("set transaction_read_only = off", True),
        ("set default_transaction_read_only = on", False),
        ("reset all", True),
        ("discard all", True),
        ("discard plans", False),
        ("begin read write", True),
        ("start transaction isolation level serializable, read write", True),
        ("begin read only", False),
        ("begin", False),
        ("set transaction read write", True),
        ("set session characteristics as transaction read write", True),
        ("set session characteristics as transaction read only", False),
        ("select set_config('default_transaction_read_only', 'off', false)", True),
        ("select pg_catalog.set_config('transaction_read_only', 'off', true)", True),
        ("select set_config(name, 'off', false) from settings", True),
        ("select set_config('work_mem', '1MB', false)", False),
        ("set work_mem = '1MB'", False),
        ("select 1", False),
    ],
)
def test_disables_read_only(sql: str, expected: bool) -> None:
    assert classify(sql).disables_read_only is expected


def test_several_statements_keep_offsets_and_summarise() -> None:
    script = "begin;\n  delete from t;\nselect 'é';\ncommit"
    result = classify(script)
    assert result.count == 4
    assert [s.kind for s in result.statements] == [TRANSACTION, WRITE, READ, TRANSACTION]
    assert result.kind is WRITE
    assert result.is_destructive
    assert result.returns_rows
    second = result.statements[1]
    assert second.text == "delete from t"
    assert script[second.start : second.start + len(second.text)] == "delete from t"
    third = result.statements[2]
    assert script[third.start : third.start + len(third.text)] == "select 'é'"
    assert result.writes


def test_kind_priority_of_a_script() -> None:
    assert classify("select 1; create table t (a int); insert into t values (1)").kind is DDL
    assert classify("select 1; set work_mem = '1MB'").kind is OTHER
    assert classify("select 1; select 2").kind is READ
    assert not classify("select 1; begin; commit").writes


def test_empty_script_and_comments_only() -> None:
    assert classify("").count == 0
    assert classify("  -- nothing\n /* here */ ;").count == 0
    assert classify("").kind is OTHER
    assert not classify("").is_destructive


def test_dollar_quoted_body_is_one_statement() -> None:
    script = (
        "create function f() returns int language plpgsql as $body$\n"
        "begin delete from t; return 1; end $body$; select f()"
    )
    result = classify(script)
    assert result.count == 2
    assert result.statements[0].kind is DDL
    assert not result.is_destructive


@pytest.mark.parametrize(
    ("sql", "position", "near"),
    [
        ("selec 1", 0, "selec"),
        ("select * fro t", 9, "fro"),
        ("select 1;\nselect 'é' frm t", 25, "t"),
        ("select (1", 9, ""),
        ("select (1  \n", 9, ""),
    ],
)
def test_parse_error_has_a_position(sql: str, position: int, near: str) -> None:
    with pytest.raises(QueryError) as info:
        classify(sql)
    assert info.value.position == position
    assert sql[position:].startswith(near)
    assert info.value.statement == sql
    assert "syntax error" in info.value.message


def test_unterminated_string_is_a_query_error() -> None:
    with pytest.raises(QueryError) as info:
        classify("select 'abc")
    assert "unterminated" in info.value.message
    assert info.value.position == 7
