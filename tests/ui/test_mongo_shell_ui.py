"""MongoDB in the app: the password prompt of ``mongodb://user@host``, arrays in the results
table, and shell commands with their confirmations (real SecantusDB servers)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from harness.mongo_auth import PASSWORD, AuthMongoServer
from textual.pilot import Pilot
from textual.widgets import DataTable
from uitools import current_screen, settle, until

from dbtui.core.registry import open_driver
from dbtui.core.results import ReplyResult
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen, PasswordScreen
from dbtui.ui.screens.main import MainScreen

pytestmark = pytest.mark.mongo


@pytest.fixture(scope="module")
def auth_server() -> Iterator[AuthMongoServer]:
    server = AuthMongoServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def shop(mongo_url: str) -> Iterator[str]:
    """A database with an order whose ``items`` is empty and one with an array of documents."""
    name = f"ui_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    client[name].orders.insert_many(
        [
            {"_id": 1, "status": "open", "items": [], "tags": {"a": [1, 2]}},
            {"_id": 2, "status": "open", "items": [{"sku": "a1", "qty": 2}, {"sku": "b2"}]},
            {"_id": 3, "status": "done", "items": ["x y", None, 1.5]},
        ]
    )
    try:
        yield name
    finally:
        client.drop_database(name)
        client.close()


async def test_a_user_without_password_is_prompted_masked(auth_server: AuthMongoServer) -> None:
    spec = spec_from_url(auth_server.url() + "?authSource=admin")
    app = DbtuiApp([(spec, None)])
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PasswordScreen), "the password prompt")
        await pilot.press(*"wrong-one", "enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, PasswordScreen) and "Wrong" in app.screen.question,
            "the prompt again, saying the password was wrong",
        )
        await pilot.press(*PASSWORD)
        assert PASSWORD not in app.export_screenshot(), "the typed password is masked"
        await pilot.press("enter")
        main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
        session = main.sessions[0]
        await until(pilot, lambda: session.driver is not None, "the connection")
        assert session.error is None
        assert PASSWORD not in app.export_screenshot()
        driver = session.driver
        assert driver is not None
        driver.close()


async def _run(app: DbtuiApp, pilot: Pilot[Any], text: str) -> DataTable[object]:
    """Run ``text`` with F5 and return the results table."""
    await settle(app)
    screen = current_screen(app)
    assert isinstance(screen, MainScreen)
    editor = screen.editor()
    editor.text = text
    editor.focus()
    await pilot.press("f5")
    await settle(app)
    return screen.query_one("#results-table", DataTable)


def _rows(table: DataTable[object]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_arrays_show_as_json_in_the_results_table(mongo_url: str, shop: str) -> None:
    spec = spec_from_url(f"{mongo_url.rstrip('/')}/{shop}")
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(140, 30)) as pilot:
        table = await _run(app, pilot, "db.orders.find().sort({_id: 1})")
        headers = [str(column.label) for column in table.columns.values()]
        assert headers == ["_id", "status", "items", "tags"]
        rows = _rows(table)
        items = [row[2] for row in rows]
        assert items == ["[]", '[{"sku":"a1","qty":2},{"sku":"b2"}]', '["x y",null,1.5]']
        assert rows[0][3] == '{"a":[1,2]}'


async def test_run_command_and_count_documents_in_the_app(mongo_url: str, shop: str) -> None:
    spec = spec_from_url(f"{mongo_url.rstrip('/')}/{shop}")
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(140, 30)) as pilot:
        table = await _run(app, pilot, "db.runCommand({ping: 1})")
        assert [str(c.label) for c in table.columns.values()] == ["ok"]
        assert _rows(table) == [["1.0"]]
        await _run(app, pilot, 'db.orders.countDocuments({status: "open"})')
        screen = current_screen(app)
        assert isinstance(screen, MainScreen)
        result = screen.session.result
        assert isinstance(result, ReplyResult)
        assert result.reply == 2


async def test_run_command_drop_needs_the_collection_name(mongo_url: str, shop: str) -> None:
    spec = spec_from_url(f"{mongo_url.rstrip('/')}/{shop}")
    app = DbtuiApp([(spec, open_driver(spec))])
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await _run(app, pilot, 'db.runCommand({drop: "orders"})')
            dialog = current_screen(app)
            assert isinstance(dialog, ConfirmScreen), "typing and F5 alone never drop"
            assert dialog.typed == "orders"
            await pilot.press("tab", *"order", "tab", "enter")  # a partial name
            await settle(app)
            assert "orders" in client[shop].list_collection_names(), "nothing sent yet"
            if isinstance(current_screen(app), ConfirmScreen):
                await pilot.press("escape")
                await settle(app)
            await _run(app, pilot, 'db.runCommand({drop: "orders"})')
            await pilot.press("tab", *"orders", "tab", "enter")
            await settle(app)
            assert isinstance(current_screen(app), MainScreen)
            assert "orders" not in client[shop].list_collection_names()
    finally:
        client.close()


async def test_bulk_write_that_deletes_asks_first(mongo_url: str, shop: str) -> None:
    spec = spec_from_url(f"{mongo_url.rstrip('/')}/{shop}")
    app = DbtuiApp([(spec, open_driver(spec))])
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    text = "db.orders.bulkWrite([{deleteMany: {filter: {status: 'open'}}}])"
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await _run(app, pilot, text)
            dialog = current_screen(app)
            assert isinstance(dialog, ConfirmScreen)
            assert "deleteMany" in dialog.question
            await pilot.press("escape")
            await settle(app)
            assert client[shop].orders.count_documents({}) == 3, "refused: nothing sent"
    finally:
        client.close()
