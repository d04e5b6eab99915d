"""The SQLite catalog tree on a real file holding every kind of object."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from drivertools import connected

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.spec import spec_from_url
from dbtui.drivers.sqlite import SqliteDriver

SCHEMA = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT DEFAULT 'anonymous',
    domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL,
    name_len INTEGER GENERATED ALWAYS AS (length(name)) STORED,
    deleted_at TEXT
);
CREATE UNIQUE INDEX users_live_email ON users (email) WHERE deleted_at IS NULL;
CREATE INDEX users_lower_email ON users (lower(email), id DESC);
CREATE TABLE "order items" (
    order_id INTEGER NOT NULL,
    line INTEGER NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    sku TEXT UNIQUE,
    PRIMARY KEY (order_id, line)
) WITHOUT ROWID;
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    order_id INTEGER,
    line INTEGER,
    FOREIGN KEY (order_id, line) REFERENCES "order items" (order_id, line)
) STRICT;
CREATE VIRTUAL TABLE notes USING fts5 (body);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE deleted_at IS NULL;
CREATE TABLE doomed (x);
CREATE VIEW broken AS SELECT x FROM doomed;
DROP TABLE doomed;
CREATE TRIGGER users_stamp AFTER UPDATE OF email ON users
BEGIN UPDATE users SET name = name WHERE id = NEW.id; END;
CREATE TRIGGER active_users_insert INSTEAD OF INSERT ON active_users
BEGIN INSERT INTO users (email) VALUES (NEW.email); END;
INSERT INTO users (email) VALUES ('a@example.com');
ANALYZE;
"""


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.close()
    aux = sqlite3.connect(tmp_path / "aux.db")
    aux.execute("CREATE TABLE archive (id INTEGER PRIMARY KEY, payload BLOB)")
    aux.close()
    return path


@pytest.fixture
def driver(db_file: Path) -> Iterator[SqliteDriver]:
    yield from connected(SqliteDriver, f"sqlite://{db_file}")


def walk(driver: SqliteDriver) -> dict[tuple[str, ...], CatalogNode]:
    """Every node of the tree, expanded all the way down, by key."""
    nodes: dict[tuple[str, ...], CatalogNode] = {}
    pending: list[CatalogNode | None] = [None]
    while pending:
        for child in driver.children(pending.pop()):
            assert child.key not in nodes, f"duplicate key {child.key}"
            nodes[child.key] = child
            if child.expandable:
                pending.append(child)
    return nodes


def labels(driver: SqliteDriver, node: CatalogNode | None) -> list[str]:
    return [child.label for child in driver.children(node)]


def test_top_levels(driver: SqliteDriver) -> None:
    (main,) = driver.children(None)
    assert (main.key, main.kind, main.detail, main.insert_text) == (
        ("db", "main"),
        Kind.DATABASE,
        "catalog.db",
        "main",
    )
    meta = dict(main.meta)
    assert meta["file"].endswith("catalog.db")
    assert meta["journal mode"] == "delete"
    assert meta["size"].endswith(("kB", "MB"))
    folders = {node.label: node.detail for node in driver.children(main)}
    # notes is virtual (a table); its five shadow tables, sqlite_schema and
    # sqlite_stat1 are system tables.
    assert folders == {"Tables": "4", "Views": "2", "System tables": "7"}


def test_tables_and_their_facts(driver: SqliteDriver) -> None:
    tables = {node.label: node for node in driver.children(_node(driver, "db", "main", "tables"))}
    assert list(tables) == ["notes", "order items", "shipments", "users"]
    assert tables["order items"].detail == "WITHOUT ROWID"
    assert tables["order items"].insert_text == '"order items"'
    assert tables["shipments"].detail == "STRICT"
    assert tables["notes"].detail == "virtual"
    assert tables["users"].detail == ""
    meta = dict(tables["users"].meta)
    assert meta["columns"] == "6"
    assert meta["sql"].startswith("CREATE TABLE users")
    system = labels(driver, _node(driver, "db", "main", "system"))
    assert "sqlite_schema" in system
    assert "sqlite_stat1" in system
    assert "notes_content" in system


