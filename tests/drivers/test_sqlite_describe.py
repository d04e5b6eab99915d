"""Describe (psql's ``\\d``) and format on real SQLite files: tables, views, foreign keys
both ways, DDL that recreates the schema, hostile names, and formatting that keeps comments."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from drivertools import connected

from dbtui.core.capabilities.describing import Describing
from dbtui.core.capabilities.formatting import FormatError, Formatting
from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.describe import Description
from dbtui.core.errors import QueryError
from dbtui.core.registry import load_driver
from dbtui.core.results import RowsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.sqlite import SqliteDriver
from dbtui.drivers.sqlite import describe as sqlite_describe

HOSTILE = 'Evil [b]x[/] \x1b[31m"q'
QUOTED = '"' + HOSTILE.replace('"', '""') + '"'

SCHEMA_SQL = f"""
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'anon');
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    total REAL CHECK (total >= 0),
    status TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX orders_big ON orders (total) WHERE total > 100;
CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders (id));
CREATE TABLE notes (order_ref INTEGER, body TEXT, FOREIGN KEY (order_ref) REFERENCES Orders);
CREATE TRIGGER orders_touch AFTER UPDATE ON orders BEGIN SELECT 1; END;
CREATE VIEW open_orders AS SELECT id, total FROM orders WHERE status = 'open';
CREATE TABLE {QUOTED} ({QUOTED} INTEGER);
INSERT INTO customers (email) VALUES ('a@x'), ('b@x');
INSERT INTO orders (customer_id, total) VALUES (1, 10), (1, 200), (2, 5);
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA_SQL)
    return path


@pytest.fixture
def lite(db: Path) -> Iterator[SqliteDriver]:
    yield from connected(SqliteDriver, f"sqlite://{db}")


def node(kind: str, name: str, schema: str = "main") -> CatalogNode:
    return CatalogNode(key=("db", schema, kind, name), label=name, kind=kind)


def rows_of(description: Description, title: str) -> list[tuple[str, ...]]:
    found = description.section(title)
    assert found is not None, f"no {title!r} section in {[s.title for s in description.sections]}"
    return list(found.rows)


def test_sqlite_driver_has_the_capabilities(lite: SqliteDriver) -> None:
    assert isinstance(lite, Describing)
    assert isinstance(lite, Formatting)
    column = CatalogNode(
        key=("db", "main", Kind.TABLE, "orders", "columns", "id"), label="id", kind=Kind.COLUMN
    )
    assert lite.can_describe(column)
    assert lite.describe(column) == lite.describe(node(Kind.TABLE, "orders"))
    assert not lite.can_describe(CatalogNode(key=("db", "main"), label="main", kind="database"))
    assert not lite.can_describe(
        CatalogNode(key=("db", "main", "tables"), label="Tables", kind=Kind.FOLDER)
    )


def test_table_with_foreign_keys_both_ways(lite: SqliteDriver) -> None:
    described = lite.describe(node(Kind.TABLE, "orders"))
    assert described.title == "table orders"
    assert rows_of(described, "Columns") == [
        ("id", "INTEGER", "", "", "#1", ""),
        ("customer_id", "INTEGER", "not null", "", "", ""),
        ("total", "REAL", "", "", "", ""),
        ("status", "TEXT", "not null", "'open'", "", ""),
    ]
    assert rows_of(described, "Indexes") == [("orders_big", "", "total", "total > 100")]
    assert rows_of(described, "Foreign keys") == [
        ("customer_id", "customers(id)", "ON DELETE CASCADE")
    ]
    assert rows_of(described, "Referenced by") == [
        ("notes", "order_ref", "orders (primary key)", ""),
        ("refunds", "order_id", "orders(id)", ""),
    ]
    assert [t[0] for t in rows_of(described, "Triggers")] == ["orders_touch"]
    facts = dict(described.facts)
    assert facts["Row estimate"] == "~3 (largest rowid)"
    assert facts["Table size"] == "4.0 KiB"
    assert facts["Index size"] == "4.0 KiB"
    assert described.ddl.startswith("CREATE TABLE orders (\n    id INTEGER PRIMARY KEY,")
    assert "CREATE INDEX orders_big ON orders (total) WHERE total > 100;" in described.ddl
    assert (
        "CREATE TRIGGER orders_touch AFTER UPDATE ON orders BEGIN SELECT 1; END;" in described.ddl
    )


