"""Streaming through server-side cursors, cancel, and statement timeouts."""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.errors import CancelledError, DbtuiError, QueryError
from dbtui.core.results import RowsResult
from dbtui.core.spec import ConnectionSpec, spec_from_url
from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres

MILLION = "select g as n, md5(g::text) as h from generate_series(1, 1000000) g"


@pytest.fixture
def driver(postgres_db_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, postgres_db_url)


@pytest.fixture
def admin(postgres_db_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A separate connection that watches the driver's session from outside."""
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        yield conn


def session_cursors(driver: PostgresDriver) -> list[str]:
    """Names in pg_cursors, which only the session itself can see (hence the private access)."""
    session = driver._session
    assert session is not None
    return [row[0] for row in session.conn.execute("select name from pg_cursors").fetchall()]


def backend_state(
    admin: psycopg.Connection[tuple[object, ...]], pid: int | None
) -> tuple[str, str]:
    row = admin.execute(
        "select state, query from pg_stat_activity where pid = %s", [pid]
    ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def one_value(driver: PostgresDriver, sql: str) -> object:
    (result,) = driver.execute(sql)
    assert isinstance(result, RowsResult)
    (row,) = result.rows.fetch(2)
    return row[0]


def test_million_rows_first_page_only_and_the_cursor_lives_on_the_server(
    driver: PostgresDriver, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    (result,) = driver.execute(MILLION)
    assert isinstance(result, RowsResult)
    assert [c.name for c in result.columns] == ["n", "h"]
    page = result.rows.fetch(100)
    assert page[0][0] == 1
    assert page[-1][0] == 100
    assert result.rows.fetched == 100
    assert not result.rows.exhausted
    state, query = backend_state(admin, driver.backend_pid)
    assert state == "idle in transaction"
    assert query.startswith("FETCH FORWARD 500 FROM")  # only one page was asked for
    assert len(session_cursors(driver)) == 1
    assert driver.transaction_status == "idle"  # the cursor's own transaction is not the user's
    more = result.rows.fetch(1000)
    assert [more[0][0], more[-1][0]] == [101, 1100]
    result.rows.close()
    assert session_cursors(driver) == []
    assert backend_state(admin, driver.backend_pid)[0] == "idle"


def test_reading_a_million_rows_keeps_memory_flat(driver: PostgresDriver) -> None:
    """Peak traced memory while reading 1M rows stays far below what holding them would take."""
    (result,) = driver.execute(MILLION)
    assert isinstance(result, RowsResult)
    total = 0
    last = 0
    tracemalloc.start()
    try:
        while page := result.rows.fetch(2000):
            total += len(page)
            last = int(page[-1][0])  # type: ignore[call-overload]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (total, last) == (1_000_000, 1_000_000)
    assert result.rows.exhausted
    # One million (int, 32-char str) rows held at once take well over 100 MB.
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    # A SCROLL cursor read to its end stays open (to page back) until the stream is closed.
    assert session_cursors(driver) == ["dbtui_1"]
    result.rows.close()
    assert session_cursors(driver) == []
    assert driver.transaction_status == "idle"


def test_next_statement_closes_the_open_stream(driver: PostgresDriver) -> None:
    (result,) = driver.execute(MILLION)
    assert isinstance(result, RowsResult)
    result.rows.fetch(10)
    first_cursor = session_cursors(driver)
    # This query is itself streamed through a cursor: it must be the only one left.
    names = one_value(driver, "select array_agg(name) from pg_cursors")
    assert isinstance(names, list)
    assert len(names) == 1
    assert names != first_cursor
    assert result.rows.exhausted


def test_stream_inside_the_users_transaction(driver: PostgresDriver) -> None:
    list(driver.execute("begin"))
    (result,) = driver.execute("select g from generate_series(1, 2000) g")
    assert isinstance(result, RowsResult)
    assert len(result.rows.fetch(700)) == 700
    assert driver.transaction_status == "in transaction"
    result.rows.close()
    assert driver.transaction_status == "in transaction"
    list(driver.execute("commit"))
    assert driver.transaction_status == "idle"


def test_side_effects_of_a_streamed_select_are_committed(
    driver: PostgresDriver, admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    list(
        driver.execute(
            "create table log (v int);"
            "create function note(v int) returns int language sql"
            " as 'insert into log values (v) returning v'"
        )
    )
    (result,) = driver.execute("select note(g) from generate_series(1, 3) g")
    assert isinstance(result, RowsResult)
    assert result.rows.fetch(10) == [(1,), (2,), (3,)]
    assert result.rows.exhausted
    assert admin.execute("select count(*) from log").fetchone() == (3,)


def test_error_on_a_later_page(driver: PostgresDriver) -> None:
    (result,) = driver.execute("select 1 / (g - 700) from generate_series(1, 1000) g")
    assert isinstance(result, RowsResult)
    assert len(result.rows.fetch(500)) == 500
    with pytest.raises(QueryError, match="division by zero"):
        result.rows.fetch(500)
    result.rows.close()
    assert driver.transaction_status == "idle"
    assert one_value(driver, "select 42") == 42


def test_closing_a_stale_stream_leaves_the_current_one_alone(driver: PostgresDriver) -> None:
    (failed,) = driver.execute("select 1 / (g - 700) from generate_series(1, 1000) g")
    assert isinstance(failed, RowsResult)
    failed.rows.fetch(500)
    with pytest.raises(QueryError):
        failed.rows.fetch(500)
    (current,) = driver.execute("select g from generate_series(1, 3000) g")
    assert isinstance(current, RowsResult)
    assert len(current.rows.fetch(600)) == 600
    failed.rows.close()
    assert len(session_cursors(driver)) == 1
    assert current.rows.fetch(3000)[-1] == (3000,)
    assert driver.transaction_status == "idle"


def _run_in_thread(
    driver: PostgresDriver, sql: str
) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            for result in driver.execute(sql):
                if isinstance(result, RowsResult):
                    result.rows.fetch(10)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, errors


def _wait_until_sleeping(admin: psycopg.Connection[tuple[object, ...]], pid: int | None) -> None:
    """Poll pg_stat_activity until the backend sits in pg_sleep (no timing assertion)."""
    for _ in range(600):
        row = admin.execute(
            "select wait_event from pg_stat_activity where pid = %s", [pid]
        ).fetchone()
        if row is not None and row[0] == "PgSleep":
            return
        threading.Event().wait(0.05)
    raise AssertionError("the statement never reached pg_sleep")


@pytest.mark.parametrize(
    "sql",
    [
        "select pg_sleep(30)",
        "do $$ begin perform pg_sleep(30); end $$",
    ],
)
def test_cancel_from_another_thread(
    driver: PostgresDriver, admin: psycopg.Connection[tuple[object, ...]], sql: str
) -> None:
    thread, errors = _run_in_thread(driver, sql)
    _wait_until_sleeping(admin, driver.backend_pid)
    driver.cancel()
    thread.join(timeout=25)
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], CancelledError)
    assert driver.transaction_status == "idle"
    assert one_value(driver, "select 1") == 1


def test_cancel_with_nothing_running_is_harmless(driver: PostgresDriver) -> None:
    driver.cancel()
    assert one_value(driver, "select 2") == 2


def test_statement_timeout_is_not_a_cancel(driver: PostgresDriver) -> None:
    driver.set_statement_timeout(200)
    with pytest.raises(QueryError) as info:
        list(driver.execute("select pg_sleep(10)"))
    assert not isinstance(info.value, CancelledError)
    assert info.value.title == "Statement timeout"
    assert "statement timeout" in info.value.message
    driver.set_statement_timeout(None)
    assert one_value(driver, "show statement_timeout") == "0"


def test_statement_timeout_from_the_spec(postgres_db_url: str) -> None:
    spec = spec_from_url(postgres_db_url)
    spec = ConnectionSpec(
        url=spec.url, engine=spec.engine, name=spec.name, options=(("statement_timeout", "3s"),)
    )
    driver = PostgresDriver(spec)
    driver.connect()
    try:
        assert one_value(driver, "show statement_timeout") == "3s"
    finally:
        driver.close()
    driver = PostgresDriver(spec, statement_timeout_ms=1500)
    driver.connect()
    try:
        assert one_value(driver, "show statement_timeout") == "1500ms"
    finally:
        driver.close()


def test_bad_statement_timeout_option_fails_to_connect(postgres_db_url: str) -> None:
    spec = spec_from_url(postgres_db_url)
    spec = ConnectionSpec(
        url=spec.url, engine=spec.engine, name=spec.name, options=(("statement_timeout", "soon"),)
    )
    with pytest.raises(DbtuiError, match="statement_timeout"):
        PostgresDriver(spec).connect()
