"""Key order (o) and value-pane edits (e/a/x) of the Redis browser at 80x24, on the real server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis as redis_py
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from uitools import until

import dbtui.ui
from dbtui.core.errors import QueryError, ReadOnlyError
from dbtui.core.key_values import Cell, MemberEdit
from dbtui.core.keytree import format_key
from dbtui.drivers.redis import RedisDriver, edits
from dbtui.drivers.redis.member_edits import apply_edit
from dbtui.ui.key_browser import RedisBrowserScreen
from dbtui.ui.key_browser.dialogs import FormDialog
from dbtui.ui.screens.dialogs import ConfirmScreen

pytestmark = pytest.mark.redis

SIZE = (80, 24)


class BrowserApp(App[None]):
    """A bare app that opens the browser and keeps every notification."""

    CSS_PATH = Path(dbtui.ui.__file__).parent / "app.tcss"

    def __init__(self, driver: RedisDriver) -> None:
        super().__init__()
        self.browser = RedisBrowserScreen(driver, "test", None)
        self.notes: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.browser)

    def notify(self, message: str, **kwargs: Any) -> None:
        self.notes.append(message)
        super().notify(message, **kwargs)


async def filtered(pilot: Pilot[None], app: BrowserApp, pattern: str) -> None:
    """Scan with a pattern (its single folder chain opens) and wait for the end of the scan."""
    browser = app.browser
    await until(pilot, lambda: not browser.key_list.scanning, "the first scan")
    await pilot.press("slash")
    browser.query_one("#rb-filter", Input).value = pattern
    await pilot.press("enter")
    await until(
        pilot, lambda: browser.key_list.scan_finished and not browser.key_list.scanning, "the scan"
    )
    await pilot.pause()


async def open_key(pilot: Pilot[None], app: BrowserApp, key: bytes) -> None:
    """Look the key up by its exact name and wait for its value."""
    await filtered(pilot, app, format_key(key))
    viewer = app.browser.viewer
    await until(pilot, lambda: viewer.info is not None and not viewer.fetching, "the value")


async def on_row(
    pilot: Pilot[None], app: BrowserApp, pick: Callable[[tuple[Cell, ...]], bool]
) -> None:
    """Focus the value table with the cursor on the first row ``pick`` accepts."""
    viewer = app.browser.viewer
    row = next(index for index, cells in enumerate(viewer.rows) if pick(cells))
    table = viewer.query_one("#vv-table", DataTable)
    table.focus()
    table.move_cursor(row=row)
    await pilot.pause()


async def fill_form(pilot: Pilot[None], app: BrowserApp, **values: str) -> None:
    """Type into the open form's inputs and save it with Ctrl+S (Enter never saves)."""
    await until(pilot, lambda: isinstance(app.screen, FormDialog), "the form")
    form = app.screen
    for name, value in values.items():
        form.query_one(f"#form-{name}", Input).value = value
    inputs = list(form.query(Input))
    inputs[-1].focus()
    await pilot.press("ctrl+s")


def key_rows(app: BrowserApp, folder: bytes) -> list[bytes]:
    """Key names under an open folder, in display order."""
    view = app.browser.keys_view
    node = next(c for c in view.root.children if c.data is not None and c.data.name == folder)
    return [c.data.name for c in node.children if c.data is not None and c.data.kind == "key"]


