"""MongoDB in the app: collection context, bare filters, the document tree, explain (real server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TypeVar

import pymongo
from textual.widgets import DataTable, TabbedContent, Tree
from textual.widgets.tree import TreeNode
from uitools import settle

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.value_viewer import ValueScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor

TreeDataT = TypeVar("TreeDataT")


def walk(node: TreeNode[TreeDataT]) -> Iterator[TreeNode[TreeDataT]]:
    for child in node.children:
        yield child
        yield from walk(child)


async def test_bare_filter_on_the_highlighted_collection_and_document_tree(mongo_url: str) -> None:
    name = f"ui_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    client[name].people.insert_many(
        [
            {"name": f"p{i}", "age": 20 + i, "address": {"city": "Oslo", "zip": f"{i:04}"}}
            for i in range(30)
        ]
    )
    spec = spec_from_url(f"{mongo_url.rstrip('/')}/{name}")
    app = DbtuiApp([(spec, open_driver(spec))])
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app)
            tree = app.screen.query_one(CatalogTree)
            root = tree.session_node(0)
            database = next(n for n in walk(root) if str(n.label).startswith("◆ " + name))
            database.expand()
            await settle(app)
            people = next(n for n in walk(root) if "people" in str(n.label))
            tree.focus()
            tree.move_cursor(people)
            await settle(app)
            assert f"{name}.people" in str(app.screen.query_one("#editor-title").render())
            editor = app.screen.query_one(QueryEditor)
            editor.text = "{age: {$gte: 45}}"
            editor.focus()
            await pilot.press("f5")
            await settle(app)
            assert app.screen.query_one(TabbedContent).active == "tab-results"
            table = app.screen.query_one("#results-table", DataTable)
            assert table.row_count == 5
            headers = [str(column.label) for column in table.columns.values()]
            assert headers[:4] == ["_id", "name", "age", "address"]
            table.focus()
            table.move_cursor(row=0, column=3)
            await pilot.press("enter")
            viewer = app.screen
            assert isinstance(viewer, ValueScreen)
            labels = [str(node.label) for node in walk(viewer.query_one(Tree).root)]
            assert any(label.startswith("address") for label in labels)
            assert any(label == "city: Oslo" for label in labels)
            await pilot.press("escape")
            editor.focus()
            await pilot.press("f6")
            await settle(app)
            assert app.screen.query_one(TabbedContent).active == "tab-plan"
            plan_table = app.screen.query_one("#plan-table", DataTable)
            assert plan_table.row_count >= 1
    finally:
        client.drop_database(name)
        client.close()
