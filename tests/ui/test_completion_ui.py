"""Editor completion through Pilot: the popup, its keys, and names read from real catalogs."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path

import psycopg
import pymongo
import pytest
from uitools import make_app, settle

from dbtui.drivers.mongo.driver import MongoDriver
from dbtui.ui.app import DbtuiApp
from dbtui.ui.completion_source import CompletionSource
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.editor.completion import CompletionPopup
from dbtui.ui.widgets.editor.query_editor import QueryEditor

SCHEMA = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total_cents INTEGER,
                     placed_at TEXT);
"""


def source_of(app: DbtuiApp) -> CompletionSource:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    source = screen._completion.get(screen.active)
    assert source is not None, "completion names were never read"
    return source


async def type_at(app: DbtuiApp, text: str) -> QueryEditor:
    """Put ``text`` (with a ``|`` cursor marker) in the editor, cursor at the marker."""
    editor = app.screen.query_one(QueryEditor)
    offset = text.index("|")
    editor.text = text.replace("|", "", 1)
    editor.focus()
    editor.move_cursor_to_offset(offset)
    await asyncio.sleep(0)
    return editor


def popup(app: DbtuiApp) -> CompletionPopup:
    return app.screen.query_one(CompletionPopup)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA)
    return path


async def test_sqlite_alias_columns_complete_from_the_popup(shop: Path) -> None:
    app = make_app(f"sqlite://{shop}")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        assert "orders" in source_of(app).snapshot.tables["main"]
        editor = await type_at(app, "SELECT o.| FROM orders o")
        await pilot.press("ctrl+space")
        await pilot.pause()
        shown = popup(app)
        assert shown.is_open
        labels = [c.label for c in shown.completions.candidates]
        assert labels == ["id", "customer_id", "total_cents", "placed_at"]
        await pilot.press("down", "down")  # highlight total_cents
        await pilot.press("enter")
        await pilot.pause()
        assert editor.text == "SELECT o.total_cents FROM orders o"
        assert not popup(app).is_open
        assert editor.cursor_offset() == len("SELECT o.total_cents")


async def test_typing_filters_and_tab_accepts(shop: Path) -> None:
    app = make_app(f"sqlite://{shop}")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        editor = await type_at(app, "SELECT c.| FROM customers c")
        await pilot.press("tab")  # after a dot Tab completes instead of indenting
        await pilot.pause()
        assert popup(app).is_open
        await pilot.press("e", "m")
        await pilot.pause()
        assert [c.label for c in popup(app).completions.candidates] == ["email"]
        await pilot.press("tab")
        await pilot.pause()
        assert editor.text == "SELECT c.email FROM customers c"


async def test_closed_popup_leaves_enter_arrows_and_escape_to_the_editor(shop: Path) -> None:
    app = make_app(f"sqlite://{shop}")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        editor = await type_at(app, "SELECT 1|\nFROM orders")
        await pilot.press("enter")
        assert editor.text == "SELECT 1\n\nFROM orders"
        await pilot.press("up")
        assert editor.cursor_location == (0, 0)
        await pilot.press("down", "down")
        assert editor.cursor_location[0] == 2
        await type_at(app, "SELECT * FROM ord|")
        await pilot.press("ctrl+space")
        await pilot.pause()
        # One candidate: inserted at once, no popup.
        assert editor.text == "SELECT * FROM orders"
        await type_at(app, "SELECT * FROM orders WHERE |")
        await pilot.press("ctrl+space")
        await pilot.pause()
        assert popup(app).is_open
        await pilot.press("down")
        await pilot.press("escape")
        await pilot.pause()
        assert not popup(app).is_open
        assert editor.text == "SELECT * FROM orders WHERE "
        assert editor.has_focus  # Esc closed the popup, it did not leave the editor


async def test_accepting_inside_a_word_replaces_the_whole_word(shop: Path) -> None:
    app = make_app(f"sqlite://{shop}")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        editor = await type_at(app, "SELECT c.na|me FROM customers c")
        await pilot.press("tab")
        await pilot.pause()
        assert editor.text == "SELECT c.name FROM customers c"


