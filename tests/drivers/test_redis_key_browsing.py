"""The KeyBrowsing capability of the Redis driver, used only through its protocols (real Redis)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_py
from drivertools import connected

from dbtui.core.capabilities.keys import KeyBrowser, KeyBrowsing, LiveCommands, LiveFeed
from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.key_values import MemberEdit, PageRequest
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver

pytestmark = pytest.mark.redis


@pytest.fixture
def driver(redis_clean: str) -> Iterator[RedisDriver]:
    yield from connected(RedisDriver, redis_clean)


@pytest.fixture
def ro_driver(redis_clean: str) -> Iterator[RedisDriver]:
    yield from connected(RedisDriver, redis_clean, read_only=True)


def browser_of(driver: object) -> KeyBrowser:
    """The driver's key browser, reached through the capability alone."""
    assert isinstance(driver, KeyBrowsing)
    keys = driver.key_browser(None)
    assert isinstance(keys, KeyBrowser)
    return keys


def test_redis_has_the_capabilities_and_sqlite_has_not(driver: RedisDriver, tmp_path: Path) -> None:
    assert isinstance(driver, KeyBrowsing)
    assert isinstance(driver, LiveCommands)
    sqlite = open_driver(spec_from_url(f"sqlite://{tmp_path / 'plain.db'}?mode=rwc"))
    try:
        assert not isinstance(sqlite, KeyBrowsing)
        assert not isinstance(sqlite, LiveCommands)
    finally:
        sqlite.close()


def test_scan_info_pages_and_edits_through_the_protocol(
    driver: RedisDriver, redis_clean: str
) -> None:
    client = redis_py.Redis.from_url(redis_clean)
    try:
        client.set("p:s", "hello")
        client.hset("p:h", mapping={"a": "1", "b": "2"})
        keys = browser_of(driver)
        assert (keys.db, keys.read_only) == (0, False)
        scan = keys.new_scan()
        found = [key for batch in scan.scan_batches(match=b"p:*") for key in batch.keys]
        assert sorted(found) == [b"p:h", b"p:s"]
        assert scan.done
        info = {i.key: i for i in keys.key_info([b"p:h", b"p:gone"])}
        assert (info[b"p:h"].type, info[b"p:h"].length) == ("hash", 2)
        assert not info[b"p:gone"].exists
        page = keys.read_page(PageRequest(b"p:h", "hash"))
        assert dict(page.rows) == {b"a": b"1", b"b": b"2"}  # type: ignore[arg-type]
        assert keys.read_string(b"p:s", 1, 3).data == b"ell"
        summary = keys.edit_member(MemberEdit("add", "hash", b"p:h", name=b"c", value=b"3"))
        assert "added" in summary
        assert client.hget("p:h", "c") == b"3"
        with pytest.raises(QueryError) as exists:
            keys.rename(b"p:s", b"p:h", overwrite=False)
        assert exists.value.title == "Key exists"
        assert keys.split_words("a 'b c'") == [b"a", b"b c"]
        steps = list(keys.bulk_delete(b"p:*", dry_run=True, cancelled=threading.Event()))
        assert (steps[-1].phase, steps[-1].matched, steps[-1].deleted) == ("done", 2, 0)
        assert client.exists("p:s", "p:h") == 2
        feed = keys.live_feed(keys.pubsub_request("news"))
        assert isinstance(feed, LiveFeed)
    finally:
        client.close()


def test_read_only_browser_refuses_writes_before_sending(ro_driver: RedisDriver) -> None:
    keys = browser_of(ro_driver)
    assert keys.read_only
    with pytest.raises(ReadOnlyError):
        keys.check_writable("Deleting keys")
    with pytest.raises(ReadOnlyError):
        keys.delete([b"anything"])
    with pytest.raises(ReadOnlyError):
        keys.edit_member(MemberEdit("add", "set", b"s", value=b"m"))
