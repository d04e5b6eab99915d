"""Server-side CSV export (``COPY ... TO STDOUT``) against the real PostgreSQL, compared with the row path."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from drivertools import connected

from dbtui.core.capabilities.exporting import (
    ExportCancelled,
    ServerExport,
    ServerExportUnavailable,
)
from dbtui.core.errors import DbtuiError
from dbtui.core.results import Column, RowsResult, Stream
from dbtui.drivers.postgres import PostgresDriver
from dbtui.ui.export_job import ExportRequest, run_export, source_of

pytestmark = pytest.mark.postgres

SETUP = r"""
CREATE TABLE odd (
    id int PRIMARY KEY, t text, b boolean, ts timestamp, tz timestamptz, d date,
    n numeric, f float8, by bytea, ia int[], ta text[], ba boolean[], j jsonb, js json,
    iv interval, u uuid
);
INSERT INTO odd VALUES
 (1, 'plain', true, '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+00', '2024-01-02',
  1.50, 2.5, '\x00ff', '{1,2,NULL}', '{"a,b","q\"uote",NULL,""}', '{t,f}',
  '{"k": [1, 2.50, null], "s": "x"}', '{"a":1,  "b":"y"}', '1 year 2 mons 3 days 04:05:06',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, '', false, 'infinity', '-infinity', 'infinity', 'NaN', 'NaN', '', '{}', '{}', '{}',
  '[]', '"str"', '0', '00000000-0000-0000-0000-000000000000'),
 (4, E'ünïcødé ✓ 日本, "quoted"\nnew line\r\n', true, '1999-12-31 23:59:59',
  '2024-06-01 12:00:00.5+05:30', '1999-12-31', 1e-7, 100, '\xdeadbeef', '{-1}', '{x}', '{f}',
  '{"nested": {"deep": "ü"}}', 'null', '-1 days', NULL),
 (5, '  lead and trail  ', true, NULL, NULL, NULL, -0.000, 1e300, NULL, NULL, NULL, NULL,
  'true', '3.14', NULL, NULL),
 (6, '\.', NULL, NULL, NULL, NULL, NULL, -0.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO odd (id, t, b, n) SELECT g, 'row ' || g, g % 2 = 0, g FROM generate_series(7, 1200) g;
CREATE TABLE written (n int);
CREATE FUNCTION writes() RETURNS int LANGUAGE sql AS 'INSERT INTO written VALUES (1) RETURNING n';
"""

SAME_TEXT = ("id", "t", "b", "ts", "d", "n", "by", "ia", "ta", "iv", "u")
"""Columns whose CSV text is identical on both paths (the others are equal in meaning)."""

QUERY = "SELECT * FROM odd ORDER BY id"


@pytest.fixture
def db(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(SETUP)
    return postgres_db_url


@pytest.fixture
def driver(db: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, db)


def first_result(driver: PostgresDriver, sql: str) -> RowsResult:
    result = next(iter(driver.execute(sql)))
    assert isinstance(result, RowsResult)
    return result


def row_path(driver: PostgresDriver, sql: str, target: Path) -> None:
    """Today's export: the loaded page, then the stream, formatted in Python."""
    result = first_result(driver, sql)
    source = source_of(result, result.rows.fetch(500), "postgresql")  # no driver: row path
    assert source is not None
    assert source.server is None
    run_export(source, ExportRequest("csv", target), threading.Event(), lambda n: None)


def server_path(driver: PostgresDriver, sql: str, target: Path, **kw: Any) -> int:
    cancelled = kw.get("cancelled", threading.Event())
    progress = kw.get("progress", lambda rows, size: None)
    with target.open("wb") as out:
        return driver.export_csv(sql, out, progress, cancelled)


def table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def load_back(db: str, path: Path, name: str) -> None:
    """``COPY name FROM STDIN (FORMAT csv, HEADER)`` with ``path``'s bytes."""
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} (LIKE odd)")
        with conn.cursor().copy(f"COPY {name} FROM STDIN (FORMAT csv, HEADER)") as copy:
            copy.write(path.read_bytes())


