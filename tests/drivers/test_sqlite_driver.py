"""SqliteDriver against real database files: URLs, statements, streaming, errors, cancel, read-only."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dbtui.core.errors import (
    CancelledError,
    ConnectError,
    ConnectionLostError,
    QueryError,
    ReadOnlyError,
)
from dbtui.core.registry import load_driver
from dbtui.core.results import Result, RowsResult, StatusResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.sqlite import SqliteDriver

Open = Callable[..., SqliteDriver]

# Counts to 10^10: never finishes within a test unless interrupted.
ENDLESS = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) "
    "SELECT count(*) FROM c"
)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER);
        INSERT INTO items (name, price) VALUES ('apple', 3), ('pear', 4), ('fig', 9);
        """
    )
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def open_driver() -> Iterator[Open]:
    drivers: list[SqliteDriver] = []

    def open_(url: str, *, read_only: bool = False) -> SqliteDriver:
        driver = SqliteDriver(spec_from_url(url, read_only=read_only))
        driver.connect()
        drivers.append(driver)
        return driver

    yield open_
    for driver in drivers:
        driver.close()


def run(driver: SqliteDriver, statement: str) -> Result:
    """Run one statement; rows are not fetched (the stream stays open)."""
    results = list(_first(driver, statement))
    assert len(results) == 1
    return results[0]


def _first(driver: SqliteDriver, statement: str) -> Iterator[Result]:
    iterator = driver.execute(statement)
    yield next(iterator)


def rows(driver: SqliteDriver, statement: str) -> list[tuple[object, ...]]:
    result = run(driver, statement)
    assert isinstance(result, RowsResult)
    page = result.rows.fetch(10_000)
    result.rows.close()
    return page


def status(driver: SqliteDriver) -> str:
    """The transaction status, read through a call so that mypy does not narrow it."""
    return driver.transaction_status


def is_exhausted(result: RowsResult) -> bool:
    """Read through a call so that mypy does not narrow the attribute between asserts."""
    return result.rows.exhausted


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- URLs and connecting ----------------------------------------------------------------------


def test_entry_point_loads_the_driver() -> None:
    assert load_driver("sqlite") is SqliteDriver
    assert SqliteDriver.capabilities.cancel
    assert SqliteDriver.capabilities.explain_analyze
    assert SqliteDriver.capabilities.advise


