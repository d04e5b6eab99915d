"""The Redis key browser screen driven through Pilot at 80x24, against the harness's real Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis as redis_py
from harness.redis import cluster_pipeline
from redis.cluster import RedisCluster
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea
from uitools import connected_redis, until

import dbtui.ui
from dbtui.core.keytree import format_key
from dbtui.drivers.redis import RedisDriver
from dbtui.ui.key_browser import RedisBrowserScreen, jobs
from dbtui.ui.key_browser.dialogs import BulkDeleteDialog, RenameDialog, TtlDialog, ValueDialog
from dbtui.ui.key_browser.key_list import KeyList
from dbtui.ui.key_browser.messages import ScanKeys
from dbtui.ui.key_browser.value_view import ValueViewer
from dbtui.ui.screens.dialogs import ConfirmScreen

pytestmark = pytest.mark.redis

SIZE = (80, 24)
BINARY_KEY = b"bin:\xff\xfe\x00:\x80key"


class RecordingBrowser(RedisBrowserScreen):
    """The real screen, noting what the tree held each time a scan batch was handled."""

    def __init__(self, driver: RedisDriver, *, pause_after_first: bool = False) -> None:
        super().__init__(driver, "test", None)
        self.batches: list[tuple[int, int, bool, int]] = []
        self.pause_after_first = pause_after_first

    def record(self, event: ScanKeys, key_list: KeyList) -> None:
        """Called by the key list after each batch (see :func:`record_batches`)."""
        rows = len(key_list.root.children)
        self.batches.append((event.keys_seen, event.total, event.done, rows))
        if self.pause_after_first and len(self.batches) == 1:
            key_list.action_toggle_scan()


@pytest.fixture(autouse=True)
def record_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Have every key list report its batches to a :class:`RecordingBrowser` screen."""
    original = KeyList.add_batch

    def add_batch(self: KeyList, event: ScanKeys) -> None:
        original(self, event)
        if isinstance(self.screen, RecordingBrowser):
            self.screen.record(event, self)

    monkeypatch.setattr(KeyList, "add_batch", add_batch)


class BrowserApp(App[None]):
    """A bare app that opens the browser, as the main window will."""

    CSS_PATH = Path(dbtui.ui.__file__).parent / "app.tcss"

    def __init__(self, driver: RedisDriver, *, pause_after_first: bool = False) -> None:
        super().__init__()
        self.browser = RecordingBrowser(driver, pause_after_first=pause_after_first)
        self.notes: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.browser)

    def notify(self, message: str, **kwargs: Any) -> None:
        self.notes.append(message)
        super().notify(message, **kwargs)


def load(client: redis_py.Redis, count: int, prefix: str = "k") -> None:
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"{prefix}:{i % 10}:{i}", i)
        if len(pipe) >= 5000:
            pipe.execute()
    pipe.execute()


async def scanned(pilot: Pilot[None], app: BrowserApp) -> None:
    await until(
        pilot,
        lambda: app.browser.key_list.scan_finished and not app.browser.key_list.scanning,
        "the scan",
    )
    await pilot.pause()


async def open_key(pilot: Pilot[None], app: BrowserApp, key: bytes) -> None:
    """Type the key's name (escaped as shown) in the filter and wait for its value."""
    await scanned(pilot, app)
    await pilot.press("slash")
    field = app.browser.query_one("#rb-filter", Input)
    field.value = format_key(key)
    await pilot.press("enter")
    viewer = app.browser.viewer
    await until(pilot, lambda: viewer.info is not None and not viewer.fetching, "the value")


def has_more(viewer: ValueViewer) -> bool:
    """Whether the viewer has another page to load.

    A function rather than ``viewer.next is not None`` inline: mypy keeps a narrowed
    ``viewer.next`` across awaits, so a second loop over the same viewer looks unreachable.
    """
    return viewer.next is not None


