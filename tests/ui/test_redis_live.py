"""The live pane (MONITOR, SUBSCRIBE..., XREAD BLOCK) at 80x24, against the harness's real Redis.

Messages are sent by the test through its own client while the pane is open;
the pane must show them, and its dedicated connection must be gone from
``CLIENT LIST`` once it is closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis as redis_py
from harness.redis import execute_command, node_from_key
from redis.cluster import RedisCluster
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
from uitools import settle, until

import dbtui.ui
from dbtui.core.errors import QueryError, ReadOnlyError, UnsupportedError
from dbtui.core.registry import open_driver
from dbtui.core.results import ReplyResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.live import LiveCommand, live_request, pubsub_request
from dbtui.drivers.redis.live_stream import CLIENT_NAME
from dbtui.ui.app import DbtuiApp
from dbtui.ui.key_browser import RedisBrowserScreen
from dbtui.ui.key_browser.dialogs import PubSubDialog
from dbtui.ui.key_browser.live import LiveScreen, open_live_pane
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor

pytestmark = pytest.mark.redis

SIZE = (80, 24)


class LiveApp(App[object]):
    """A bare app, as the main window: statements go through :func:`open_live_pane`."""

    CSS_PATH = Path(dbtui.ui.__file__).parent / "app.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def notify(self, message: str, **kwargs: Any) -> None:
        self.notes.append(message)
        super().notify(message, **kwargs)


def shown(screen: LiveScreen) -> list[str]:
    """The log's lines as plain text."""
    return [strip.text for strip in screen.log_view.lines]


def live_clients(client: redis_py.Redis) -> dict[str, dict[str, str]]:
    """``CLIENT LIST`` entries of live-pane connections, by client id."""
    return {c["id"]: c for c in client.client_list() if c.get("name") == CLIENT_NAME}


async def open_pane(
    pilot: Pilot[object], app: LiveApp, driver: RedisDriver, line: str
) -> LiveScreen:
    assert open_live_pane(app, driver, line, "test")
    await until(pilot, lambda: isinstance(app.screen, LiveScreen), "the live pane")
    screen = app.screen
    assert isinstance(screen, LiveScreen)
    await until(pilot, lambda: screen.state == "live", "the pane to listen")
    return screen


# ----------------------------------------------------------------- the driver's seam
def test_streaming_lines_raise_live_command(driver: RedisDriver) -> None:
    with pytest.raises(LiveCommand) as info:
        list(driver.execute("SUBSCRIBE news 'two words'"))
    assert isinstance(info.value, UnsupportedError)
    assert isinstance(info.value, QueryError)
    assert info.value.request.channels == (b"news", b"two words")
    assert driver.live_request("XREAD COUNT 2 BLOCK 0 STREAMS a b $ 0-1") is not None
    assert driver.live_request("XREAD STREAMS a 0") is None
    assert driver.live_request("GET k") is None
    pong = next(iter(driver.execute("PING")))
    assert isinstance(pong, ReplyResult)
    assert pong.reply == b"PONG"


def test_live_request_parsing() -> None:
    xread = live_request(
        [b"XREAD", b"COUNT", b"2", b"BLOCK", b"0", b"STREAMS", b"a", b"b", b"$", b"0"]
    )
    assert xread is not None
    assert (xread.streams, xread.ids, xread.count) == ((b"a", b"b"), (b"$", b"0"), 2)
    group = live_request(b"XREADGROUP GROUP g c BLOCK 5 NOACK STREAMS s >".split())
    assert group is not None
    assert (group.group, group.noack, group.writes) == ((b"g", b"c"), True, True)
    with pytest.raises(QueryError):
        live_request(b"XREAD BLOCK 0 STREAMS a".split())
    with pytest.raises(QueryError):
        live_request([b"SUBSCRIBE"])
    both = pubsub_request("news 'orders:*' a?")
    assert (both.channels, both.patterns) == ((b"news",), (b"orders:*", b"a?"))
    assert pubsub_request("").patterns == (b"*",)


