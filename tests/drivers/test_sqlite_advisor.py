"""SQLite ``.expert``-style advice on the demo database: suggestions match the planner."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from drivertools import connected

from dbtui.core.advice import Confidence
from dbtui.core.errors import QueryError
from dbtui.core.spec import spec_from_url
from dbtui.drivers.sqlite import SqliteDriver
from dbtui.drivers.sqlite.demo import build_demo_database

SLOW = [
    ("SELECT * FROM sessions WHERE user_id = 42", "sessions", ("user_id",)),
    ("SELECT * FROM orders WHERE status = 'refunded'", "orders", ("status",)),
    ("SELECT * FROM orders WHERE created_at >= '2025-06-01'", "orders", ("created_at",)),
    ("SELECT * FROM posts ORDER BY created_at DESC LIMIT 20", "posts", ("created_at",)),
    ("SELECT post_id FROM post_tags WHERE tag_id = 3", "post_tags", ("tag_id",)),
    (
        "SELECT * FROM orders WHERE user_id = 5 AND status = 'paid' ORDER BY created_at",
        "orders",
        ("user_id", "status", "created_at"),
    ),
]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_demo_database(path)
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(demo_file, copy)
    return copy


@pytest.fixture
def driver(demo_copy: Path) -> Iterator[SqliteDriver]:
    yield from connected(SqliteDriver, f"sqlite://{demo_copy}")


def plan_details(path: Path, statement: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
    finally:
        conn.close()


@pytest.mark.parametrize(("statement", "table", "columns"), SLOW)
def test_suggestions_match_the_planner(
    driver: SqliteDriver, demo_copy: Path, statement: str, table: str, columns: tuple[str, ...]
) -> None:
    (suggestion,) = driver.advise(statement)
    assert suggestion.confidence is Confidence.VERIFIED
    assert suggestion.target == table
    assert suggestion.columns == columns
    name = "_".join([table, *columns])
    assert suggestion.ddl == f"CREATE INDEX {name} ON {table} ({', '.join(columns)})"
    assert suggestion.plan_before is not None
    assert suggestion.plan_after is not None
    assert not any(n.index == name for n in suggestion.plan_before.nodes())
    assert any(n.index == name for n in suggestion.plan_after.nodes())
    # created for real, the planner uses it
    assert not any(name in detail for detail in plan_details(demo_copy, statement))
    conn = sqlite3.connect(demo_copy)
    conn.execute(suggestion.ddl)
    conn.commit()
    conn.close()
    assert any(f"INDEX {name}" in detail for detail in plan_details(demo_copy, statement))


def test_indexed_statements_get_nothing(driver: SqliteDriver) -> None:
    assert driver.advise("SELECT * FROM users WHERE id = 3") == []
    assert driver.advise("SELECT * FROM posts WHERE user_id = 7") == []  # posts_user exists
    assert driver.advise("SELECT * FROM tags WHERE name = 'sqlite'") == []  # UNIQUE index


def test_join_suggests_the_inner_lookup(driver: SqliteDriver) -> None:
    found = driver.advise(
        "SELECT s.* FROM users u JOIN sessions s ON s.user_id = u.id WHERE u.email = 'x@y.z'"
    )
    assert [s.columns for s in found] == [("user_id",)]
    assert found[0].target == "sessions"


def test_parameters_and_sqlite_syntax_fall_back_to_column_names(driver: SqliteDriver) -> None:
    (suggestion,) = driver.advise("SELECT * FROM sessions WHERE user_id = ?")
    assert suggestion.columns == ("user_id",)
    (indexed,) = driver.advise("SELECT * FROM `sessions` WHERE `user_id` = :uid")
    assert indexed.ddl == suggestion.ddl


def test_advice_only_reads(demo_copy: Path) -> None:
    digest = hashlib.sha256(demo_copy.read_bytes()).hexdigest()
    driver = SqliteDriver(spec_from_url(f"sqlite://{demo_copy}", read_only=True))
    driver.connect()
    try:
        assert driver.advise("SELECT * FROM sessions WHERE user_id = 42")
        assert driver.capabilities.advise
    finally:
        driver.close()
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == digest


def test_statements_sqlite_cannot_plan_raise(driver: SqliteDriver) -> None:
    with pytest.raises(QueryError):
        driver.advise("SELECT * FROM missing_table WHERE a = 1")
    with pytest.raises(QueryError):
        driver.advise("SELEC 1")
    assert driver.advise("SELECT * FROM sessions WHERE user_id = 1")
