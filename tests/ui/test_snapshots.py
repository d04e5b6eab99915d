"""Snapshot tests of the screens (pytest-textual-snapshot), against the real servers.

Update the pictures with ``scripts/test tests/ui/test_snapshots.py --snapshot-update``
after checking the change in the HTML report; each test says what its picture must show.

The pictures must not change from run to run: the data is small and fixed (fixed keys without
a TTL, documents with fixed ObjectIds), every connection is given a name so that no random
port or temporary path is drawn, cursors do not blink and toasts are cleared (:func:`still`).
"16 colours" pictures are drawn by :class:`uitools.SixteenColourApp`: every colour downgraded
as Textual does on a terminal with only the 16 standard colours.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pymongo
import pytest
import redis as redis_py
from bson import ObjectId
from harness.postgres import ExternalPostgres, PostgresServer
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent, TextArea
from uitools import SixteenColourApp, current_screen, make_app, still, until

from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.sqlite.demo import build_demo_database
from dbtui.ui.app import DbtuiApp
from dbtui.ui.key_browser.screen import RedisBrowserScreen
from dbtui.ui.screens.document_editor import DocumentEditorScreen

SLOW_SESSIONS = "SELECT * FROM sessions WHERE user_id = 42"
"""A demo query without an index: SQLite scans, and the advisor suggests one."""


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once for this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_demo_database(path)
    return path


def demo_app(path: Path, app_class: type[DbtuiApp] = DbtuiApp) -> DbtuiApp:
    """The app on the demo file, its connection named "demo"."""
    return make_app(path, name="demo", app_class=app_class)


async def type_and_press(pilot: Pilot[Any], text: str, key: str) -> None:
    """Put ``text`` in the editor, press ``key`` and wait until the screen is still."""
    await still(pilot)
    editor = pilot.app.screen.query_one(TextArea)
    editor.text = text
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press(key)
    await still(pilot)


# ---------------------------------------------------------------- the main screen (SQLite demo)
def test_main_screen_80x24(snap_compare: Any, demo_file: Path) -> None:
    """At 80x24: the catalog on the left shows the connected "demo" connection expanded to
    its database; the editor on the right shows the welcome text and example queries with
    line numbers; below it the Results/Plan/Advice/Messages/Details tabs with Results active
    and its empty-state hint; the footer lists F5 Run, F6 Explain and the other keys."""
    assert snap_compare(demo_app(demo_file), terminal_size=(80, 24), run_before=still)


def test_main_screen_160x48(snap_compare: Any, demo_file: Path) -> None:
    """At 160x48: the same layout with a wider catalog and a taller editor; nothing is cut."""
    assert snap_compare(demo_app(demo_file), terminal_size=(160, 48), run_before=still)


# ---------------------------------------------------------------- the Advice tab
async def advise(pilot: Pilot[Any]) -> None:
    """F9 on the slow sessions query, then check the Advice tab came to the front."""
    await type_and_press(pilot, SLOW_SESSIONS, "f9")
    assert pilot.app.screen.query_one(TabbedContent).active == "tab-advice"


def test_advice_tab_80x24(snap_compare: Any, demo_file: Path) -> None:
    """At 80x24 after F9 on `SELECT * FROM sessions WHERE user_id = 42`: the Advice tab is
    active; its summary says "Suggestions for the statement: 1 item(s)" and that SQLite's
    planner chose this index in a copy of the schema; the table's one row is
    `1  CREATE INDEX sessions_user_id ON sessions (user_` (cut by the pane's width)."""
    assert snap_compare(demo_app(demo_file), terminal_size=(80, 24), run_before=advise)


def test_advice_tab_16_colours(snap_compare: Any, demo_file: Path) -> None:
    """The same Advice tab in 16 colours (Rich's SVG palette): the same text on standard
    black; the active tab "Advice" in bright white over a cyan underline, the other tab names
    in bright black; the table's header and its cursor row bright white on bright black;
    the footer's keys in bright red."""
    app = demo_app(demo_file, SixteenColourApp)
    assert snap_compare(app, terminal_size=(80, 24), run_before=advise)


# ---------------------------------------------------------------- the Redis key browser
@pytest.fixture
def redis_keys(redis_clean: str) -> str:
    """The flushed standalone Redis with four fixed keys in three folders, none with a TTL."""
    client = redis_py.Redis.from_url(redis_clean)
    try:
        client.hset("user:1", mapping={"name": "Ada", "city": "Oslo"})
        client.hset("user:2", mapping={"name": "Bo", "city": "Rome"})
        client.set("config:mode", "read-mostly")
        client.rpush("queue:mail", "welcome", "reset")
    finally:
        client.close()
    return redis_clean


async def browse_user_1(pilot: Pilot[Any]) -> None:
    """Open the key browser on db 0, expand the "user" folder and open the hash user:1."""
    await still(pilot)
    app = pilot.app
    assert isinstance(app, DbtuiApp)
    driver = app.sessions[0].driver
    assert isinstance(driver, RedisDriver)
    await app.push_screen(RedisBrowserScreen(driver, "cache", 0))
    browser = current_screen(app)
    assert isinstance(browser, RedisBrowserScreen)
    view = browser.keys_view
    key_list = browser.key_list
    await until(pilot, lambda: key_list.scan_finished and not key_list.scanning, "the scan")
    await until(pilot, lambda: len(view.root.children) == 3, "the three folders")
    folder = next(node for node in view.root.children if "user" in str(node.label))
    view.move_cursor(folder)
    await pilot.press("enter")
    await until(pilot, lambda: len(folder.children) == 2, "the user keys")
    await pilot.press("down", "enter")
    viewer = browser.viewer
    await until(pilot, lambda: viewer.info is not None and not viewer.fetching, "the value")
    await still(pilot)


def test_redis_browser_80x24(snap_compare: Any, redis_keys: str) -> None:
    """At 80x24, the key browser of connection "cache" on db0 after the scan: the top line
    says "cache  db0", a full bar and "4/4 done"; the filter line shows its placeholder and
    "any type"; the key tree lists the folders config 1, queue 1 and the expanded user 2
    (160B) with its two hashes (#2, 80B each), the cursor on the first; the value pane shows
    user:1 as "hash  TTL ∞  mem 80B  len 2" above the field filter and the field/value
    table name Ada, city Oslo, and "2 of 2 fields" at the bottom; the footer lists Esc Back,
    / Filter and the browser's other keys."""
    app = make_app(redis_keys, name="cache")
    assert snap_compare(app, terminal_size=(80, 24), run_before=browse_user_1)


def test_redis_browser_16_colours(snap_compare: Any, redis_keys: str) -> None:
    """The same key browser in 16 colours (Rich's SVG palette): the same text on standard
    black; "cache  db0" black on bright white; the full progress bar green; the highlighted
    key row (hash 1) bright white on cyan; the value table's header and cursor row bright
    white on bright black; the footer's keys in bright red."""
    app = make_app(redis_keys, name="cache", app_class=SixteenColourApp)
    assert snap_compare(app, terminal_size=(80, 24), run_before=browse_user_1)


# ---------------------------------------------------------------- the MongoDB document editor
Client = pymongo.MongoClient[dict[str, object]]


@pytest.fixture
def snap_docs(mongo_url: str) -> Iterator[str]:
    """URL of database "snap_docs" holding two fixed documents in ``people``; dropped after."""
    client: Client = pymongo.MongoClient(mongo_url)
    client.drop_database("snap_docs")
    client.snap_docs.people.insert_many(
        [
            {
                "_id": ObjectId("65a1b2c3d4e5f60718293a4b"),
                "name": "Ada",
                "address": {"city": "Oslo", "zip": "0150"},
                "tags": ["admin", "ops"],
                "age": 36,
            },
            {
                "_id": ObjectId("65a1b2c3d4e5f60718293a4c"),
                "name": "Bo",
                "address": {"city": "Rome", "zip": "00100"},
                "tags": [],
                "age": 29,
            },
        ]
    )
    try:
        yield f"{mongo_url.rstrip('/')}/snap_docs"
    finally:
        client.drop_database("snap_docs")
        client.close()


def test_mongo_document_editor_80x24(snap_compare: Any, snap_docs: str) -> None:
    """At 80x24 after `db.people.find({}).sort({_id: 1})` and E on the first row: the
    document editor covers the main screen; its title says
    `Edit snap_docs.people · _id: ObjectId("65a1b2c3d4e5f60718293a4b")`; the editor shows
    the document with line numbers 1-10 (`_id: ObjectId(...)`, `name: "Ada"`, the nested
    address with city "Oslo" and zip "0150", the tags "admin", "ops") and a scrollbar; below
    it "Ctrl+S saves · Esc cancels"."""
    app = make_app(snap_docs, name="docs")

    async def edit(pilot: Pilot[Any]) -> None:
        await type_and_press(pilot, "db.people.find({}).sort({_id: 1})", "f5")
        table = pilot.app.screen.query_one("#results-table", DataTable)
        table.focus()
        table.move_cursor(row=0, column=0)
        await pilot.pause()
        await pilot.press("E")
        await until(pilot, lambda: isinstance(pilot.app.screen, DocumentEditorScreen), "editor")
        screen = current_screen(pilot.app)
        assert isinstance(screen, DocumentEditorScreen)
        await until(pilot, lambda: not screen.editor.read_only, "the document")
        await until(pilot, lambda: screen.editor.has_focus, "the editor's focus")
        await still(pilot)
        assert screen.editor.has_focus, "the cursor is drawn only in the focused editor"

    assert snap_compare(app, terminal_size=(80, 24), run_before=edit)


# ---------------------------------------------------------------- the Plan tab
async def explain_slow_sessions(pilot: Pilot[Any]) -> None:
    """F6 on the slow sessions query."""
    await type_and_press(pilot, SLOW_SESSIONS, "f6")
    assert pilot.app.screen.query_one(TabbedContent).active == "tab-plan"


def test_plan_tab_80x24(snap_compare: Any, demo_file: Path) -> None:
    """At 80x24 after F6 on `SELECT * FROM sessions WHERE user_id = 42`: the Plan tab is
    active; its summary line says "sqlite plan · estimated · 1 finding"; the tree shows
    the SCAN of sessions marked "!!!" in a warning colour with the full-scan finding next
    to it."""
    app = demo_app(demo_file)
    assert snap_compare(app, terminal_size=(80, 24), run_before=explain_slow_sessions)


def test_plan_tab_16_colours(snap_compare: Any, demo_file: Path) -> None:
    """The same Plan tab in 16 colours (Rich's SVG palette): the same text on standard
    black; "!!!" and the SCAN row with its full-scan finding in magenta, distinct from the
    plain white tree lines and summary; the column header bright white on bright black."""
    app = demo_app(demo_file, SixteenColourApp)
    assert snap_compare(app, terminal_size=(80, 24), run_before=explain_slow_sessions)


@pytest.fixture
def snap_shop(postgres_server: PostgresServer | ExternalPostgres) -> Iterator[str]:
    """URL of database "snap_shop" (a fixed name: it is drawn) with 10,000 analysed orders."""
    url = postgres_server.create_database("snap_shop")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE orders AS SELECT g AS id, g % 500 AS customer_id, g % 7 AS status"
            " FROM generate_series(1, 10000) g"
        )
        conn.execute("CREATE INDEX orders_status ON orders (status)")
        conn.execute("ANALYZE orders")
    try:
        yield url
    finally:
        postgres_server.drop_database("snap_shop")


def test_postgres_plan_tab_80x24(snap_compare: Any, snap_shop: str) -> None:
    """At 80x24 after F6 (EXPLAIN without ANALYZE) on
    `SELECT * FROM orders WHERE customer_id = 42`: the catalog shows connection "shop" with
    the postgres and snap_shop (current) databases; the Plan tab is active; its summary says
    "postgresql plan · estimated · estimated cost 180" (cut at the pane's edge); the tree has
    the columns cost, excl cost, est and node, and one row: a full cost bar, 180, 20 rows,
    "!!!" and "Seq Scan on orders"."""
    app = make_app(snap_shop, name="shop")

    async def explain(pilot: Pilot[Any]) -> None:
        await type_and_press(pilot, "SELECT * FROM orders WHERE customer_id = 42", "f6")
        assert pilot.app.screen.query_one(TabbedContent).active == "tab-plan"

    assert snap_compare(app, terminal_size=(80, 24), run_before=explain)