def test_the_copy_path_writes_the_rows_of_the_row_path(
    driver: PostgresDriver, db: str, tmp_path: Path
) -> None:
    assert isinstance(driver, ServerExport)
    fast, slow = tmp_path / "copy.csv", tmp_path / "rows.csv"
    assert server_path(driver, QUERY, fast) == 1200
    row_path(driver, QUERY, slow)
    copied, rowed = table(fast), table(slow)
    header = [
        "id",
        "t",
        "b",
        "ts",
        "tz",
        "d",
        "n",
        "f",
        "by",
        "ia",
        "ta",
        "ba",
        "j",
        "js",
        "iv",
        "u",
    ]
    assert copied[0] == rowed[0] == header
    assert len(copied) == len(rowed) == 1201
    index = [copied[0].index(name) for name in SAME_TEXT]
    for a, b in zip(copied, rowed, strict=True):
        assert [a[i] for i in index] == [b[i] for i in index]
    raw = fast.read_text(encoding="utf-8")
    assert "\n2,,,,,,,,,,,,,,,\n" in raw  # NULL is an empty unquoted field
    assert '\n3,"",false,' in raw  # the empty string is quoted; booleans are true/false
    assert "\n6,\\.," in raw  # not alone on its line: not COPY's end marker
    # The rest is equal in meaning: both files load back to the same values.
    load_back(db, fast, "from_copy")
    load_back(db, slow, "from_rows")
    with psycopg.connect(db) as conn:
        diff = conn.execute(
            "SELECT count(*) FROM (SELECT id, t, b, ts, tz, d, n, f, by, ia, ta, ba, j,"
            " js::jsonb, iv, u FROM from_copy EXCEPT ALL SELECT id, t, b, ts, tz, d, n, f,"
            " by, ia, ta, ba, j, coalesce(js::jsonb, CASE id WHEN 4 THEN 'null'::jsonb END), iv, u"
            " FROM from_rows) x"
        ).fetchone()
        json_null = conn.execute("SELECT js::text FROM from_copy WHERE id = 4").fetchone()
        same = conn.execute(
            "SELECT count(*) FROM from_copy c JOIN odd o USING (id)"
            " WHERE (c.t, c.tz, c.f, c.ba) IS NOT DISTINCT FROM (o.t, o.tz, o.f, o.ba)"
        ).fetchone()
    assert diff == (0,)
    assert json_null == ("null",)  # the row path writes JSON null as SQL NULL (psycopg: None)
    assert same == (1200,)


def test_the_documented_spelling_differences(driver: PostgresDriver, tmp_path: Path) -> None:
    fast, slow = tmp_path / "copy.csv", tmp_path / "rows.csv"
    sql = (
        "SELECT 100::float8 AS f, '2024-01-02 03:04:05+00'::timestamptz AS tz, '{t}'::bool[] AS ba"
    )
    server_path(driver, sql, fast)
    row_path(driver, sql, slow)
    assert fast.read_text(encoding="utf-8").splitlines()[1] == "100,2024-01-02 03:04:05+00,{t}"
    assert slow.read_text(encoding="utf-8").splitlines()[1].startswith("100.0,2024-01-02 03:04:05+")


def test_header_names_are_quoted_and_repeated_names_kept(
    driver: PostgresDriver, tmp_path: Path
) -> None:
    target = tmp_path / "h.csv"
    sql = 'WITH v AS (VALUES (1, 2)) SELECT column1 AS "a,b", column2 AS a, 3 AS a, 4 FROM v'
    assert server_path(driver, sql, target) == 1
    assert target.read_text(encoding="utf-8") == '"a,b",a,a,?column?\n1,2,3,4\n'
    assert server_path(driver, "SELECT '\\.' AS x", target) == 1
    assert target.read_text(encoding="utf-8") == 'x\n"\\."\n'  # alone, COPY's end marker
    assert server_path(driver, "SELECT 1 AS x -- a trailing comment", target) == 1
    assert target.read_text(encoding="utf-8") == "x\n1\n"


def test_cancel_stops_the_copy_and_run_export_deletes_the_file(
    driver: PostgresDriver, tmp_path: Path
) -> None:
    sql = "SELECT g, repeat('x', 200) FROM generate_series(1, 100000) g"
    result = first_result(driver, sql)
    source = source_of(result, result.rows.fetch(500), "postgresql", driver)
    assert source is not None
    cancelled = threading.Event()
    seen: list[int] = []

    def progress(rows: int) -> None:
        seen.append(rows)
        cancelled.set()  # after the first megabyte

    target = tmp_path / "partial.csv"
    with pytest.raises(ExportCancelled):
        run_export(source, ExportRequest("csv", target), cancelled, progress)
    assert not target.exists()
    assert len(seen) == 1
    assert 0 < seen[0] < 100_000
    assert driver.transaction_status == "idle"
    assert len(result.rows.fetch(500)) == 500  # the shown result's cursor survived


