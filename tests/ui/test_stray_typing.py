"""No write from stray keystrokes (issue 12, section 4), on real servers.

Typing words meant for somewhere else must never write: a confirmation has no
letter for Yes (the No button has the focus; a DROP asks for the index's name),
Redis edits save with Ctrl+S only (Enter never saves), and the keys never go to a
pane hidden by a zoom (F8).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis as redis_py
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input
from uitools import current_screen, focused_widget, settle, until

import dbtui.ui
from dbtui.core.advice import Confidence, HealthFinding, Suggestion
from dbtui.core.keytree import format_key
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver
from dbtui.ui.app import DbtuiApp
from dbtui.ui.key_browser import RedisBrowserScreen
from dbtui.ui.key_browser.dialogs import FormDialog, RenameDialog, TtlDialog
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.advice.view import AdviceView
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor

#: Words a user may type while the wrong widget has the focus, with c, y, d, x, e and Enter.
STRAY = ("select key", "yes", "cycle\r", "drop index\r", "execute\r", "yyyy\r", "c\r", "cy\r\r")


def keys(text: str) -> list[str]:
    """Pilot key names for ``text`` (``\\r`` is Enter)."""
    return ["enter" if char == "\r" else "space" if char == " " else char for char in text]


# ----------------------------------------------------------------- confirmation dialog
class ConfirmApp(App[None]):
    """A bare app showing one ConfirmScreen and keeping its answer."""

    def __init__(self, screen: ConfirmScreen) -> None:
        super().__init__()
        self.question = screen
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.question, self.answers.append)


async def answer(keys_pressed: list[str], **options: Any) -> list[bool | None]:
    """The answers a ConfirmScreen gave after ``keys_pressed`` (empty: still open)."""
    app = ConfirmApp(ConfirmScreen("Drop it?", "[/] DROP INDEX i", **options))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*keys_pressed)
        await pilot.pause()
        return app.answers


async def test_no_letter_answers_yes() -> None:
    assert await answer(keys("select key yyy")) == []
    assert await answer(["enter"]) == [False], "Enter presses the focused No"
    assert await answer(["n"]) == [False]
    assert await answer(["escape"]) == [False]
    assert await answer(["tab", "enter"]) == [True]
    assert await answer(["left", "enter"]) == [True]


async def test_typed_confirmation_needs_the_exact_name() -> None:
    name = "public.orders_idx"
    assert await answer(["tab", *name, "enter"], typed=name) == [], "Enter in the box: nothing"
    assert await answer(["tab", *"public.order", "tab", "enter"], typed=name) == [False]
    assert await answer(["tab", "y", "tab", "enter"], typed=name) == [False]
    assert await answer(["tab", *name, "tab", "enter"], typed=name) == [True]
    assert await answer(["tab", "n", "escape"], typed=name) == [False], "n is typed, Esc says No"


# ----------------------------------------------------------------- advice pane
def index_names(url: str) -> set[str]:
    """Names of the indexes on ``t``."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 't'").fetchall()
    return {str(row[0]) for row in rows}


@pytest.fixture
def duplicated_url(postgres_db_url: str) -> str:
    """A table with two identical (so unused and duplicate) indexes."""
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT g AS a, g % 7 AS b FROM generate_series(1, 500) g")
        conn.execute("CREATE INDEX t_a_one ON t (a)")
        conn.execute("CREATE INDEX t_a_two ON t (a)")
        conn.execute("ANALYZE t")
    return postgres_db_url


async def focus_row(pilot: Pilot[int], view: AdviceView, row: int) -> None:
    """Back on the main screen with the advice list focused on ``row``."""
    while not isinstance(current_screen(pilot.app), MainScreen):
        await pilot.press("escape")
    view.table.focus()
    view.table.move_cursor(row=row)
    await pilot.pause()


