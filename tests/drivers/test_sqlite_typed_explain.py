"""A typed SQLite ``EXPLAIN <write>`` shows bytecode and never runs the write (issue #12).

SQLite's ``EXPLAIN`` compiles the statement and returns its program without
stepping it; ``EXPLAIN QUERY PLAN`` returns the plan. Both are checked
through ``driver.execute`` and the held-write path (``execute_checked``), with
and without an open transaction, against the file seen by another connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from drivertools import connected

from dbtui.core.results import RowsResult
from dbtui.drivers.sqlite import SqliteDriver

TYPED = [
    "EXPLAIN DELETE FROM items",
    "explain update items set price = 0",
    "EXPLAIN INSERT INTO items (name) VALUES ('kiwi')",
    "/* first */ -- and a line\nEXPLAIN DROP TABLE items",
    "EXPLAIN CREATE TABLE made (x)",
    "EXPLAIN QUERY PLAN DELETE FROM items WHERE price > 0",
    "EXPLAIN WITH gone AS (SELECT id FROM items) DELETE FROM items WHERE id IN gone",
    "EXPLAIN INSERT INTO log (what) VALUES ('direct')",
]


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER);
        INSERT INTO items (name, price) VALUES ('apple', 3), ('pear', 4), ('fig', 9);
        CREATE TABLE log (what TEXT);
        CREATE TRIGGER items_gone AFTER DELETE ON items BEGIN
            INSERT INTO log (what) VALUES ('deleted ' || old.name);
        END;
        """
    )
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def driver(db_file: Path) -> Iterator[SqliteDriver]:
    yield from connected(SqliteDriver, f"sqlite://{db_file}")


def state(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[str]]:
    """Items, log rows and table names as another connection sees them."""
    conn = sqlite3.connect(path)
    try:
        items = conn.execute("SELECT id, name, price FROM items ORDER BY id").fetchall()
        log = conn.execute("SELECT what FROM log").fetchall()
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return items, log, sorted(names)
    finally:
        conn.close()


def explain_rows(results: Iterator[object]) -> int:
    """Rows of the only result, read before the driver's iterator moves on."""
    counts = []
    for result in results:
        assert isinstance(result, RowsResult)
        counts.append(len(result.rows.fetch(10_000)))
        result.rows.close()
    (count,) = counts
    return count


@pytest.mark.parametrize("sql", TYPED)
def test_typed_explain_of_a_write_does_not_run_it(
    driver: SqliteDriver, db_file: Path, sql: str
) -> None:
    before = state(db_file)
    assert explain_rows(driver.execute(sql)) > 0
    assert driver.transaction_status == "idle"
    assert state(db_file) == before
    assert explain_rows(driver.execute_checked(sql, 0)) > 0  # the F5 path
    assert driver.pending is None
    assert state(db_file) == before


def test_typed_explain_inside_a_transaction_does_not_run_it(
    driver: SqliteDriver, db_file: Path
) -> None:
    before = state(db_file)
    list(driver.execute("BEGIN"))
    list(driver.execute("UPDATE items SET price = 1 WHERE name = 'fig'"))
    for sql in TYPED:
        assert explain_rows(driver.execute(sql)) > 0
    assert driver.transaction_status == "in transaction"
    seen: list[tuple[object, ...]] = []
    for mine in driver.execute("SELECT name, price FROM items ORDER BY id"):
        assert isinstance(mine, RowsResult)
        seen = list(mine.rows.fetch(10))
    assert seen == [("apple", 3), ("pear", 4), ("fig", 1)]  # the user's own change is there
    assert state(db_file) == before
    list(driver.execute("COMMIT"))
    items, log, names = state(db_file)
    assert items == [(1, "apple", 3), (2, "pear", 4), (3, "fig", 1)]
    assert (log, names) == (before[1], before[2])
