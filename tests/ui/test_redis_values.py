"""Sorted sets by score with a score-range filter, jumping into big values, value formats (real Redis)."""

from __future__ import annotations

import gzip
import zlib

import msgpack  # type: ignore[import-untyped]
import pytest
import redis as redis_py
from test_redis_edit import SIZE, BrowserApp, open_key
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea
from uitools import until

from dbtui.drivers.redis import RedisDriver
from dbtui.ui.key_browser.dialogs import JumpDialog
from dbtui.ui.key_browser.value_view import ValueViewer

pytestmark = pytest.mark.redis


def status(viewer: ValueViewer) -> str:
    return str(viewer.query_one("#vv-status", Static).render())


def first_row(viewer: ValueViewer) -> tuple[object, ...]:
    """The first loaded row (a function: mypy keeps a narrowed ``viewer.rows`` across awaits)."""
    return viewer.rows[0]


async def jump(pilot: Pilot[None], app: BrowserApp, where: str) -> None:
    """Press g, type ``where``, Enter, and wait for the rows read from there."""
    viewer = app.browser.viewer
    await pilot.press("g")
    await until(pilot, lambda: isinstance(app.screen, JumpDialog), "the jump dialog")
    app.screen.query_one(Input).value = where
    await pilot.press("enter")
    await until(pilot, lambda: app.screen is app.browser, "the dialog to close")
    await until(pilot, lambda: not viewer.fetching, "the rows")


async def test_sorted_set_by_score_rank_and_score_range(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.zadd("board", {f"m{i:04}": 1000 - i for i in range(1000)})  # m0999 lowest
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.browser.viewer
        await open_key(pilot, app, b"board")
        assert viewer.rows[:3] == [(b"m0999", 1.0), (b"m0998", 2.0), (b"m0997", 3.0)]
        scores = [row[1] for row in viewer.rows]
        assert scores == sorted(scores)
        assert len(scores) == 200
        assert "by score" in status(viewer)
        await pilot.press("E")  # highest first
        await until(pilot, lambda: viewer.rows[:1] == [(b"m0000", 1000.0)], "the highest")
        await pilot.press("m")
        await until(pilot, lambda: len(viewer.rows) == 400, "the next page by score")
        assert viewer.rows[399] == (b"m0399", 601.0)

        await jump(pilot, app, "500")  # rank 500 from the lowest
        assert viewer.rows[0] == (b"m0499", 501.0)
        assert "from rank 500" in status(viewer)

        field = viewer.query_one("#vv-filter", Input)
        field.focus()
        field.value = "(10 20"
        await pilot.press("enter")
        await until(pilot, lambda: not viewer.fetching and len(viewer.rows) == 10, "the range")
        assert viewer.rows == [(f"m{1000 - s:04}".encode(), float(s)) for s in range(11, 21)]
        assert "10 of 10 members" in status(viewer)
        assert "scores (10 to 20" in status(viewer)

        field.focus()
        field.value = "m000*"  # a member glob still filters members (scan order)
        await pilot.press("enter")
        await until(pilot, lambda: not viewer.fetching, "the glob")
        while viewer.next is not None:
            await pilot.press("m")
            await until(pilot, lambda: not viewer.fetching, "the next page")
        assert {row[0] for row in viewer.rows} == {f"m000{i}".encode() for i in range(10)}


async def test_jump_to_an_index_of_a_big_list_and_a_stream_entry(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    pipe = client.pipeline(transaction=False)
    for start in range(0, 300_000, 10_000):
        pipe.rpush("big:list", *[f"e{i}" for i in range(start, start + 10_000)])
    for i in range(1000):
        pipe.xadd("big:stream", {"n": str(i)}, id=f"{1000 + i}-0")
    pipe.execute()
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.browser.viewer
        await open_key(pilot, app, b"big:list")
        assert viewer.rows[0] == (0, b"e0")
        await jump(pilot, app, "150,000")  # its middle
        assert viewer.rows[:2] == [(150_000, b"e150000"), (150_001, b"e150001")]
        await pilot.press("m")
        await until(pilot, lambda: len(viewer.rows) == 400, "the page after the middle")
        assert viewer.rows[-1] == (150_399, b"e150399")
        await jump(pilot, app, "-1")
        assert viewer.rows[0] == (299_999, b"e299999")
        await jump(pilot, app, "middle")
        assert viewer.rows[0] == (299_999, b"e299999")  # refused: nothing moved
        assert any("whole number" in note for note in app.notes)

        await open_key(pilot, app, b"big:stream")
        await jump(pilot, app, "1500")
        assert first_row(viewer) == (b"1500-0", b"n=500")
        assert "from 1500" in status(viewer)


async def test_msgpack_and_gzip_values_are_readable(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set("fmt:pack", msgpack.packb({"user": "ada", "tags": [1, 2]}))
    client.set("fmt:gz", gzip.compress(b'{"city": "Oslo"}'))
    client.set("fmt:z", zlib.compress(b"plain words " * 20))
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.browser.viewer
        area = viewer.query_one("#vv-text", TextArea)
        await open_key(pilot, app, b"fmt:pack")
        assert '"user": "ada"' in area.text
        assert "msgpack" in status(viewer)
        await open_key(pilot, app, b"fmt:gz")
        assert area.text == '{\n  "city": "Oslo"\n}'
        assert "gzip+json" in status(viewer)
        await pilot.press("v", "v", "v")  # text, json, hex: the stored bytes
        assert viewer.mode == "hex"
        assert area.text.startswith("000000  1f 8b")
        await pilot.press("v")  # msgpack does not apply: the bytes are shown as they are
        assert viewer.mode == "msgpack"
        assert "hex (not msgpack)" in status(viewer)
        await pilot.press("v")
        assert viewer.mode == "gzip"
        assert area.text == '{\n  "city": "Oslo"\n}'
        await open_key(pilot, app, b"fmt:z")
        assert area.text.startswith("plain words plain words")
        assert "zlib+text" in status(viewer)