async def test_tab_indents_where_nothing_is_typed(shop: Path) -> None:
    app = make_app(f"sqlite://{shop}")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        editor = await type_at(app, "SELECT 1\n|")
        await pilot.press("tab")
        await pilot.pause()
        assert editor.text == "SELECT 1\n    "
        editor = await type_at(app, "SELECT 1|")  # after a word that nothing completes
        await pilot.press("tab")
        await pilot.pause()
        assert editor.text == "SELECT 1    "
        editor = await type_at(app, "SELECT name| FROM customers")  # already complete
        await pilot.press("tab")
        await pilot.pause()
        assert editor.text == "SELECT name  FROM customers"  # to the next tab stop
        assert not app.screen.query(CompletionPopup) or not popup(app).is_open


async def test_postgres_columns_of_an_aliased_table(postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA sales")
        conn.execute(
            "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, "
            '"Total Amount" numeric, placed_at timestamptz)'
        )
        conn.execute("CREATE TABLE sales.invoices (id bigint, order_id bigint, paid boolean)")
        conn.execute("CREATE VIEW big_orders AS SELECT id, placed_at FROM orders")
        conn.execute(
            "CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 1'"
        )
    app = make_app(postgres_db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        snapshot = source_of(app).snapshot
        assert snapshot.tables["public"]["orders"] == [
            "id",
            "customer_id",
            "Total Amount",
            "placed_at",
        ]
        assert snapshot.tables["public"]["big_orders"] == ["id", "placed_at"]
        assert "invoices" in snapshot.tables["sales"]
        assert snapshot.search_path[0] == "public"
        assert "order_total" in snapshot.functions
        assert "pg_relation_size" in snapshot.functions
        assert "int4pl" not in snapshot.functions  # operator implementations are left out

        editor = await type_at(app, "SELECT o.| FROM orders o")
        await pilot.press("ctrl+space")
        await pilot.pause()
        labels = [c.label for c in popup(app).completions.candidates]
        assert labels == ["id", "customer_id", "Total Amount", "placed_at"]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert editor.text == 'SELECT o."Total Amount" FROM orders o'

        editor = await type_at(app, "SELECT i.| FROM sales.invoices i")
        await pilot.press("tab")
        await pilot.pause()
        assert [c.label for c in popup(app).completions.candidates] == ["id", "order_id", "paid"]
        await pilot.press("p", "tab")
        await pilot.pause()
        assert editor.text == "SELECT i.paid FROM sales.invoices i"


async def test_refresh_picks_up_a_new_table(shop: Path) -> None:
    app = make_app(f"sqlite://{shop}")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        assert "returns" not in source_of(app).snapshot.tables["main"]
        with sqlite3.connect(shop) as conn:
            conn.execute("CREATE TABLE returns (id INTEGER, reason TEXT)")
        await pilot.press("ctrl+l")
        await settle(app)
        assert source_of(app).snapshot.tables["main"]["returns"] == ["id", "reason"]


async def test_redis_commands_and_subcommands(redis_url: str) -> None:
    app = make_app(redis_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        source = source_of(app)
        assert "HSET" in source.commands
        assert "GET" in source.subcommands["CONFIG"]
        editor = await type_at(app, "config g|")
        await pilot.press("ctrl+space")
        await pilot.pause()
        assert editor.text == "config get"  # one candidate: inserted at once, in the typed case
        editor = await type_at(app, "hs|")
        await pilot.press("tab")
        await pilot.pause()
        labels = [c.label for c in popup(app).completions.candidates]
        assert "HSET" in labels
        assert all(label.startswith("HS") for label in labels)


async def test_mongo_collections_then_sampled_fields_on_demand(mongo_url: str) -> None:
    name = f"cmp_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    client[name].people.insert_many(
        [{"name": f"p{i}", "address": {"city": "Oslo"}} for i in range(5)]
    )
    client[name].places.insert_one({"city": "Oslo"})
    try:
        app = make_app(f"{mongo_url.rstrip('/')}/{name}")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app)
            source = source_of(app)
            assert sorted(source.collections) == ["people", "places"]
            assert source.fields == ()  # sampling is expensive: only when asked
            editor = await type_at(app, "db.peo|")
            await pilot.press("tab")
            await pilot.pause()
            assert editor.text == "db.people"
            screen = app.screen
            assert isinstance(screen, MainScreen)
            driver = screen.session.driver
            assert isinstance(driver, MongoDriver)
            driver.set_current_collection(name, "people")
            await pilot.press("ctrl+l")
            await settle(app)
            assert "address.city" in source_of(app).fields
            editor = await type_at(app, "{addr|")
            await pilot.press("tab")
            await pilot.pause()
            labels = [c.label for c in popup(app).completions.candidates]
            assert labels == ["address", "address.city"]
    finally:
        client.drop_database(name)
        client.close()