def test_read_only_refuses_xreadgroup_before_sending(ro_driver: RedisDriver) -> None:
    with pytest.raises(ReadOnlyError):
        list(ro_driver.execute("XREADGROUP GROUP g c BLOCK 0 STREAMS s >"))
    with pytest.raises(LiveCommand):  # reads stay allowed
        list(ro_driver.execute("SUBSCRIBE news"))


# ----------------------------------------------------------------- panes
async def test_subscribe_pane_shows_a_publish(driver: RedisDriver, client: redis_py.Redis) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot, app, driver, "SUBSCRIBE news")
        assert client.publish("news", b"hello \xff world") == 1
        await until(pilot, lambda: screen.received >= 2, "the message")
        message = [e for e in screen.entries if e.kind == "message"]
        assert [(e.source, e.payload) for e in message] == [(b"news", (b"hello \xff world",))]
        assert any("news  hello \\xff world" in line for line in shown(screen))
        assert any("listening to channel news" in line for line in shown(screen))


async def test_psubscribe_matches_the_pattern_only(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot, app, driver, "PSUBSCRIBE ord*")
        client.publish("news", "not me")
        client.publish("orders:7", "paid")
        await until(pilot, lambda: any(e.kind == "pmessage" for e in screen.entries), "pmessage")
        pattern = [e for e in screen.entries if e.kind == "pmessage"]
        assert [(e.source, e.pattern, e.payload) for e in pattern] == [
            (b"orders:7", b"ord*", (b"paid",))
        ]
        assert any("orders:7 (ord*)  paid" in line for line in shown(screen))
        assert not any("not me" in line for line in shown(screen))


async def test_xread_block_sees_a_new_entry(driver: RedisDriver, client: redis_py.Redis) -> None:
    client.xadd("events", {"old": "1"})
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot, app, driver, "XREAD BLOCK 0 STREAMS events $")
        new_id = client.xadd("events", {"temp": "21.5"})
        assert isinstance(new_id, bytes)
        await until(pilot, lambda: screen.received >= 1, "the stream entry")
        assert [(e.source, e.ident, e.payload) for e in screen.entries] == [
            (b"events", new_id, (b"temp", b"21.5"))
        ]
        assert any(f"events {new_id.decode()}  temp=21.5" in line for line in shown(screen))


async def test_monitor_asks_first_then_shows_commands(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        assert open_live_pane(app, driver, "MONITOR", "test")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert "slows" in question.question
        assert "production" in question.detail
        assert not live_clients(client)  # nothing connected before the answer
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await until(pilot, lambda: screen.state == "live", "MONITOR to start")
        client.set("watched", b"v\x00")
        await until(pilot, lambda: any(b"watched" in e.payload for e in screen.entries), "SET")
        entry = next(e for e in screen.entries if b"watched" in e.payload)
        assert (entry.kind, entry.payload) == ("command", (b"SET", b"watched", b"v\x00"))
        assert any("SET watched v\\x00" in line for line in shown(screen))


async def test_monitor_declined_opens_nothing(driver: RedisDriver, client: redis_py.Redis) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        open_live_pane(app, driver, "MONITOR", "test")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, LiveScreen | ConfirmScreen), "close")
        assert not live_clients(client)


async def test_closing_the_pane_closes_its_connection(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot, app, driver, "SUBSCRIBE news")
        (client_id,) = screen.client_ids
        listed = live_clients(client)
        assert listed[str(client_id)]["cmd"] == "subscribe"
        console_ids = {c["id"] for c in client.client_list() if c.get("name") == "dbtui"}
        assert str(client_id) not in console_ids  # a connection of its own
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LiveScreen), "the pane to close")
        await until(pilot, lambda: str(client_id) not in live_clients(client), "the disconnect")