def test_cancel_before_the_first_row_interrupts_the_server(
    driver: PostgresDriver, tmp_path: Path
) -> None:
    cancelled = threading.Event()
    timer = threading.Timer(0.3, cancelled.set)
    timer.start()
    with pytest.raises(ExportCancelled):
        server_path(driver, "SELECT pg_sleep(30)", tmp_path / "s.csv", cancelled=cancelled)
    timer.join()
    assert first_result(driver, "SELECT 1").rows.fetch(1) == [(1,)]


def test_inside_a_transaction_an_error_does_not_abort_it(
    driver: PostgresDriver, tmp_path: Path
) -> None:
    list(driver.execute("BEGIN"))
    list(driver.execute("INSERT INTO written VALUES (7)"))
    with pytest.raises(DbtuiError, match="division by zero"):
        server_path(driver, "SELECT 1 / (g - 3) FROM generate_series(1, 5) g", tmp_path / "e.csv")
    assert driver.transaction_status == "in transaction"
    target = tmp_path / "in.csv"
    assert server_path(driver, "SELECT n FROM written", target) == 1  # sees its own insert
    assert target.read_text(encoding="utf-8") == "n\n7\n"
    list(driver.execute("ROLLBACK"))


def test_a_read_only_session_exports_and_still_refuses_writes(db: str, tmp_path: Path) -> None:
    for driver in connected(PostgresDriver, db, read_only=True):
        target = tmp_path / "ro.csv"
        assert server_path(driver, "SELECT id, t FROM odd WHERE id <= 3 ORDER BY id", target) == 3
        assert target.read_text(encoding="utf-8") == 'id,t\n1,plain\n2,\n3,""\n'
        with pytest.raises(DbtuiError, match="read-only"):
            server_path(driver, "SELECT writes()", tmp_path / "w.csv")
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM written").fetchone() == (0,)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO written VALUES (1) RETURNING n",
        "WITH w AS (INSERT INTO written VALUES (1) RETURNING n) SELECT * FROM w",
        "SELECT 1 INTO made",
        "SHOW work_mem",
        "SELECT FROM odd",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
    ],
)
def test_anything_but_a_plain_query_is_declined(
    driver: PostgresDriver, db: str, tmp_path: Path, sql: str
) -> None:
    with pytest.raises(ServerExportUnavailable):
        server_path(driver, sql, tmp_path / "x.csv")
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM written").fetchone() == (0,)


def test_a_declined_statement_takes_the_row_path(
    driver: PostgresDriver, db: str, tmp_path: Path
) -> None:
    rows: Stream[tuple[object, ...]] = Stream(iter([(i,) for i in range(2_000)]))
    result = RowsResult("INSERT INTO written VALUES (1) RETURNING n", (Column("n"),), rows)
    source = source_of(result, rows.fetch(500), "postgresql", driver)
    assert source is not None
    assert source.server is driver
    target = tmp_path / "old.csv"
    outcome = run_export(source, ExportRequest("csv", target), threading.Event(), lambda n: None)
    assert outcome.count == 2_000
    assert target.read_text(encoding="utf-8").splitlines()[-1] == "1999"
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM written").fetchone() == (0,)


def test_run_export_uses_copy_and_leaves_the_result_stream_where_it_was(
    driver: PostgresDriver, tmp_path: Path
) -> None:
    result = first_result(driver, QUERY)
    source = source_of(result, result.rows.fetch(500), "postgresql", driver)
    assert source is not None
    seen: list[int] = []
    target = tmp_path / "all.csv"
    outcome = run_export(source, ExportRequest("csv", target), threading.Event(), seen.append)
    assert outcome.count == 1200
    assert seen[-1] == 1200
    assert result.rows.fetched == 500  # the row path would have read all 1200
    assert len(table(target)) == 1201
    page = result.rows.fetch(500)
    assert page[0][0] == 501  # paging the shown result goes on after the export
    json_target = tmp_path / "all.json"
    run_export(source, ExportRequest("json", json_target), threading.Event(), seen.append)
    assert result.rows.fetched == 1200  # JSON keeps the row path


def test_copy_is_streamed_in_pieces_with_progress(driver: PostgresDriver, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    target = tmp_path / "big.csv"
    sql = "SELECT g, repeat('y', 100) FROM generate_series(1, 30000) g"
    count = server_path(driver, sql, target, progress=lambda r, s: seen.append((r, s)))
    assert count == 30_000
    assert len(seen) >= 3
    assert seen[-1] == (30_000, target.stat().st_size)
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)
    lines = io.StringIO(target.read_text(encoding="utf-8")).readlines()
    assert lines[-1] == "30000," + "y" * 100 + "\n"
