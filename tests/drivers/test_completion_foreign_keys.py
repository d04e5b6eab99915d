"""Join conditions from foreign keys, with the catalog data read from real servers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from drivertools import connected

from dbtui.core.completion import CatalogSnapshot, ForeignKey, complete_sql
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.sqlite import SqliteDriver


def joins(snapshot: CatalogSnapshot, marked: str) -> list[str]:
    cursor = marked.index("|")
    text = marked[:cursor] + marked[cursor + 1 :]
    found = complete_sql(text, cursor, snapshot).candidates
    return [c.text for c in found if c.kind == "join"]


@pytest.fixture
def postgres(postgres_db_url: str) -> Iterator[PostgresDriver]:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            """
            CREATE SCHEMA shop;
            CREATE TABLE users (id int PRIMARY KEY, name text);
            CREATE TABLE shop.orders (id int PRIMARY KEY, user_id int REFERENCES users (id),
                                      total numeric);
            CREATE TABLE shop.lines (order_id int, line int, sku text,
                                     PRIMARY KEY (order_id, line),
                                     CONSTRAINT lines_order FOREIGN KEY (order_id)
                                         REFERENCES shop.orders (id));
            CREATE TABLE shop.notes (order_id int, line int, body text,
                                     FOREIGN KEY (line, order_id)
                                         REFERENCES shop.lines (line, order_id));
            CREATE TABLE events (id int, at timestamptz) PARTITION BY RANGE (at);
            CREATE TABLE events_2026 PARTITION OF events
                FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            ALTER TABLE events ADD COLUMN user_id int REFERENCES users (id);
            """
        )
    yield from connected(PostgresDriver, postgres_db_url)


def test_postgres_foreign_keys_reach_the_snapshot(postgres: PostgresDriver) -> None:
    snapshot = postgres.completion_snapshot()
    keys = {
        (k.schema, k.table, k.columns, k.ref_schema, k.ref_table, k.ref_columns)
        for k in snapshot.foreign_keys
    }
    assert ("shop", "orders", ("user_id",), "public", "users", ("id",)) in keys
    assert ("shop", "notes", ("line", "order_id"), "shop", "lines", ("line", "order_id")) in keys
    assert ("public", "events", ("user_id",), "public", "users", ("id",)) in keys
    assert not [k for k in snapshot.foreign_keys if k.table == "events_2026"], (
        "a partition's inherited copy is left out"
    )
    named = [k for k in snapshot.foreign_keys if k.table == "lines"]
    assert [k.name for k in named] == ["lines_order"]


def test_postgres_join_completion(postgres: PostgresDriver) -> None:
    snapshot = postgres.completion_snapshot()
    assert joins(snapshot, "SELECT * FROM users u JOIN shop.orders o ON |") == ["o.user_id = u.id"]
    assert joins(snapshot, "SELECT * FROM shop.orders o JOIN users u ON |") == ["u.id = o.user_id"]
    assert joins(snapshot, "SELECT * FROM shop.lines l JOIN shop.notes n ON |") == [
        "n.line = l.line AND n.order_id = l.order_id"
    ]


@pytest.fixture
def sqlite_driver(tmp_path: Path) -> Iterator[SqliteDriver]:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE Users (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users);
            CREATE TABLE lines (order_id INTEGER, line INTEGER, PRIMARY KEY (order_id, line),
                                FOREIGN KEY (order_id) REFERENCES orders (id));
            CREATE TABLE "odd name" (l_order INTEGER, l_line INTEGER,
                                     FOREIGN KEY (l_order, l_line) REFERENCES lines);
            """
        )
    conn.close()
    yield from connected(SqliteDriver, f"sqlite://{path}")


def test_sqlite_foreign_keys_reach_the_snapshot(sqlite_driver: SqliteDriver) -> None:
    snapshot = sqlite_driver.completion_snapshot()
    assert set(snapshot.foreign_keys) >= {
        ForeignKey("main", "orders", ("user_id",), "main", "users", ("id",)),
        ForeignKey("main", "lines", ("order_id",), "main", "orders", ("id",)),
        ForeignKey(
            "main", "odd name", ("l_order", "l_line"), "main", "lines", ("order_id", "line")
        ),
    }, "a key naming no parent columns references the parent's primary key"


def test_sqlite_join_completion(sqlite_driver: SqliteDriver) -> None:
    snapshot = sqlite_driver.completion_snapshot()
    assert joins(snapshot, "SELECT * FROM Users u JOIN orders o ON |") == ["o.user_id = u.id"]
    assert joins(snapshot, "SELECT * FROM orders JOIN lines ON |") == ["lines.order_id = orders.id"]
    assert joins(snapshot, 'SELECT * FROM lines l JOIN "odd name" x ON |') == [
        "x.l_order = l.order_id AND x.l_line = l.line"
    ]
