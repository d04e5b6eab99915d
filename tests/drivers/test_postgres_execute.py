"""Running statements: splitting, results, values, notices and error positions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from uuid import UUID

import pytest
from drivertools import connected
from psycopg.types.range import Range

from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.core.results import Result, RowsResult, StatusResult
from dbtui.core.values import format_value
from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres

SCRIPT = """-- a script as a user would type it
create table notes (id serial primary key, body text);
insert into notes (body) values ('semi;colon'), ($q$dollar; quoted$q$);

create function shout(t text) returns text language plpgsql as $body$
begin
    -- a comment; with a semicolon
    return upper(t) || ';';
end;
$body$;
/* block; comment */ select shout(body) from notes order by id;
"""


@pytest.fixture
def driver(both_postgres_db_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, both_postgres_db_url)


def run(driver: PostgresDriver, sql: str) -> list[Result]:
    """Every result of ``sql``, row streams read to the end."""
    results = []
    for result in driver.execute(sql):
        if isinstance(result, RowsResult):
            result.rows.fetch(10_000)
        results.append(result)
    return results


def rows(driver: PostgresDriver, sql: str) -> list[tuple[object, ...]]:
    (result,) = driver.execute(sql)
    assert isinstance(result, RowsResult)
    page = result.rows.fetch(10_000)
    result.rows.close()
    return page


def test_split_keeps_dollar_quotes_strings_and_comments(driver: PostgresDriver) -> None:
    statements = driver.split(SCRIPT)
    assert len(statements) == 4
    assert statements[0].text.startswith("create table notes")
    assert statements[1].text.endswith("($q$dollar; quoted$q$)")
    assert statements[2].text.startswith("create function shout")
    assert statements[2].text.endswith("$body$")
    assert statements[3].text == "select shout(body) from notes order by id"
    for statement in statements:
        assert SCRIPT[statement.start : statement.end] == statement.text


def test_multi_statement_script_runs_each_statement(driver: PostgresDriver) -> None:
    results = list(driver.execute(SCRIPT))
    assert [type(r) for r in results] == [StatusResult, StatusResult, StatusResult, RowsResult]
    assert [r.status for r in results[:3]] == [  # type: ignore[union-attr]
        "CREATE TABLE",
        "INSERT 0 2",
        "CREATE FUNCTION",
    ]
    assert results[1].rowcount == 2  # type: ignore[union-attr]
    select = results[3]
    assert isinstance(select, RowsResult)
    assert [c.name for c in select.columns] == ["shout"]
    assert select.rows.fetch(10) == [("SEMI;COLON;",), ("DOLLAR; QUOTED;",)]
    assert select.rows.exhausted


def test_each_statement_is_sent_alone(driver: PostgresDriver) -> None:
    """Splitting happens before sending: two SELECTs give two results, not the last one."""
    results = run(driver, "select 1 as a; select 2 as b")
    assert [r.columns[0].name for r in results] == ["a", "b"]  # type: ignore[union-attr]


def test_write_statements_report_tag_and_rowcount(driver: PostgresDriver) -> None:
    run(driver, "create table t (id int primary key, v text)")
    (insert,) = run(driver, "insert into t select g, 'x' from generate_series(1, 5) g")
    assert isinstance(insert, StatusResult)
    assert (insert.status, insert.rowcount) == ("INSERT 0 5", 5)
    (update,) = run(driver, "update t set v = 'y' where id > 2")
    assert (update.status, update.rowcount) == ("UPDATE 3", 3)  # type: ignore[union-attr]
    (returning,) = driver.execute("delete from t where id = 1 returning id, v")
    assert isinstance(returning, RowsResult)
    assert returning.rows.fetch(10) == [(1, "x")]
    (ddl,) = run(driver, "alter table t add column w int")
    assert (ddl.status, ddl.rowcount) == ("ALTER TABLE", None)  # type: ignore[union-attr]


def test_notices_and_warnings_are_collected(driver: PostgresDriver) -> None:
    (result,) = run(
        driver, "do $$ begin raise notice 'hello %', 42; raise warning 'careful'; end $$"
    )
    assert result.notices == ("NOTICE: hello 42", "WARNING: careful")  # type: ignore[union-attr]
    assert driver.notices == ["NOTICE: hello 42", "WARNING: careful"]
    run(driver, "select 1")
    assert driver.notices == []


def test_values_come_back_faithfully(driver: PostgresDriver) -> None:
    (result,) = driver.execute(
        "select 123456789012345678901234567890.123456789::numeric as n,"
        ' \'{"a": [1, 2.50, null], "b": {"c": true}}\'::jsonb as j,'
        " '[1, 2]'::json as ja,"
        " '\\x00ff'::bytea as b,"
        " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u,"
        " interval '1 day 02:03:04.5' as i,"
        " '[2024-01-01,2024-02-01)'::daterange as r,"
        " array[1, null, 3] as arr,"
        " null::text as nothing, 'NULL' as word,"
        " timestamptz '2024-01-02 03:04:05+00' as ts"
    )
    assert isinstance(result, RowsResult)
    (row,) = result.rows.fetch(10)
    types = [c.type_name for c in result.columns]
    assert row[0] == Decimal("123456789012345678901234567890.123456789")
    assert row[1] == {"a": [1, Decimal("2.50"), None], "b": {"c": True}}
    assert row[2] == [1, 2]
    assert row[3] == b"\x00\xff"
    assert row[4] == UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    assert row[5] == "1 day 02:03:04.5", "intervals keep the server's text, months included"
    assert row[6] == Range(dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    assert row[7] == [1, None, 3]
    assert (row[8], row[9]) == (None, "NULL")
    rendered = [format_value(value, type_name) for value, type_name in zip(row, types, strict=True)]
    assert rendered[:8] == [
        "123456789012345678901234567890.123456789",
        '{"a":[1,2.50,null],"b":{"c":true}}',
        "[1,2]",
        "\\x00ff",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "1 day 02:03:04.5",
        "[2024-01-01,2024-02-01)",
        "{1,NULL,3}",
    ]
    assert row[10].isoformat().startswith("2024-01-02")  # type: ignore[attr-defined]


def test_values_python_cannot_hold_come_back_as_text(driver: PostgresDriver) -> None:
    values = rows(
        driver,
        "select 'infinity'::timestamptz, '-infinity'::date, '0044-03-15 BC'::date,"
        " array['infinity'::timestamp], 'NaN'::numeric, 'Infinity'::float8",
    )
    (row,) = values
    assert row[:4] == ("infinity", "-infinity", "0044-03-15 BC", ["infinity"])
    assert isinstance(row[4], Decimal)
    assert row[4].is_nan()
    assert row[5] == float("inf")


def test_unknown_types_come_back_as_text_with_their_name(driver: PostgresDriver) -> None:
    """A base type psycopg has never heard of (like pgvector's ``vector``) reads as text."""
    run(
        driver,
        """
        create type fakevec;
        create function fakevec_in(cstring) returns fakevec
            as 'textin' language internal immutable strict;
        create function fakevec_out(fakevec) returns cstring
            as 'textout' language internal immutable strict;
        create type fakevec (input = fakevec_in, output = fakevec_out, like = text);
        """,
    )
    (result,) = driver.execute("select '[1,2,3]'::fakevec as embedding")
    assert isinstance(result, RowsResult)
    assert result.columns[0].type_name == "fakevec"
    assert result.rows.fetch(5) == [("[1,2,3]",)]


@pytest.mark.parametrize(
    ("sql", "near"),
    [
        ("select * from nosuch_table", "nosuch_table"),
        ("select nosuch_column from pg_class", "nosuch_column"),
        ("select 1 fro pg_class", "pg_class"),
        ("insert into nosuch values (1)", "nosuch"),
        ("select 'é', 'ü' || nosuch_col", "nosuch_col"),
    ],
)
def test_error_position_points_into_the_statement(
    driver: PostgresDriver, sql: str, near: str
) -> None:
    with pytest.raises(QueryError) as info:
        run(driver, sql)
    assert info.value.position is not None
    assert sql[info.value.position :].startswith(near)
    assert info.value.statement == sql


def test_error_position_is_relative_to_the_whole_text(driver: PostgresDriver) -> None:
    sql = "select 1;\n  select * from nosuch_table"
    results = driver.execute(sql)
    first = next(results)
    assert isinstance(first, RowsResult)
    with pytest.raises(QueryError) as info:
        next(results)
    assert sql[info.value.position or 0 :].startswith("nosuch_table")
    assert driver.transaction_status == "idle"


def test_error_detail_and_hint(driver: PostgresDriver) -> None:
    run(driver, "create table u (id int primary key); insert into u values (1)")
    with pytest.raises(QueryError) as info:
        run(driver, "insert into u values (1)")
    assert info.value.message == 'duplicate key value violates unique constraint "u_pkey"'
    assert info.value.detail == "Key (id)=(1) already exists."
    with pytest.raises(QueryError) as hinted:
        run(driver, "select lower(1, 2)")
    assert hinted.value.hint is not None
    assert "No function matches" in hinted.value.hint
    assert hinted.value.position == 7


def test_runtime_error_has_no_misleading_position(driver: PostgresDriver) -> None:
    with pytest.raises(QueryError) as info:
        run(driver, "select 1 / (g - 3) from generate_series(1, 5) g")
    assert info.value.message == "division by zero"
    assert driver.transaction_status == "idle"
    assert rows(driver, "select 1") == [(1,)]


def test_copy_to_the_client_is_refused_clearly(driver: PostgresDriver) -> None:
    with pytest.raises(UnsupportedError, match="COPY"):
        run(driver, "copy (select 1) to stdout")
    assert rows(driver, "select 2") == [(2,)]


def test_comments_only_run_nothing(driver: PostgresDriver) -> None:
    assert run(driver, "-- nothing here\n/* at all */ ;") == []


def test_intervals_and_infinite_timestamps_are_shown_as_stored(postgres_url: str) -> None:
    from dbtui.core.registry import open_driver
    from dbtui.core.results import RowsResult
    from dbtui.core.spec import spec_from_url

    driver = open_driver(spec_from_url(postgres_url))
    try:
        result = next(
            driver.execute(
                "SELECT interval '1 year 2 months 3 days', 'infinity'::timestamptz, "
                "'2024-02-29 12:00:00+00'::timestamptz, date '0044-03-15'"
            )
        )
        assert isinstance(result, RowsResult)
        interval, infinite, leap, ides = result.rows.fetch(1)[0]
    finally:
        driver.close()
    assert interval == "1 year 2 mons 3 days"
    assert infinite == "infinity"
    assert isinstance(leap, dt.datetime)
    assert isinstance(ides, dt.date)
    assert leap.year == 2024 and leap.month == 2 and leap.day == 29  # noqa: PT018
    assert ides.year == 44