# ----------------------------------------------------------------- sorting
async def test_sorting_by_ttl_and_memory(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.set("s:short", "x", ex=10)
    client.set("s:long", "x", ex=1000)
    client.set("s:mid", "y" * 2000, ex=500)
    client.set("s:big", "z" * 20000)
    client.set("s:forever", "x")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await filtered(pilot, app, "s:*")
        assert key_rows(app, b"s") == [b"s:big", b"s:forever", b"s:long", b"s:mid", b"s:short"]
        browser = app.browser
        browser.keys_view.focus()
        await pilot.press("o", "o")  # name -> type -> TTL
        assert browser.keys_view.sort_by == "ttl"
        expected = [b"s:short", b"s:mid", b"s:long", b"s:big", b"s:forever"]
        await until(pilot, lambda: key_rows(app, b"s") == expected, "the TTL order")
        count = str(browser.query_one("#rb-count", Static).render())
        assert "by TTL" in count
        assert "loaded keys" in count
        await pilot.press("o")
        assert browser.keys_view.sort_by == "memory"
        await until(pilot, lambda: key_rows(app, b"s")[:2] == [b"s:big", b"s:mid"], "by memory")
        sizes = [browser.key_list.infos[key].memory or 0 for key in key_rows(app, b"s")]
        assert sizes == sorted(sizes, reverse=True)
        assert any("not the whole keyspace" in note for note in app.notes)
        await pilot.press("o")
        assert key_rows(app, b"s") == [b"s:big", b"s:forever", b"s:long", b"s:mid", b"s:short"]


# ----------------------------------------------------------------- edits
async def test_edit_a_hash_field(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.hset("h", mapping={"f1": "v1", "f2": "v2"})
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"h")
        await on_row(pilot, app, lambda cells: cells[0] == b"f2")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the form")
        assert app.screen.query_one("#form-value", Input).value == "v2"
        await fill_form(pilot, app, value="new\\x00value")
        await until(pilot, lambda: client.hget("h", "f2") == b"new\x00value", "the write")
        viewer = app.browser.viewer
        await until(pilot, lambda: (b"f2", b"new\x00value") in viewer.rows, "the refresh")
        assert client.hget("h", "f1") == b"v1"
        assert app.screen is app.browser


async def test_add_a_set_member(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.sadd("members", "a", "b")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"members")
        await on_row(pilot, app, lambda cells: True)
        await pilot.press("a")
        await fill_form(pilot, app, value="c")
        await until(pilot, lambda: client.sismember("members", "c") == 1, "SADD")
        viewer = app.browser.viewer
        await until(pilot, lambda: (b"c",) in viewer.rows, "the refresh")
        assert client.scard("members") == 3


async def test_remove_a_list_element_asks_and_removes_that_one(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.rpush("l", "a", "b", "a")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"l")
        await on_row(pilot, app, lambda cells: cells[0] == 2)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is app.browser, "the answer")
        assert client.lrange("l", 0, -1) == [b"a", b"b", b"a"]
        await on_row(pilot, app, lambda cells: cells[0] == 2)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert "#2" in question.question
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        # The element at #2 went, not the first equal one (LREM alone would leave b, a).
        await until(pilot, lambda: client.lrange("l", 0, -1) == [b"a", b"b"], "the removal")
        viewer = app.browser.viewer
        await until(pilot, lambda: viewer.rows == [(0, b"a"), (1, b"b")], "the refresh")


async def test_change_a_zset_score(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.zadd("z", {"m1": 1, "m2": 2})
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"z")
        await on_row(pilot, app, lambda cells: cells[0] == b"m1")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the form")
        assert app.screen.query_one("#form-score", Input).value == "1.0"
        await fill_form(pilot, app, score="not a number")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)  # refused in the dialog, nothing sent
        assert client.zscore("z", "m1") == 1.0
        await fill_form(pilot, app, score="42.5")
        await until(pilot, lambda: client.zscore("z", "m1") == 42.5, "ZADD XX")
        assert client.zscore("z", "m2") == 2.0


async def test_add_a_stream_entry_and_a_refused_existing_field(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.xadd("events", {"n": "1"})
    client.hset("h", "f", "v")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"events")
        await on_row(pilot, app, lambda cells: True)
        await pilot.press("a")
        await fill_form(pilot, app, fields="temp 21.5 unit 'deg C'")
        await until(pilot, lambda: client.xlen("events") == 2, "XADD")
        entries = client.xrange("events")
        assert entries is not None
        assert entries[-1][1] == {b"temp": b"21.5", b"unit": b"deg C"}
        await open_key(pilot, app, b"h")
        await on_row(pilot, app, lambda cells: True)
        await pilot.press("a")
        await fill_form(pilot, app, name="f", value="other")
        await until(pilot, lambda: any("exists already" in note for note in app.notes), "refusal")
        assert client.hget("h", "f") == b"v"


async def test_read_only_refuses_edits_and_leaves_data_unchanged(
    ro_driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.hset("h", mapping={"f": "v"})
    client.rpush("l", "a")
    app = BrowserApp(ro_driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"h")
        await on_row(pilot, app, lambda cells: True)
        for key in ("e", "a", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.browser  # no form, no question
        refusals = [note for note in app.notes if "read-only" in note]
        assert len(refusals) == 3
    with pytest.raises(ReadOnlyError):
        apply_edit(ro_driver.keyspace(), MemberEdit("set", "hash", b"h", name=b"f", value=b"X"))
    with pytest.raises(ReadOnlyError):
        apply_edit(ro_driver.keyspace(), MemberEdit("remove", "list", b"l", index=0, old=b"a"))
    assert client.hgetall("h") == {b"f": b"v"}
    assert client.lrange("l", 0, -1) == [b"a"]


def test_list_edits_refuse_an_element_that_changed(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.rpush("l", "a", "b")
    keyspace = driver.keyspace()
    with pytest.raises(QueryError) as info:
        edits.replace_list_element(keyspace, b"l", 1, b"not b", b"x")
    assert info.value.title == "List changed"
    with pytest.raises(QueryError):
        edits.remove_list_element(keyspace, b"l", 0, b"b")
    assert client.lrange("l", 0, -1) == [b"a", b"b"]
    edits.replace_list_element(keyspace, b"l", 1, b"b", b"B")
    assert client.lrange("l", 0, -1) == [b"a", b"B"]
    assert edits.TOMBSTONE not in client.lrange("l", 0, -1)