async def test_typing_in_the_health_list_drops_nothing(duplicated_url: str) -> None:
    spec = spec_from_url(duplicated_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.action_advise_health()
        await settle(app)
        view = screen.query_one(AdviceView)
        drops = [
            row
            for row, item in enumerate(view.items)
            if isinstance(item, HealthFinding) and item.ddl.startswith("DROP INDEX")
        ]
        assert drops, "the health check offers to drop an unused or duplicate index"
        await focus_row(pilot, view, drops[0])
        await pilot.press(*keys("select key"))
        question = current_screen(app)
        assert isinstance(question, ConfirmScreen), "c asked; the other letters did not answer"
        assert question.typed is not None
        assert question.typed.endswith(("t_a_one", "t_a_two"))
        for word in STRAY:
            for row in drops:
                await focus_row(pilot, view, row)
                await pilot.press(*keys(word))
                await settle(app)
        assert index_names(duplicated_url) == {"t_a_one", "t_a_two"}


async def test_typing_in_the_suggestion_list_creates_nothing(duplicated_url: str) -> None:
    spec = spec_from_url(duplicated_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    suggestion = Suggestion(
        "postgres", "public.t", "CREATE INDEX ON public.t (b)", "b = ?", Confidence.HEURISTIC
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        view = screen.query_one(AdviceView)
        view.show("test", [suggestion], "SELECT * FROM t WHERE b = 1")
        screen.show_tab("tab-advice")
        for word in STRAY:
            await focus_row(pilot, view, 0)
            await pilot.press(*keys(word))
            await settle(app)
        assert index_names(duplicated_url) == {"t_a_one", "t_a_two"}


# ----------------------------------------------------------------- Redis value table
class BrowserApp(App[None]):
    """A bare app that opens the Redis browser."""

    CSS_PATH = Path(dbtui.ui.__file__).parent / "app.tcss"

    def __init__(self, driver: RedisDriver) -> None:
        super().__init__()
        self.browser = RedisBrowserScreen(driver, "test", None)

    def on_mount(self) -> None:
        self.push_screen(self.browser)


async def open_key(pilot: Pilot[None], app: BrowserApp, key: bytes) -> DataTable[str]:
    """Look ``key`` up by name and focus its value table on the first row."""
    browser = app.browser
    await until(pilot, lambda: not browser.key_list.scanning, "the first scan")
    await pilot.press("slash")
    browser.query_one("#rb-filter", Input).value = format_key(key)
    await pilot.press("enter")
    viewer = browser.viewer
    await until(pilot, lambda: viewer.key == key and not viewer.fetching, "the value")
    await until(pilot, lambda: bool(viewer.rows), "the rows")
    return viewer.query_one("#vv-table", DataTable)


async def back_to_table(pilot: Pilot[None], app: BrowserApp, table: DataTable[str]) -> None:
    """Close whatever the typing opened and focus the value table's first row again."""
    while current_screen(app) is not app.browser:
        await pilot.press("escape")  # never Yes: a question here may be a delete
        await pilot.pause()
    table.focus()
    table.move_cursor(row=0)
    await pilot.pause()


@pytest.mark.redis
@pytest.mark.parametrize(
    ("key", "fill"),
    [
        ("big:list", lambda c: c.rpush("big:list", *[f"item-{i:02}" for i in range(5)])),
        ("big:hash", lambda c: c.hset("big:hash", mapping={"f1": "v1", "field": "v2"})),
        ("big:zset", lambda c: c.zadd("big:zset", {"m1": 1, "m2": 2})),
        ("big:set", lambda c: c.sadd("big:set", "a", "b")),
    ],
)
async def test_typing_a_filter_in_the_value_table_writes_nothing(
    driver: RedisDriver, client: redis_py.Redis, key: str, fill: Any
) -> None:
    fill(client)
    before = client.dump(key)
    app = BrowserApp(driver)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_key(pilot, app, key.encode())
        await back_to_table(pilot, app, table)
        await pilot.press(*keys("field:4242*\r"))
        await pilot.pause(0.2)
        assert isinstance(current_screen(app), FormDialog), "e opened the edit; Enter kept it open"
        for word in ("field:4242*\r", *STRAY, "ttl 10\r", "x\r", "a b\r", "e\r\r\r"):
            await back_to_table(pilot, app, table)
            await pilot.press(*keys(word))
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
        await back_to_table(pilot, app, table)
    assert client.dump(key) == before, "the value is unchanged"
    assert client.pttl(key) == -1, "no TTL was set"
    assert client.dbsize() == 1, "nothing added, renamed or deleted"


@pytest.mark.redis
async def test_ttl_and_rename_dialogs_save_only_with_ctrl_s(
    driver: RedisDriver, client: redis_py.Redis
) -> None:
    client.rpush("big:list", "a", "b")
    app = BrowserApp(driver)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_key(pilot, app, b"big:list")
        app.browser.keys_view.focus()
        await pilot.press("t", *"10", "enter")
        assert isinstance(current_screen(app), TtlDialog)
        await pilot.press("escape", "R", *"x", "enter")
        assert isinstance(current_screen(app), RenameDialog)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert client.pttl("big:list") == -1
        assert client.exists("big:listx") == 0
        await pilot.press("t", *"10", "ctrl+s")
        await until(pilot, lambda: client.pttl("big:list") > 0, "Ctrl+S to set the TTL")


# ----------------------------------------------------------------- zoom and focus
def visible(widget: Widget) -> bool:
    """Whether ``widget`` is on screen: displayed with all its ancestors, with a region."""
    chain = [widget, *(node for node in widget.ancestors if isinstance(node, Widget))]
    return all(node.display and node.visible for node in chain) and widget.region.area > 0


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A small SQLite database."""
    path = tmp_path / "z.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(50)])
    return f"sqlite://{path}"


async def test_focus_keys_never_go_to_a_hidden_pane(sqlite_url: str) -> None:
    spec = spec_from_url(sqlite_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        editor = screen.query_one(QueryEditor)
        editor.text = "SELECT * FROM t"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        await pilot.press("f4", "f8")
        results = focused_widget(app)
        assert isinstance(results, DataTable)
        assert screen.maximized is screen.query_one("#output")
        await pilot.pause()
        assert not visible(editor), "the zoom hides the editor"
        await pilot.press("f3")
        await pilot.pause()
        assert focused_widget(app) is editor
        assert visible(editor), "F3 while zoomed: the zoom moved to the editor"
        assert screen.maximized is screen.query_one("#editors")
        await pilot.press(*"-- typed")
        assert editor.text.startswith("-- typed"), "the keys went where the user sees them"
        await pilot.press("f2")
        await pilot.pause()
        tree = focused_widget(app)
        assert isinstance(tree, CatalogTree)
        assert visible(tree)
        await pilot.press("f4")
        await pilot.pause()
        assert focused_widget(app) is results
        assert visible(results)
        screen.query_one(CatalogTree).focus()  # any other way the focus moves: same guard
        await pilot.pause()
        moved = focused_widget(app)
        assert moved is not None
        assert visible(moved)
        await pilot.press("f8")
        await pilot.pause()
        assert current_screen(app).maximized is None, "F8 again restores the layout"
        assert visible(editor)
        assert visible(results)