async def test_first_keys_appear_before_the_scan_ends(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    load(client, 50_000)
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot, app)
        batches = app.browser.batches
        assert len(batches) >= 2
        first_seen, first_total, first_done, first_rows = batches[0]
        assert first_total == 50_000
        assert 0 < first_seen < first_total
        assert not first_done
        assert first_rows > 0  # the tree showed folders while the scan was still running
        assert [seen for seen, *_ in batches] == sorted(seen for seen, *_ in batches)
        assert batches[-1][2] is True
        model = app.browser.key_list.tree_model
        top_model = model.root.children[b"k"]
        assert top_model.count == 50_000
        assert sorted(top_model.children) == sorted(str(d).encode() for d in range(10))
        assert {f.count for f in top_model.children.values()} == {5000}
        view = app.browser.keys_view
        top = view.root.children[0]
        assert str(top.label).startswith("k 50k")
        top.expand()
        await pilot.pause(0.1)
        labels = [str(child.label) for child in top.children]
        assert labels[:3] == ["0 5000", "1 5000", "2 5000"]


async def test_pause_and_resume_the_scan(
    driver: RedisDriver, client: redis_py.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paused on the first batch: with one back-pressure slot the scan cannot finish first."""
    monkeypatch.setattr(jobs, "IN_FLIGHT", 1)
    load(client, 30_000)
    app = BrowserApp(driver, pause_after_first=True)
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        await until(pilot, lambda: not browser.key_list.scanning, "the pause")
        assert not browser.key_list.scan_finished
        assert browser.key_list.keys_seen < 30_000
        await pilot.press("s")
        await scanned(pilot, app)
        assert browser.key_list.tree_model.root.count >= 30_000
        assert browser.key_list.keys_seen >= 30_000


async def test_hash_and_stream_show_their_fields_and_entries(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.hset("t:hash", mapping={f"f{i}": f"v{i}" for i in range(250)})
    for i in range(120):
        client.xadd("t:stream", {"n": str(i)})
    client.xgroup_create("t:stream", "workers", id="0")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.browser.viewer
        await open_key(pilot, app, b"t:hash")
        assert viewer.info is not None
        assert viewer.info.type == "hash"
        assert viewer.info.length == 250
        while viewer.next is not None:
            await pilot.press("m")
            await until(pilot, lambda: not viewer.fetching, "the next page")
        fields = {row[0] for row in viewer.rows}
        assert fields == {f"f{i}".encode() for i in range(250)}
        assert viewer.query_one("#vv-table", DataTable).row_count == len(viewer.rows)

        await open_key(pilot, app, b"t:stream")
        entries = client.xrange("t:stream")
        assert entries is not None
        ids = [entry_id for entry_id, _ in entries]
        assert [row[0] for row in viewer.rows] == ids
        assert viewer.rows[0][1] == b"n=0"
        notes = str(viewer.query_one("#vv-notes").render())
        assert "group workers" in notes
        await pilot.press("e")
        await until(pilot, lambda: not viewer.fetching, "the reversed stream")
        assert viewer.rows[0][0] == ids[-1]


async def test_ttl_change_reaches_the_server(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.set("ttl:me", "x")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"ttl:me")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TtlDialog), "the TTL dialog")
        await pilot.press("2", "h", "enter")  # Enter never saves
        await pilot.pause(0.1)
        assert client.pttl("ttl:me") == -1
        await pilot.press("ctrl+s")
        await until(pilot, lambda: client.pttl("ttl:me") > 0, "the TTL")
        assert 7_000_000 < client.pttl("ttl:me") <= 7_200_000
        await until(pilot, lambda: app.browser.viewer.ttl_left() is not None, "the new TTL")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TtlDialog), "the TTL dialog")
        app.screen.query_one(Input).value = "persist"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: client.pttl("ttl:me") == -1, "the TTL removal")


async def test_delete_asks_first(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.set("del:me", "x")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"del:me")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is app.browser, "the dialog to close")
        await app.workers.wait_for_complete()
        assert client.exists("del:me") == 1
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await until(pilot, lambda: client.exists("del:me") == 0, "the deletion")
        await until(pilot, lambda: app.browser.viewer.key is None, "the pane to clear")
        assert app.browser.keys_view.shown_keys() == 0


async def test_read_only_refuses_delete(ro_driver: RedisDriver, client: redis_py.Redis) -> None:
    client.set("keep:me", "x")
    app = BrowserApp(ro_driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"keep:me")
        await pilot.press("d")
        await pilot.pause(0.1)
        assert app.screen is app.browser  # refused before asking anything
        assert any("read-only" in note for note in app.notes)
        await pilot.press("t")
        await pilot.press("D")
        await pilot.pause(0.1)
        assert app.screen is app.browser
        assert client.exists("keep:me") == 1
        assert client.pttl("keep:me") == -1


async def test_binary_key_name_opens_the_right_key(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set(BINARY_KEY, b"\x00\x01binary\xff")
    client.set(b"bin:\xff\xfe\x00:other", b"no")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot, app)
        view = app.browser.keys_view
        assert view.select_key(BINARY_KEY)
        await pilot.pause(0.1)
        assert view.selected_key() == BINARY_KEY
        assert "\\xff\\xfe\\x00" in str(view.cursor_node.parent.label)  # type: ignore[union-attr]
        await pilot.press("enter")
        viewer = app.browser.viewer
        await until(pilot, lambda: viewer.key == BINARY_KEY and not viewer.fetching, "the value")
        assert viewer.data == b"\x00\x01binary\xff"
        text = viewer.query_one("#vv-text").text  # type: ignore[attr-defined]
        assert "00 01 62 69" in text  # shown as hex

        await open_key(pilot, app, BINARY_KEY)  # typed escaped in the filter
        assert app.browser.key_list.scanner is None  # looked up, not scanned
        assert viewer.key == BINARY_KEY
        assert viewer.data == b"\x00\x01binary\xff"
        await pilot.press("y")
        assert app.clipboard == "bin:\\xff\\xfe\\x00:\\x80key"


async def test_rename_refuses_to_overwrite_unless_confirmed(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set("ren:a", "A")
    client.set("ren:b", "B")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await open_key(pilot, app, b"ren:a")
        for answer in (("n",), ("tab", "enter")):
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, RenameDialog), "the rename dialog")
            app.screen.query_one(Input).value = "ren:b"
            await pilot.press("ctrl+s")
            await until(
                pilot, lambda: isinstance(app.screen, ConfirmScreen), "the overwrite question"
            )
            await pilot.press(*answer)
            await until(pilot, lambda: app.screen is app.browser, "the dialog to close")
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
            if answer == ("n",):
                assert client.get("ren:a") == b"A"
                assert client.get("ren:b") == b"B"
        await until(pilot, lambda: client.exists("ren:a") == 0, "the rename")
        assert client.get("ren:b") == b"A"


async def test_bulk_delete_counts_first_then_deletes(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    load(client, 3000, prefix="bulk")
    load(client, 10, prefix="keep")
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot, app)
        await pilot.press("slash")
        app.browser.query_one("#rb-filter", Input).value = "bulk:*"
        await pilot.press("enter")
        await scanned(pilot, app)
        await pilot.press("D")

        def dialogs() -> list[BulkDeleteDialog]:  # under the question it asks
            return [s for s in app.screen_stack if isinstance(s, BulkDeleteDialog)]

        await until(pilot, lambda: bool(dialogs()), "the dialog")
        dialog = dialogs()[0]
        await until(pilot, lambda: dialog.phase == "asking", "the dry run")
        assert dialog.matched == 3000
        assert client.dbsize() == 3010  # the dry run deleted nothing
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")  # no letter answers Yes
        assert isinstance(app.screen, ConfirmScreen)
        assert dialog.phase == "asking"
        await pilot.press("tab", *"3000", "tab", "enter")  # type the number of keys
        await until(pilot, lambda: dialog.phase == "finished", "the deletion")
        assert dialog.deleted == 3000
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.browser, "the dialog to close")
        assert client.dbsize() == 10
        assert sorted(client.scan_iter("keep:*")) == sorted(
            f"keep:{i}:{i}".encode() for i in range(10)
        )


async def test_closing_the_screen_cancels_the_scan(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    load(client, 20_000)
    app = BrowserApp(driver, pause_after_first=False)
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        await until(pilot, lambda: bool(browser.batches), "the first batch")
        key_list = browser.key_list
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is not browser, "the screen to close")
        assert key_list.flow.cancelled.is_set()
        await asyncio.wait_for(app.workers.wait_for_complete(), timeout=30)


async def test_string_views_and_load_more(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.set("s:json", '{"a": [1, 2], "b": "c"}')
    client.set("s:big", "0123456789" * 20_000)
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.browser.viewer
        area = viewer.query_one("#vv-text", TextArea)
        await open_key(pilot, app, b"s:json")
        assert area.text.startswith('{\n  "a": [\n    1,')
        await pilot.press("v", "v", "v")  # auto -> text -> json -> hex
        assert viewer.mode == "hex"
        assert area.text.startswith("000000  7b 22 61 22")

        await pilot.press("Y")
        assert app.clipboard == '{"a": [1, 2], "b": "c"}'

        await open_key(pilot, app, b"s:big")
        assert len(viewer.data) == 64 * 1024
        assert viewer.next is not None
        await pilot.press("m")
        await until(pilot, lambda: len(viewer.data) == 128 * 1024, "the next chunk")
        assert viewer.data == (b"0123456789" * 20_000)[: 128 * 1024]


async def test_list_set_zset_pages_and_field_filter(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.rpush("c:list", *[f"e{i}" for i in range(300)])
    client.sadd("c:set", *[f"m{i}" for i in range(150)])
    client.zadd("c:zset", {f"z{i}": i / 2 for i in range(50)})
    client.hset("c:hash", mapping={f"f{i}": f"v{i}" for i in range(300)})
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.browser.viewer
        await open_key(pilot, app, b"c:list")
        assert [row[1] for row in viewer.rows[:2]] == [b"e0", b"e1"]
        assert len(viewer.rows) == 200
        await pilot.press("e")  # from the tail
        await until(pilot, lambda: not viewer.fetching and viewer.rows[0][0] == 299, "the tail")
        assert viewer.rows[0][1] == b"e299"
        await pilot.press("m")
        await until(pilot, lambda: len(viewer.rows) == 300, "the rest of the list")
        assert viewer.rows[-1] == (0, b"e0")

        await open_key(pilot, app, b"c:set")
        while viewer.next is not None:
            await pilot.press("m")
            await until(pilot, lambda: not viewer.fetching, "the next page")
        assert {row[0] for row in viewer.rows} == {f"m{i}".encode() for i in range(150)}

        await open_key(pilot, app, b"c:zset")
        assert dict(viewer.rows) == {f"z{i}".encode(): i / 2 for i in range(50)}  # type: ignore[arg-type]

        await open_key(pilot, app, b"c:hash")
        field = viewer.query_one("#vv-filter", Input)
        assert field.display
        field.focus()
        field.value = "f29"
        await pilot.press("enter")
        await until(pilot, lambda: not viewer.fetching, "the filtered fields")
        while has_more(viewer):
            await pilot.press("m")
            await until(pilot, lambda: not viewer.fetching, "the next page")
        names = {row[0] for row in viewer.rows}
        assert names == {b"f29", *(f"f29{i}".encode() for i in range(10))}
        table = viewer.query_one("#vv-table", DataTable)
        table.focus()
        await pilot.press("enter")  # the whole row in a dialog
        await until(pilot, lambda: isinstance(app.screen, ValueDialog), "the row dialog")
        assert "── value ──" in app.screen.query_one(TextArea).text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.browser, "the dialog to close")


async def test_cluster_keys_from_every_master(redis_cluster_url: str) -> None:
    cluster = RedisCluster.from_url(redis_cluster_url)
    try:
        cluster.flushall(target_nodes=RedisCluster.PRIMARIES)
        pipe = cluster_pipeline(cluster)
        for i in range(3000):
            pipe.set(f"cl:{i % 3}:{i}", i)
        pipe.hset("cl:hash", mapping={"a": "1", "b": "2"})
        pipe.execute()
        for driver in connected_redis(redis_cluster_url):
            app = BrowserApp(driver)
            async with app.run_test(size=SIZE) as pilot:
                await scanned(pilot, app)
                folder = app.browser.key_list.tree_model.folder(b"cl")
                assert folder is not None
                assert folder.count == 3001
                assert app.browser.key_list.total == 3001  # DBSIZE summed over the masters
                await open_key(pilot, app, b"cl:hash")
                assert dict(app.browser.viewer.rows) == {b"a": b"1", b"b": b"2"}  # type: ignore[arg-type]
    finally:
        cluster.close()


async def test_ttl_counts_down_and_expiry_is_noticed(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.set("short:lived", "x", px=3000)
    app = BrowserApp(driver)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.browser.viewer
        await open_key(pilot, app, b"short:lived")
        first = viewer.ttl_left()
        assert first is not None
        assert 0 < first <= 3000
        await until(pilot, lambda: viewer.info is not None and not viewer.info.exists, "expiry")
        assert "no longer exists" in str(viewer.query_one("#vv-status").render())