async def test_filter_and_pause(driver: RedisDriver, client: redis_py.Redis) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot, app, driver, "SUBSCRIBE news")
        for payload in ("apple", "banana", "apricot"):
            client.publish("news", payload)
        await until(pilot, lambda: screen.received >= 4, "three messages")
        await pilot.press("slash")
        screen.query_one("#lv-filter", Input).value = "AP"
        await pilot.press("enter")
        await until(pilot, lambda: len(shown(screen)) == 2, "the filtered lines")
        assert [line.rsplit("  ", 1)[1] for line in shown(screen)] == ["apple", "apricot"]
        await pilot.press("p")
        client.publish("news", "apex")
        await until(pilot, lambda: screen.new_while_paused == 1, "the message while paused")
        assert len(shown(screen)) == 2  # the view is frozen
        await pilot.press("p")
        await until(pilot, lambda: len(shown(screen)) == 3, "the caught-up view")
        assert shown(screen)[-1].endswith("apex")


async def test_read_only_xreadgroup_is_refused_without_a_pane(
    ro_driver: RedisDriver, client: redis_py.Redis
) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        assert open_live_pane(app, ro_driver, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >", "ro")
        await pilot.pause()
        assert not isinstance(app.screen, LiveScreen)
        assert any("read-only" in note for note in app.notes)
        assert not live_clients(client)
        screen = await open_pane(pilot, app, ro_driver, "SUBSCRIBE news")  # reads are allowed
        assert screen.client_ids


async def test_browser_pubsub_monitor_listens_to_channels_and_patterns(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    app = LiveApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(RedisBrowserScreen(driver, "test", None))
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PubSubDialog), "the prompt")
        app.screen.query_one(Input).value = "news ord*"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LiveScreen), "the pane")
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await until(pilot, lambda: screen.state == "live", "the pane to listen")
        client.publish("news", "one")
        client.publish("orders", "two")
        await until(pilot, lambda: screen.received >= 4, "both messages")
        got = {(e.kind, e.source, e.payload) for e in screen.entries if e.kind != "status"}
        assert got == {("message", b"news", (b"one",)), ("pmessage", b"orders", (b"two",))}
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, RedisBrowserScreen), "the browser")


async def test_cluster_ssubscribe_and_monitor_every_master(redis_cluster_url: str) -> None:
    cluster = RedisCluster.from_url(redis_cluster_url)
    driver = RedisDriver(spec_from_url(redis_cluster_url))
    driver.connect()
    try:
        app = LiveApp()
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_pane(pilot, app, driver, "SSUBSCRIBE shard-news")
            assert screen.nodes == (node_from_key(cluster, "shard-news").name,)
            execute_command(cluster, "SPUBLISH", "shard-news", "hi")
            await until(pilot, lambda: screen.received >= 2, "the shard message")
            assert any(e.payload == (b"hi",) for e in screen.entries)
            await pilot.press("escape")
            assert open_live_pane(app, driver, "MONITOR", "cluster")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
            await pilot.press("tab", "enter")
            monitor = app.screen
            assert isinstance(monitor, LiveScreen)
            await until(pilot, lambda: monitor.state == "live", "MONITOR")
            assert len(monitor.client_ids) == 3
            assert len(set(monitor.nodes)) == 3
    finally:
        driver.close()
        cluster.close()


async def test_f5_on_subscribe_in_the_editor_opens_the_pane(
    redis_clean: str, client: redis_py.Redis
) -> None:
    spec = spec_from_url(redis_clean)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        main = app.screen
        assert isinstance(main, MainScreen)
        editor = main.query_one(QueryEditor)
        editor.text = "SUBSCRIBE news"
        editor.focus()
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, LiveScreen), "the live pane")
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await until(pilot, lambda: screen.state == "live", "the pane to listen")
        client.publish("news", "from the editor")
        await until(pilot, lambda: screen.received >= 2, "the message")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main, "the main window")
        assert not main.session.busy
