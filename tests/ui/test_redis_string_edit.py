"""Editing a string value (e, Ctrl+S, Esc) and removing a stream entry (x), on the real server."""

from __future__ import annotations

import json
import time

import pytest
import redis as redis_py
from test_redis_edit import SIZE, BrowserApp, on_row, open_key
from textual.pilot import Pilot
from textual.widgets import TextArea
from uitools import until

from dbtui.core.errors import ReadOnlyError
from dbtui.drivers.redis import RedisDriver, edits
from dbtui.ui.key_browser.string_edit import EDIT_LIMIT, StringEditor
from dbtui.ui.screens.dialogs import ConfirmScreen

pytestmark = pytest.mark.redis


async def open_editor(pilot: Pilot[None], app: BrowserApp) -> TextArea:
    """Press e in the value pane and wait for the editor; returns its text area."""
    app.browser.viewer.focus_body()
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, StringEditor), "the editor")
    return app.screen.query_one("#string-text", TextArea)


async def test_edit_a_string_keeps_its_ttl(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.set("greeting", "hello", ex=1000)
    started = time.monotonic()
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"greeting")
        area = await open_editor(pilot, app)
        assert area.text == "hello"
        assert area.language is None
        area.text = "hello, wörld\nsecond line"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: client.get("greeting") != b"hello", "the write")
        assert client.get("greeting") == "hello, wörld\nsecond line".encode()
        # Kept, not reset to 1000 nor removed: it only counted down meanwhile.
        assert 1000 - (time.monotonic() - started) - 1 <= client.ttl("greeting") <= 1000
        viewer = app.browser.viewer
        await until(pilot, lambda: viewer.data.startswith(b"hello, w"), "the refresh")
        assert any("TTL kept" in note for note in app.notes)


async def test_edit_a_json_string_and_esc_asks_first(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set("doc", json.dumps({"a": 1, "tags": ["x"]}))
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"doc")
        area = await open_editor(pilot, app)
        assert json.loads(area.text) == {"a": 1, "tags": ["x"]}
        area.text = '{"a": 2}'
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")  # keep editing
        await until(pilot, lambda: isinstance(app.screen, StringEditor), "the editor again")
        assert app.screen.query_one("#string-text", TextArea).text == '{"a": 2}'
        await pilot.press("ctrl+s")
        await until(pilot, lambda: json.loads(client.get("doc") or b"0") == {"a": 2}, "SET")
        assert client.ttl("doc") == -1  # no TTL before, none after
        area = await open_editor(pilot, app)
        area.text = "dropped"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await until(pilot, lambda: app.screen is app.browser, "the browser")
        assert json.loads(client.get("doc") or b"0") == {"a": 2}


async def test_binary_and_huge_values_are_refused(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set("bin", b"\xff\xfe\x00raw")
    client.set("huge", b"x" * (EDIT_LIMIT + 1))
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"bin")
        app.browser.viewer.focus_body()
        await pilot.press("e")
        await until(pilot, lambda: any("binary" in note for note in app.notes), "the refusal")
        assert app.screen is app.browser
        await open_key(pilot, app, b"huge")
        await pilot.press("e")
        await until(pilot, lambda: any("up to" in note for note in app.notes), "the refusal")
        assert app.screen is app.browser
    assert client.get("bin") == b"\xff\xfe\x00raw"
    assert client.strlen("huge") == EDIT_LIMIT + 1


async def test_read_only_refuses_a_string_edit(
    ro_driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set("greeting", "hello", ex=500)
    app = BrowserApp(ro_driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"greeting")
        app.browser.viewer.focus_body()
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is app.browser  # no editor opened
        assert any("read-only" in note for note in app.notes)
    with pytest.raises(ReadOnlyError):
        edits.set_string(ro_driver.keyspace(), b"greeting", b"changed")
    with pytest.raises(ReadOnlyError):
        edits.delete_stream_entry(ro_driver.keyspace(), b"greeting", b"0-1")
    assert client.get("greeting") == b"hello"


def test_setting_a_string_without_keepttl_puts_the_ttl_back(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set("old", "v", px=600_000)
    client.set("plain", "v")
    edits.set_string_reapplying_ttl(driver.keyspace(), b"old", b"new")
    edits.set_string_reapplying_ttl(driver.keyspace(), b"plain", b"new")
    assert client.get("old") == b"new"
    assert 598_000 <= client.pttl("old") <= 600_000
    assert client.get("plain") == b"new"
    assert client.pttl("plain") == -1


async def test_remove_a_stream_entry_asks_first(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    first = client.xadd("events", {"n": "1"})
    second = client.xadd("events", {"n": "2"})
    assert isinstance(second, bytes)
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"events")
        await on_row(pilot, app, lambda cells: cells[0] == second)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert second.decode() in question.question
        await pilot.press("n")
        await until(pilot, lambda: app.screen is app.browser, "the answer")
        assert client.xlen("events") == 2
        await on_row(pilot, app, lambda cells: cells[0] == second)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await until(pilot, lambda: client.xlen("events") == 1, "XDEL")
        entries = client.xrange("events")
        assert entries is not None
        assert [entry_id for entry_id, _ in entries] == [first]
        viewer = app.browser.viewer
        await until(pilot, lambda: [row[0] for row in viewer.rows] == [first], "the refresh")
    assert edits.delete_stream_entry(driver.keyspace(), b"events", second) is False