def test_details_add_a_cheap_row_estimate(driver: SqliteDriver) -> None:
    users = _node(driver, "db", "main", "table", "users")
    facts = dict(driver.details(users))
    assert facts["estimated rows"] == "~1 (sqlite_stat1)"
    assert facts["sql"].startswith("CREATE TABLE users")
    shipments = dict(driver.details(_node(driver, "db", "main", "table", "shipments")))
    assert shipments["estimated rows"] == "~0 (largest rowid)"
    items = dict(driver.details(_node(driver, "db", "main", "table", "order items")))
    assert "estimated rows" not in items  # WITHOUT ROWID and not analysed
    notes = dict(driver.details(_node(driver, "db", "main", "table", "notes")))
    assert "estimated rows" not in notes  # virtual tables are never touched
    view = _node(driver, "db", "main", "view", "active_users")
    assert driver.details(view) == view.meta


def test_table_folders(driver: SqliteDriver) -> None:
    users = _node(driver, "db", "main", "table", "users")
    assert [(n.label, n.detail) for n in driver.children(users)] == [
        ("Columns", "6"),
        ("Indexes", "2"),
        ("Triggers", "1"),
    ]
    items = _node(driver, "db", "main", "table", "order items")
    assert labels(driver, items) == ["Columns", "Indexes", "Foreign keys"]
    shipments = _node(driver, "db", "main", "table", "shipments")
    indexes = driver.children(shipments)[1]
    assert (indexes.label, indexes.detail, indexes.expandable) == ("Indexes", "0", False)


def test_columns_with_types_constraints_and_generated(driver: SqliteDriver) -> None:
    columns = {
        node.label: node
        for node in driver.children(_node(driver, "db", "main", "table", "users", "columns"))
    }
    assert [(name, node.detail) for name, node in columns.items()] == [
        ("id", "INTEGER PK"),
        ("email", "TEXT NOT NULL"),
        ("name", "TEXT DEFAULT 'anonymous'"),
        ("domain", "TEXT GENERATED VIRTUAL"),
        ("name_len", "INTEGER GENERATED STORED"),
        ("deleted_at", "TEXT"),
    ]
    assert columns["email"].kind == Kind.COLUMN
    assert columns["email"].insert_text == "email"
    assert dict(columns["domain"].meta)["hidden"] == "GENERATED VIRTUAL"
    assert dict(columns["id"].meta)["primary key"] == "column 1 of the key"


def test_indexes_partial_unique_expression_and_automatic(driver: SqliteDriver) -> None:
    users = {
        n.label: n
        for n in driver.children(_node(driver, "db", "main", "table", "users", "indexes"))
    }
    live = users["users_live_email"]
    assert live.kind == Kind.INDEX
    assert live.detail == "UNIQUE (email) WHERE deleted_at IS NULL"
    assert dict(live.meta)["partial"] == "yes: WHERE deleted_at IS NULL"
    assert dict(live.meta)["origin"] == "CREATE INDEX"
    assert users["users_lower_email"].detail == "(<expression>, id DESC)"
    items = driver.children(_node(driver, "db", "main", "table", "order items", "indexes"))
    details = {n.label: (n.detail, dict(n.meta)["origin"]) for n in items}
    assert details == {
        "sqlite_autoindex_order items_1": ("UNIQUE (sku)", "UNIQUE constraint"),
        # A WITHOUT ROWID table is stored in its primary-key index.
        "sqlite_autoindex_order items_2": ("UNIQUE (order_id, line)", "PRIMARY KEY"),
    }


def test_foreign_keys(driver: SqliteDriver) -> None:
    (fk,) = driver.children(_node(driver, "db", "main", "table", "order items", "fks"))
    assert (fk.label, fk.kind, fk.detail) == (
        "(user_id) → users(id)",
        Kind.CONSTRAINT,
        "ON DELETE CASCADE",
    )
    assert fk.insert_text == "users"
    (composite,) = driver.children(_node(driver, "db", "main", "table", "shipments", "fks"))
    assert composite.label == "(order_id, line) → order items(order_id, line)"
    assert composite.detail == ""


