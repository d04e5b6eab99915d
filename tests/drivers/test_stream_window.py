"""Seekable result streams: a window of rows walks far into a result and back to row 1.

The window (:class:`~dbtui.core.window.RowWindow`) is what a viewer holds; the
stream itself keeps no rows, so the rows held never exceed the window's capacity.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest

from dbtui.core.driver import Driver
from dbtui.core.errors import UnsupportedError
from dbtui.core.results import DocumentsResult, RowsResult, Stream
from dbtui.core.spec import spec_from_url
from dbtui.core.window import RowWindow
from dbtui.drivers.mongo import MongoDriver
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.sqlite import SqliteDriver

PAGE = 500
CAPACITY = 2000


def rows_of(driver: Driver, statement: str) -> Stream[tuple[object, ...]]:
    result = next(iter(driver.execute(statement)))
    assert isinstance(result, RowsResult)
    return result.rows


def first_values(window: RowWindow[Any]) -> list[object]:
    return [item[0] for item in window.items]


def spent(stream: Stream[Any]) -> bool:
    """``stream.exhausted``, read through a call (mypy keeps narrowed properties)."""
    return stream.exhausted


def walk(stream: Stream[Any], to: int) -> RowWindow[Any]:
    """Page forward until row ``to`` is held, then back to row 1, checking the window."""
    window: RowWindow[Any] = RowWindow(PAGE, CAPACITY)
    window.place(0, stream.fetch(PAGE), PAGE)
    while not window.holds(to - 1):
        start = window.page_below()
        assert start is not None
        window.place(start, stream.fetch_page(start, PAGE), PAGE)
        assert len(window.items) <= CAPACITY
    assert window.start > 0
    while window.start > 0:
        start = window.page_above()
        assert start is not None
        window.place(start, stream.fetch_page(start, PAGE), PAGE)
        assert len(window.items) <= CAPACITY
        assert window.end - window.start == len(window.items)
    return window


@pytest.fixture
def postgres(postgres_db_url: str) -> Iterator[PostgresDriver]:
    driver = PostgresDriver(spec_from_url(postgres_db_url))
    driver.connect()
    yield driver
    driver.close()


@pytest.mark.postgres
def test_postgres_pages_to_row_200000_and_back_to_row_1(postgres: PostgresDriver) -> None:
    stream = rows_of(postgres, "select g, md5(g::text) from generate_series(1, 10000000) g")
    assert stream.seekable
    window = walk(stream, 200_000)
    assert first_values(window)[0] == 1
    assert window.end <= CAPACITY
    assert first_values(window) == list(range(1, window.end + 1))
    assert stream.fetch_page(199_999, 2)[0][0] == 200_000  # one jump, no walk
    assert stream.fetch(1)[0][0] == 200_002  # fetch goes on after the page
    stream.close()


@pytest.mark.postgres
def test_postgres_end_of_a_scroll_cursor_and_back(postgres: PostgresDriver) -> None:
    stream = rows_of(postgres, "select g from generate_series(1, 1234) g")
    assert len(stream.fetch(PAGE)) == PAGE
    tail = stream.fetch_page(1000, PAGE)
    assert [tail[0][0], tail[-1][0], len(tail)] == [1001, 1234, 234]
    assert stream.total == 1234
    assert spent(stream)
    assert stream.fetch_page(0, 3) == [(1,), (2,), (3,)]  # the cursor is still open
    assert not spent(stream)
    assert stream.fetch_page(5000, 10) == []  # past the end: nothing, no error
    stream.close()
    with pytest.raises(UnsupportedError):
        stream.fetch_page(0, 3)


@pytest.mark.postgres
def test_postgres_for_update_streams_forward_only(postgres: PostgresDriver) -> None:
    list(postgres.execute("create table t (n int); insert into t select generate_series(1, 900)"))
    stream = rows_of(postgres, "select n from t order by n for update")
    assert not stream.seekable
    assert len(stream.fetch(PAGE)) == PAGE
    with pytest.raises(UnsupportedError, match="cannot be read again"):
        stream.aim(0)
    assert stream.fetch(PAGE)[0] == (501,)
    stream.close()


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[SqliteDriver]:
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table log (n integer)")
    driver = SqliteDriver(spec_from_url(f"sqlite://{path}"))
    driver.connect()
    yield driver
    driver.close()


SQLITE_SERIES = """-- 300,000 rows
with recursive s(n) as (select 1 union all select n + 1 from s where n < 300000)
select n, 'row ' || n from s"""


def test_sqlite_pages_far_and_back_by_running_the_query_again(sqlite: SqliteDriver) -> None:
    stream = rows_of(sqlite, SQLITE_SERIES)
    assert stream.seekable
    window = walk(stream, 60_000)
    assert first_values(window) == list(range(1, window.end + 1))
    assert stream.fetch_page(250_000, 1) == [(250_001, "row 250001")]
    stream.close()


def test_sqlite_never_re_runs_a_write(sqlite: SqliteDriver) -> None:
    stream = rows_of(sqlite, "insert into log values (1), (2), (3) returning n")
    assert not stream.seekable
    assert stream.fetch(1) == [(1,)]
    with pytest.raises(UnsupportedError):
        stream.aim(0)
    stream.close()
    pragma = rows_of(sqlite, "pragma table_info(log)")
    assert not pragma.seekable
    pragma.close()


@pytest.fixture
def mongo(mongo_url: str) -> Iterator[MongoDriver]:
    name = f"win_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    client[name].docs.insert_many([{"_id": i, "v": f"d{i}"} for i in range(6000)])
    driver = MongoDriver(spec_from_url(f"{mongo_url}{name}"))
    driver.connect()
    yield driver
    driver.close()
    client.drop_database(name)
    client.close()


@pytest.mark.mongo
def test_mongo_find_pages_far_and_back_with_skip(mongo: MongoDriver) -> None:
    result = next(iter(mongo.execute("db.docs.find({}).sort({_id: 1}).skip(10).limit(5000)")))
    assert isinstance(result, DocumentsResult)
    stream = result.documents
    assert stream.seekable
    window = walk(stream, 4500)
    assert [d["_id"] for d in window.items] == list(range(10, 10 + window.end))
    tail = stream.fetch_page(4990, PAGE)
    assert [d["_id"] for d in tail] == list(range(5000, 5010))  # the limit still holds
    assert stream.fetch_page(7000, PAGE) == []
    stream.close()


@pytest.mark.mongo
def test_mongo_aggregate_streams_forward_only(mongo: MongoDriver) -> None:
    result = next(iter(mongo.execute("db.docs.aggregate([{$sort: {_id: 1}}])")))
    assert isinstance(result, DocumentsResult)
    assert not result.documents.seekable
    result.documents.close()