def test_absolute_relative_and_bare_paths(
    db_file: Path, open_driver: Open, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert str(db_file).startswith("/")
    assert rows(open_driver(f"sqlite://{db_file}"), "SELECT count(*) FROM items") == [(3,)]
    monkeypatch.chdir(db_file.parent)
    assert rows(open_driver("sqlite://shop.db"), "SELECT count(*) FROM items") == [(3,)]
    assert rows(open_driver("shop.db"), "SELECT count(*) FROM items") == [(3,)]


def test_memory_database(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    run(driver, "CREATE TABLE t (x)")
    run(driver, "INSERT INTO t VALUES (1), (2)")
    assert rows(driver, "SELECT sum(x) FROM t") == [(3,)]
    assert driver.server_version == sqlite3.sqlite_version


def test_missing_file_is_not_created(tmp_path: Path, open_driver: Open) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(ConnectError, match=r"no such file: .*typo\.db.*mode=rwc"):
        open_driver(f"sqlite://{missing}")
    with pytest.raises(ConnectError, match="no such file"):
        open_driver(f"sqlite://{missing}", read_only=True)
    with pytest.raises(ConnectError, match="no such file"):
        open_driver(f"sqlite://{missing}?mode=ro")
    assert not missing.exists()


def test_mode_rwc_creates_the_file(tmp_path: Path, open_driver: Open) -> None:
    created = tmp_path / "new.db"
    driver = open_driver(f"sqlite://{created}?mode=rwc")
    run(driver, "CREATE TABLE t (x)")
    assert created.is_file()


def test_unusable_paths(tmp_path: Path, open_driver: Open) -> None:
    with pytest.raises(ConnectError, match="is a directory"):
        open_driver(f"sqlite://{tmp_path}")
    text = tmp_path / "notes.db"
    text.write_text("these are not the pages you are looking for\n" * 200)
    with pytest.raises(ConnectError, match="not a database"):
        open_driver(f"sqlite://{text}")
    with pytest.raises(ConnectError, match="no database file"):
        open_driver("sqlite://")


def test_file_name_with_url_characters(tmp_path: Path, open_driver: Open) -> None:
    odd = tmp_path / "my data #1 100%.db"
    sqlite3.connect(odd).close()
    driver = open_driver(f"sqlite://{odd}")
    run(driver, "CREATE TABLE t (x)")
    assert sqlite3.connect(odd).execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_calls_after_close_raise_connection_lost(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    driver.close()
    driver.close()
    with pytest.raises(ConnectionLostError):
        run(driver, "SELECT 1")
    assert driver.transaction_status == ""


# -- statements -------------------------------------------------------------------------------


def test_status_results(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    expected = [
        ("INSERT INTO items (name) VALUES ('kiwi'), ('lime')", "INSERT 2", 2),
        ("UPDATE items SET price = 1 WHERE price < 5", "UPDATE 2", 2),
        ("/* cleanup */ DELETE FROM items WHERE name = 'kiwi'", "DELETE 1", 1),
        (
            "WITH cheap AS (SELECT id FROM items WHERE price = 1) DELETE FROM items"
            " WHERE id IN cheap",
            "DELETE 2",
            2,
        ),
        ("CREATE TABLE tags (name TEXT)", "CREATE TABLE", None),
        ("CREATE UNIQUE INDEX tags_name ON tags (name)", "CREATE INDEX", None),
        ("CREATE TEMP VIEW v AS SELECT 1", "CREATE VIEW", None),
        ("DROP TABLE tags", "DROP TABLE", None),
        ("PRAGMA user_version = 7", "PRAGMA", None),
    ]
    for statement, status, rowcount in expected:
        result = run(driver, statement)
        assert isinstance(result, StatusResult), statement
        assert (result.status, result.rowcount) == (status, rowcount)
        assert result.statement == statement
    assert rows(driver, "SELECT name FROM items ORDER BY id") == [("fig",), ("lime",)]


def test_rows_result_columns_and_values(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    result = run(driver, "SELECT id, name AS fruit, price * 2, NULL, x'00ff' FROM items LIMIT 1")
    assert isinstance(result, RowsResult)
    assert [column.name for column in result.columns] == [
        "id",
        "fruit",
        "price * 2",
        "NULL",
        "x'00ff'",
    ]
    assert result.rows.fetch(5) == [(1, "apple", 6, None, b"\x00\xff")]
    assert result.rows.exhausted


def test_returning_gives_rows(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    assert rows(driver, "INSERT INTO items (name) VALUES ('kiwi') RETURNING id, name") == [
        (4, "kiwi")
    ]


def test_invalid_utf8_is_replaced_not_fatal(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    assert rows(driver, "SELECT CAST(x'61ff62' AS TEXT)") == [("a\ufffdb",)]


def test_million_rows_stream_lazily(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    steps = 0

    def count_step() -> int:
        nonlocal steps
        steps += 1
        return 0

    # White-box: count SQLite VM steps (one call per 1,000 instructions).
    conn = driver._conn
    assert conn is not None
    conn.set_progress_handler(count_step, 1_000)
    result = run(
        driver,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)"
        " SELECT x, 'row ' || x FROM c",
    )
    assert isinstance(result, RowsResult)
    first_page = result.rows.fetch(100)
    steps_for_first_page = steps
    assert first_page[0] == (1, "row 1")
    assert len(first_page) == 100
    assert not is_exhausted(result)
    total = 100
    while page := result.rows.fetch(100_000):
        total += len(page)
    assert total == 1_000_000
    assert is_exhausted(result)
    assert steps_for_first_page * 100 < steps


def test_next_statement_closes_the_open_stream(open_driver: Open, db_file: Path) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    first = run(driver, "SELECT * FROM items")
    assert isinstance(first, RowsResult)
    assert first.rows.fetch(1) == [(1, "apple", 3)]
    run(driver, "UPDATE items SET price = 0")
    assert first.rows.exhausted
    assert first.rows.fetch(10) == []


def test_advancing_the_iterator_closes_the_stream(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    iterator = driver.execute("SELECT 1 UNION ALL SELECT 2")
    result = next(iterator)
    assert isinstance(result, RowsResult)
    assert list(iterator) == []
    assert result.rows.exhausted


def test_explicit_transactions(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    assert status(driver) == "idle"
    run(driver, "BEGIN")
    assert status(driver) == "in transaction"
    run(driver, "DELETE FROM items")
    assert rows(driver, "SELECT count(*) FROM items") == [(0,)]
    assert run(driver, "ROLLBACK").status == "ROLLBACK"  # type: ignore[union-attr]
    assert status(driver) == "idle"
    assert rows(driver, "SELECT count(*) FROM items") == [(3,)]


def test_autocommit_is_visible_to_other_connections(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    run(driver, "INSERT INTO items (name) VALUES ('kiwi')")
    other = sqlite3.connect(db_file)
    assert other.execute("SELECT count(*) FROM items").fetchone() == (4,)
    other.close()


def test_foreign_keys_are_enforced(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    run(driver, "CREATE TABLE p (id INTEGER PRIMARY KEY)")
    run(driver, "CREATE TABLE c (p_id INTEGER REFERENCES p (id))")
    with pytest.raises(QueryError, match="FOREIGN KEY constraint failed") as caught:
        run(driver, "INSERT INTO c VALUES (42)")
    assert caught.value.title == "Constraint violated"


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "message", "position"),
    [
        ("SELEC 1", 'near "SELEC": syntax error', 0),
        ("SELECT * FORM items", 'near "FORM": syntax error', 9),
        # The first "from" is valid: the probe must find the second one.
        ("SELECT 1 FROM items, from", 'near "from": syntax error', 21),
        ("SELECT 'from', count(*), FROM items", 'near "FROM": syntax error', 25),
        ("SELECT nme FROM items", "no such column: nme", 7),
        ("SELECT * FROM items AS i WHERE i.nme = 1", "no such column: i.nme", 31),
        ("SELECT * FROM itemz", "no such table: itemz", 14),
        ("SELECT * FROM items WHERE", "incomplete input", 25),
        ("SELECT nosuchfn(1)", "no such function: nosuchfn", 7),
    ],
)
def test_query_errors_carry_statement_and_position(
    db_file: Path, open_driver: Open, statement: str, message: str, position: int
) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    with pytest.raises(QueryError) as caught:
        run(driver, statement)
    error = caught.value
    assert type(error) is QueryError
    assert (error.message, error.statement, error.position) == (message, statement, position)
    assert rows(driver, "SELECT count(*) FROM items") == [(3,)]  # still usable


def test_several_statements_and_parameters_are_explained(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    with pytest.raises(QueryError, match="Only one statement can run at a time"):
        run(driver, "SELECT 1; SELECT 2")
    with pytest.raises(QueryError, match="parameters") as caught:
        run(driver, "SELECT ?")
    assert caught.value.hint


# -- cancel -----------------------------------------------------------------------------------


def _cancel_until_done(driver: SqliteDriver, done: threading.Event) -> threading.Thread:
    """Keep calling cancel() from another thread until ``done`` is set."""

    def loop() -> None:
        while not done.wait(0.02):
            driver.cancel()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def test_cancel_interrupts_a_long_statement(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}")
    driver.cancel()  # nothing running: a no-op
    done = threading.Event()
    canceller = _cancel_until_done(driver, done)
    try:
        with pytest.raises(CancelledError):
            run(driver, ENDLESS)
    finally:
        done.set()
        canceller.join()
    assert rows(driver, "SELECT count(*) FROM items") == [(3,)]
    assert driver.transaction_status == "idle"


def test_cancel_interrupts_a_slow_page_fetch(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    # The first row comes at once; the next one never does.
    result = run(
        driver,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000)"
        " SELECT x FROM c WHERE x = 1 OR x > 10000000000",
    )
    assert isinstance(result, RowsResult)
    done = threading.Event()
    canceller = _cancel_until_done(driver, done)
    try:
        with pytest.raises(CancelledError):
            result.rows.fetch(10)
    finally:
        done.set()
        canceller.join()
    result.rows.close()
    assert rows(driver, "SELECT 42") == [(42,)]


def test_cancel_inside_a_transaction_keeps_the_connection(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    run(driver, "CREATE TABLE t (x)")
    run(driver, "BEGIN")
    run(driver, "INSERT INTO t VALUES (1)")
    done = threading.Event()
    canceller = _cancel_until_done(driver, done)
    try:
        with pytest.raises(CancelledError):
            run(driver, ENDLESS)
    finally:
        done.set()
        canceller.join()
    run(driver, "COMMIT")
    assert rows(driver, "SELECT count(*) FROM t") == [(1,)]


def test_cancel_interrupts_explain_analyze(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    done = threading.Event()
    canceller = _cancel_until_done(driver, done)
    try:
        with pytest.raises(CancelledError):
            driver.explain(ENDLESS, analyze=True)
    finally:
        done.set()
        canceller.join()
    assert driver.explain("SELECT 1").root.children[0].label == "SCAN CONSTANT ROW"


def test_close_from_another_thread_interrupts_a_running_statement(open_driver: Open) -> None:
    driver = open_driver("sqlite://:memory:")
    done = threading.Event()

    def close_until_done() -> None:
        while not done.wait(0.05):
            driver.close()

    closer = threading.Thread(target=close_until_done, daemon=True)
    closer.start()
    try:
        # Cancelled mid-statement (or, on a very busy machine, closed before it started).
        with pytest.raises((CancelledError, ConnectionLostError)):
            run(driver, ENDLESS)
    finally:
        done.set()
        closer.join()
    with pytest.raises(ConnectionLostError):
        run(driver, "SELECT 1")


# -- read-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("INSERT INTO items (name) VALUES ('kiwi')", "INSERT into items"),
        ("UPDATE items SET price = 0", "UPDATE of items"),
        ("DELETE FROM items", "DELETE from items"),
        ("CREATE TABLE t (x)", "CREATE TABLE t"),
        ("CREATE INDEX items_price ON items (price)", "CREATE INDEX items_price"),
        ("DROP TABLE items", "DROP TABLE items"),
        ("ALTER TABLE items ADD COLUMN color TEXT", "ALTER TABLE items"),
        ("CREATE TEMP TABLE scratch (x)", "CREATE TEMP TABLE scratch"),
        ("PRAGMA query_only = OFF", "PRAGMA query_only = OFF"),
        ("ANALYZE", "ANALYZE items"),
    ],
)
def test_read_only_refuses_writes(
    db_file: Path, open_driver: Open, statement: str, refused: str
) -> None:
    before = digest(db_file)
    driver = open_driver(f"sqlite://{db_file}", read_only=True)
    with pytest.raises(ReadOnlyError) as caught:
        run(driver, statement)
    assert caught.value.message.startswith(f"{refused} refused: this connection is read-only")
    assert caught.value.statement == statement
    assert rows(driver, "SELECT count(*) FROM items") == [(3,)]
    driver.close()
    assert digest(db_file) == before


def test_read_only_is_enforced_by_sqlite_too(db_file: Path, open_driver: Open) -> None:
    before = digest(db_file)
    driver = open_driver(f"sqlite://{db_file}", read_only=True)
    # The authorizer cannot tell a PRAGMA that writes; mode=ro refuses it.
    with pytest.raises(ReadOnlyError, match="readonly database"):
        run(driver, "PRAGMA user_version = 9")
    # ATTACH would open (and create) a second file read-write.
    with pytest.raises(ReadOnlyError, match="ATTACH"):
        run(driver, f"ATTACH '{db_file.parent / 'other.db'}' AS other")
    assert not (db_file.parent / "other.db").exists()
    with pytest.raises(ReadOnlyError):
        run(driver, f"VACUUM INTO '{db_file.parent / 'copy.db'}'")
    assert not (db_file.parent / "copy.db").exists()
    driver.close()
    assert digest(db_file) == before


def test_read_only_still_reads_and_runs_transactions(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}", read_only=True)
    assert driver.read_only
    run(driver, "BEGIN")
    assert rows(driver, "SELECT name FROM items WHERE price > 3 ORDER BY name") == [
        ("fig",),
        ("pear",),
    ]
    run(driver, "COMMIT")
    assert rows(driver, "PRAGMA table_info(items)")[1][1] == "name"
    assert rows(driver, "SELECT count(*) FROM pragma_table_list") != [(0,)]


def test_mode_ro_in_the_url_is_read_only(db_file: Path, open_driver: Open) -> None:
    driver = open_driver(f"sqlite://{db_file}?mode=ro")
    assert driver.read_only
    with pytest.raises(ReadOnlyError):
        run(driver, "DELETE FROM items")