def test_triggers_on_tables_and_views(driver: SqliteDriver) -> None:
    (trigger,) = driver.children(_node(driver, "db", "main", "table", "users", "triggers"))
    assert (trigger.label, trigger.kind, trigger.detail) == (
        "users_stamp",
        Kind.TRIGGER,
        "AFTER UPDATE",
    )
    assert "UPDATE OF email ON users" in dict(trigger.meta)["sql"]
    view = _node(driver, "db", "main", "view", "active_users")
    assert labels(driver, view) == ["Columns", "Triggers"]
    (instead,) = driver.children(_node(driver, "db", "main", "view", "active_users", "triggers"))
    assert instead.detail == "INSTEAD OF INSERT"


def test_views_expand_to_columns(driver: SqliteDriver) -> None:
    views = driver.children(_node(driver, "db", "main", "views"))
    assert [(v.label, v.kind) for v in views] == [("active_users", "view"), ("broken", "view")]
    columns = driver.children(_node(driver, "db", "main", "view", "active_users", "columns"))
    assert [(c.label, c.detail) for c in columns] == [("id", "INTEGER"), ("email", "TEXT")]
    (info,) = driver.children(_node(driver, "db", "main", "view", "broken", "columns"))
    assert info.kind == Kind.INFO
    assert "no such table: main.doomed" in info.label


def test_attached_and_temp_databases(driver: SqliteDriver, db_file: Path) -> None:
    assert labels(driver, None) == ["main"]
    aux = db_file.parent / "aux.db"
    list(driver.execute(f"ATTACH '{aux}' AS aux"))
    list(driver.execute("CREATE TEMP TABLE scratch (x)"))
    databases = driver.children(None)
    assert [db.label for db in databases] == ["main", "temp", "aux"]
    tables = driver.children(_node(driver, "db", "aux", "tables"))
    assert [(t.label, t.insert_text) for t in tables] == [("archive", "aux.archive")]
    columns = driver.children(_node(driver, "db", "aux", "table", "archive", "columns"))
    assert [c.detail for c in columns] == ["INTEGER PK", "BLOB"]
    scratch = driver.children(_node(driver, "db", "temp", "tables"))
    assert [t.insert_text for t in scratch] == ["temp.scratch"]


def test_whole_tree_in_read_only_mode_changes_nothing(db_file: Path) -> None:
    before = hashlib.sha256(db_file.read_bytes()).hexdigest()
    driver = SqliteDriver(spec_from_url(f"sqlite://{db_file}", read_only=True))
    driver.connect()
    try:
        nodes = walk(driver)
    finally:
        driver.close()
    kinds = {node.kind for node in nodes.values()}
    assert kinds >= {"database", "folder", "table", "view", "column", "index", "trigger"}
    assert {"constraint", "info"} <= kinds
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == before


def test_table_list_costs_a_few_queries_whatever_the_table_count(tmp_path: Path) -> None:
    path = tmp_path / "wide.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "".join(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, v TEXT);" for i in range(300))
    )
    conn.close()
    driver = SqliteDriver(spec_from_url(f"sqlite://{path}"))
    driver.connect()
    folder = _node(driver, "db", "main", "tables")
    statements: list[str] = []
    # White-box: count the statements the driver runs for one level.
    assert driver._conn is not None
    driver._conn.set_trace_callback(statements.append)
    try:
        tables = driver.children(folder)
    finally:
        driver.close()
    assert len(tables) == 300
    assert 1 <= len([s for s in statements if not s.startswith("--")]) <= 3


def _node(driver: SqliteDriver, *key: str) -> CatalogNode:
    """The node with ``key``, found breadth first by expanding the tree as the UI would."""
    pending: list[CatalogNode | None] = [None]
    while pending:
        for child in driver.children(pending.pop(0)):
            if child.key == key:
                return child
            on_path = key[: len(child.key)] == child.key[: len(key)]
            if child.expandable and (on_path or child.kind == Kind.FOLDER):
                pending.append(child)
    raise AssertionError(f"no node {key}")
