"""Editing MongoDB documents from the Results tab and the document viewer (real server).

Also the source namespace of document results and the pipeline editor.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import TypeVar

import pymongo
import pymongo.collection
import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Static, TabbedContent, Tree
from textual.widgets.tree import TreeNode
from uitools import current_screen, settle

from dbtui.core.errors import QueryError
from dbtui.core.registry import open_driver
from dbtui.core.results import DocumentsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.mongo import MongoDriver
from dbtui.drivers.mongo.syntax import parse_document
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.document_editor import DocumentEditorScreen
from dbtui.ui.screens.document_viewer import DocumentScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.screens.pipeline_editor import PipelineEditorScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.view import ResultsView

Client = pymongo.MongoClient[dict[str, object]]
TreeDataT = TypeVar("TreeDataT")


def walk(node: TreeNode[TreeDataT]) -> Iterator[TreeNode[TreeDataT]]:
    for child in node.children:
        yield child
        yield from walk(child)


@pytest.fixture
def database(mongo_url: str) -> Iterator[tuple[str, Client]]:
    """A fresh database name and a client to check the server with; dropped afterwards."""
    name = f"edit_{uuid.uuid4().hex[:8]}"
    client: Client = pymongo.MongoClient(mongo_url)
    try:
        yield name, client
    finally:
        client.drop_database(name)
        client.close()


def test_find_results_name_their_collection_and_aggregations_do_not(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    client[name].people.insert_many([{"name": "a", "age": 1}, {"name": "b", "age": 2}])
    driver = open_driver(spec_from_url(f"{mongo_url.rstrip('/')}/{name}"))
    assert isinstance(driver, MongoDriver)
    try:
        found = next(iter(driver.execute("db.people.find({age: {$gt: 0}})")))
        assert isinstance(found, DocumentsResult)
        assert found.namespace == (name, "people")
        found.documents.close()
        one = next(iter(driver.execute("db.people.findOne({})")))
        assert isinstance(one, DocumentsResult)
        assert one.namespace == (name, "people")
        one.documents.close()
        grouped = next(iter(driver.execute("db.people.aggregate([{$match: {}}])")))
        assert isinstance(grouped, DocumentsResult)
        assert grouped.namespace is None
        grouped.documents.close()
    finally:
        driver.close()


# --------------------------------------------------------------------------- the app
def start_app(mongo_url: str, name: str, *, read_only: bool = False) -> DbtuiApp:
    spec = spec_from_url(f"{mongo_url.rstrip('/')}/{name}", read_only=read_only)
    return DbtuiApp([(spec, open_driver(spec))])


async def run_in_editor(app: DbtuiApp, pilot: Pilot[int], text: str) -> DataTable[object]:
    """Run ``text`` with F5 and focus the results table on its first row."""
    editor = app.screen.query_one(QueryEditor)
    editor.text = text
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)
    assert app.screen.query_one(TabbedContent).active == "tab-results"
    table = app.screen.query_one("#results-table", DataTable)
    table.focus()
    table.move_cursor(row=0, column=0)
    await pilot.pause()
    return table


def editor_screen(app: DbtuiApp) -> DocumentEditorScreen:
    screen = app.screen
    assert isinstance(screen, DocumentEditorScreen)
    return screen


def pipeline_screen(app: DbtuiApp) -> PipelineEditorScreen:
    screen = app.screen
    assert isinstance(screen, PipelineEditorScreen)
    return screen


def people(client: Client, name: str) -> pymongo.collection.Collection[dict[str, object]]:
    collection = client[name].people
    collection.insert_many(
        [
            {"_id": 1, "name": "Ada", "address": {"city": "Oslo", "zip": "0150"}, "tags": ["a"]},
            {"_id": 2, "name": "Bo", "address": {"city": "Rome", "zip": "00100"}, "tags": []},
        ]
    )
    return collection


async def test_edit_a_nested_field_from_the_results_tab(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    collection = people(client, name)
    app = start_app(mongo_url, name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        table = await run_in_editor(app, pilot, "db.people.find({}).sort({_id: 1})")
        await pilot.press("E")
        await settle(app)
        screen = editor_screen(app)
        text = screen.editor.text
        assert 'city: "Oslo"' in text
        screen.editor.text = text.replace('city: "Oslo"', 'city: "Bergen"')
        await pilot.press("ctrl+s")
        await settle(app)
        assert not isinstance(app.screen, DocumentEditorScreen)
        stored = collection.find_one({"_id": 1})
        assert stored is not None
        assert stored["address"] == {"city": "Bergen", "zip": "0150"}
        assert stored["tags"] == ["a"]
        assert "Bergen" in str(table.get_cell_at(Coordinate(0, 2)))


async def test_a_syntax_error_keeps_the_text_and_points_at_it(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    collection = people(client, name)
    app = start_app(mongo_url, name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_in_editor(app, pilot, "db.people.find({}).sort({_id: 1})")
        await pilot.press("E")
        await settle(app)
        screen = editor_screen(app)
        broken = screen.editor.text.replace('name: "Ada",', 'name: "Ada" oops,')
        screen.editor.text = broken
        screen.editor.move_cursor((0, 0))
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is screen
        assert screen.editor.text == broken
        error = screen.last_error
        assert error is not None
        assert isinstance(error, QueryError)
        assert error.position == broken.index("oops")
        row, column = screen.editor.cursor_location
        assert broken.splitlines()[row][column:].startswith("oops")
        status = str(screen.query_one("#document-status", Static).render())
        assert "line 3" in status
        await pilot.press("escape")  # changed text: asks before discarding
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await settle(app)
    assert collection.find_one({"_id": 1}) == {
        "_id": 1,
        "name": "Ada",
        "address": {"city": "Oslo", "zip": "0150"},
        "tags": ["a"],
    }


async def test_changing_the_id_is_refused(mongo_url: str, database: tuple[str, Client]) -> None:
    name, client = database
    collection = people(client, name)
    app = start_app(mongo_url, name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_in_editor(app, pilot, "db.people.find({_id: 1})")
        await pilot.press("E")
        await settle(app)
        screen = editor_screen(app)
        changed = screen.editor.text.replace("_id: 1,", "_id: 7,")
        screen.editor.text = changed
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is screen
        assert screen.editor.text == changed
        assert screen.last_error is not None
        assert "_id cannot change" in screen.last_error.message
    assert collection.count_documents({}) == 2
    assert collection.find_one({"_id": 7}) is None


async def test_insert_then_delete_with_confirmation(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    collection = people(client, name)
    app = start_app(mongo_url, name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        table = await run_in_editor(app, pilot, "db.people.find({}).sort({_id: 1})")
        await pilot.press("i")
        await settle(app)
        screen = editor_screen(app)
        assert parse_document(screen.editor.text) == {}
        screen.editor.text = '{_id: 3, name: "Cy", born: ISODate("1990-05-01T00:00:00Z")}'
        await pilot.press("ctrl+s")
        await settle(app)
        inserted = collection.find_one({"_id": 3})
        assert inserted is not None
        assert inserted["name"] == "Cy"
        born = inserted["born"]
        assert isinstance(born, dt.datetime)
        assert born.year == 1990
        table.move_cursor(row=1, column=0)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app)
        assert collection.find_one({"_id": 2}) is not None
        assert table.row_count == 2
        await pilot.press("d")
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await settle(app)
        assert collection.find_one({"_id": 2}) is None
        assert table.row_count == 1
        view = app.screen.query_one(ResultsView)
        assert [item["_id"] for item in view.items] == [1]  # type: ignore[index]


async def test_document_viewer_edits_deletes_and_copies(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    collection = people(client, name)
    app = start_app(mongo_url, name)
    copied: list[str] = []

    def copy(text: str) -> None:
        copied.append(text)

    app.copy_to_clipboard = copy  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        table = await run_in_editor(app, pilot, "db.people.find({}).sort({_id: 1})")
        await pilot.press("enter")
        await settle(app)
        viewer = app.screen
        assert isinstance(viewer, DocumentScreen)
        await pilot.press("Y")
        assert json.loads(copied[-1]) == {
            "_id": 1,
            "name": "Ada",
            "address": {"city": "Oslo", "zip": "0150"},
            "tags": ["a"],
        }
        await pilot.press("e")
        await settle(app)
        screen = editor_screen(app)
        screen.editor.text = screen.editor.text.replace('"Ada"', '"Ada L."')
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is viewer
        labels = [str(node.label) for node in walk(viewer.query_one(Tree).root)]
        assert "name: Ada L." in labels
        assert collection.find_one({"_id": 1}, {"name": 1}) == {"_id": 1, "name": "Ada L."}
        assert str(table.get_cell_at(Coordinate(0, 1))) == "Ada L."
        await pilot.press("d")
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await settle(app)
        assert not isinstance(current_screen(app), DocumentScreen)
        assert collection.find_one({"_id": 1}) is None
        assert table.row_count == 1


async def test_read_only_refuses_every_document_write(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    collection = people(client, name)
    before = list(collection.find().sort("_id"))
    app = start_app(mongo_url, name, read_only=True)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_in_editor(app, pilot, "db.people.find({}).sort({_id: 1})")
        app.notify = lambda message, **_: notes.append(str(message))  # type: ignore[method-assign]
        for key in ("E", "i", "d"):
            await pilot.press(key)
            await settle(app)
            assert isinstance(app.screen, MainScreen), f"{key} opened a dialog"
        assert len(notes) == 3
        assert all("read-only connection" in note.lower() for note in notes)
        await pilot.press("enter")
        await settle(app)
        assert isinstance(app.screen, DocumentScreen)
        app.screen.notify = app.notify  # type: ignore[method-assign]
        for key in ("e", "i", "d"):
            await pilot.press(key)
            await settle(app)
            assert isinstance(app.screen, DocumentScreen), f"{key} opened a dialog"
        assert len(notes) == 6
        assert all("read-only connection" in note.lower() for note in notes)
    assert list(collection.find().sort("_id")) == before


async def test_pipeline_editor_runs_match_and_group(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    client[name].orders.insert_many(
        [{"city": c, "total": t} for c, t in [("Oslo", 5), ("Oslo", 7), ("Rome", 3), ("Rome", 1)]]
    )
    app = start_app(mongo_url, name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_in_editor(app, pilot, "db.orders.find({})")
        await pilot.press("A")
        await settle(app)
        screen = pipeline_screen(app)
        stages = screen.stages
        stages[0].text = "{$match: {total: {$gt: 2}}"  # missing brace: refused, kept
        await pilot.press("f5")
        assert app.screen is screen
        assert "stage 1" in str(screen.query_one("#pipeline-status", Static).render())
        stages[0].text = "{$match: {total: {$gt: 2}}}"
        await pilot.press("ctrl+n")
        await settle(app)
        screen.stages[1].text = "{$group: {_id: '$city', sum: {$sum: '$total'}}}"
        await pilot.press("ctrl+n")
        await settle(app)
        screen.stages[2].text = "{$sort: {_id: 1}}"
        screen.query_one(Checkbox).value = True
        await pilot.press("f5")
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        assert "db.orders.aggregate([" in editor.text
        assert "{allowDiskUse: true}" in editor.text
        view = app.screen.query_one(ResultsView)
        assert view.items == [{"_id": "Oslo", "sum": 12}, {"_id": "Rome", "sum": 3}]
        assert isinstance(view.result, DocumentsResult)
        assert view.result.namespace is None


async def test_editing_a_projected_row_starts_from_the_whole_stored_document(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    collection = people(client, name)
    app = start_app(mongo_url, name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await run_in_editor(app, pilot, "db.people.find({_id: 2}, {name: 1})")
        await pilot.press("E")
        await settle(app)
        screen = editor_screen(app)
        assert 'city: "Rome"' in screen.editor.text  # hidden by the projection, loaded anyway
        screen.editor.text = screen.editor.text.replace('"Bo"', '"Bob"')
        await pilot.press("ctrl+s")
        await settle(app)
    assert collection.find_one({"_id": 2}) == {
        "_id": 2,
        "name": "Bob",
        "address": {"city": "Rome", "zip": "00100"},
        "tags": [],
    }


async def test_pipeline_editor_opens_on_the_aggregate_under_the_cursor_and_replaces_it(
    mongo_url: str, database: tuple[str, Client]
) -> None:
    name, client = database
    client[name]["order lines"].insert_many([{"n": 1}, {"n": 2}, {"n": 3}])
    app = start_app(mongo_url, name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        first = 'db.getCollection("order lines").aggregate([{$match: {n: {$gte: 2}}}])'
        await run_in_editor(app, pilot, first)
        assert len(app.screen.query_one(ResultsView).items) == 2
        await pilot.press("A")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, PipelineEditorScreen)
        assert [parse_document(area.text) for area in screen.stages] == [
            {"$match": {"n": {"$gte": 2}}}
        ]
        await pilot.press("ctrl+n")
        await settle(app)
        screen.stages[1].text = "{$skip: 1}"
        await pilot.press("alt+up")  # skipping first leaves n=2 and n=3 (after: only n=3)
        await pilot.press("f5")
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        assert editor.text.count("aggregate(") == 1
        assert editor.text.startswith('db.getCollection("order lines").aggregate([\n  {$skip: 1}')
        items = app.screen.query_one(ResultsView).items
        assert [item["n"] for item in items] == [2, 3]  # type: ignore[index]