def test_ddl_recreates_the_table(lite: SqliteDriver, tmp_path: Path) -> None:
    described = lite.describe(node(Kind.TABLE, "orders"))
    copy = tmp_path / "copy.db"
    with sqlite3.connect(copy) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
        conn.executescript(described.ddl)
    with connected_copy(copy) as other:
        again = other.describe(node(Kind.TABLE, "orders"))
    assert again.section("Columns") == described.section("Columns")
    assert again.section("Indexes") == described.section("Indexes")
    assert again.section("Foreign keys") == described.section("Foreign keys")
    assert again.ddl == described.ddl


def test_view(lite: SqliteDriver) -> None:
    described = lite.describe(node(Kind.VIEW, "open_orders"))
    assert described.title == "view open_orders"
    assert [c[0] for c in rows_of(described, "Columns")] == ["id", "total"]
    assert described.ddl == (
        "CREATE VIEW open_orders AS SELECT id, total FROM orders WHERE status = 'open';\n"
    )
    assert described.section("Indexes") is None


def test_hostile_names(lite: SqliteDriver) -> None:
    described = lite.describe(node(Kind.TABLE, HOSTILE))
    assert described.title == f"table {QUOTED}"
    assert rows_of(described, "Columns")[0][0] == HOSTILE
    assert described.ddl == f"CREATE TABLE {QUOTED} ({QUOTED} INTEGER);\n"


def test_a_dropped_table_is_a_query_error(lite: SqliteDriver, db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE refunds")
    with pytest.raises(QueryError, match="no longer exists"):
        lite.describe(node(Kind.TABLE, "refunds"))


def test_big_files_skip_the_page_walk(lite: SqliteDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_describe, "DBSTAT_PAGE_LIMIT", 1)
    described = lite.describe(node(Kind.TABLE, "orders"))
    assert "Table size" not in dict(described.facts)
    assert described.notes[0].startswith("Sizes not read: the file has ")


MESSY = """select o.id,c.email , -- who ordered
sum(o.total) /* money */ from orders o join customers c on c.id=o.customer_id
where o.status='open' and o.total>0 group by o.id,c.email order by 1"""


def test_format_keeps_comments_and_meaning(lite: SqliteDriver) -> None:
    formatted = lite.format_sql(MESSY)
    assert formatted.startswith("SELECT o.id,\n")
    assert "-- who ordered" in formatted
    assert "/* money */" in formatted
    assert "\nFROM orders o\nJOIN customers c ON c.id=o.customer_id\nWHERE " in formatted
    assert _run(lite, formatted) == _run(lite, MESSY)
    assert len(_run(lite, MESSY)) == 3
    assert lite.format_sql(formatted) == formatted
    assert lite.format_sql("") == ""


def test_format_refuses_rather_than_change_the_tokens() -> None:
    from dbtui.drivers.sqlite.formatting import _signature

    assert _signature("select 1 -- x") != _signature("select 1 -- y")
    assert _signature("select 1") == _signature("SELECT\n  1")
    assert issubclass(FormatError, ValueError)
    deep = "select " + "(" * 3000 + "1" + ")" * 3000
    with pytest.raises(FormatError, match="sqlparse cannot read it"):
        SqliteDriver.format_sql(deep)


def _run(driver: SqliteDriver, sql: str) -> list[object]:
    rows: list[object] = []
    for result in driver.execute(sql):
        if isinstance(result, RowsResult):
            rows.extend(tuple(row) for row in result.rows.fetch(1000))
            result.rows.close()
    return rows


@contextmanager
def connected_copy(path: Path) -> Iterator[SqliteDriver]:
    """A connected driver for another file, closed on exit."""
    yield from connected(SqliteDriver, f"sqlite://{path}")


@pytest.mark.parametrize(
    ("engine", "url", "expected"),
    [
        ("sqlite", "sqlite://:memory:", True),
        ("postgresql", "postgresql://nobody@127.0.0.1:1/none", True),
        ("mongodb", "mongodb://127.0.0.1:1/shop", False),
        ("redis", "redis://127.0.0.1:1/0", False),
    ],
)
def test_only_sql_drivers_describe_and_format(engine: str, url: str, expected: bool) -> None:
    driver = load_driver(engine)(spec_from_url(url))  # created, never connected
    assert isinstance(driver, Describing) is expected
    assert isinstance(driver, Formatting) is expected
