"""The main window offers the key browser through the KeyBrowsing capability (real Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest
import redis as redis_py
from textual.widgets.tree import TreeNode
from uitools import make_app, settle, until

from dbtui.core.capabilities.keys import KeyBrowsing
from dbtui.ui.key_browser import RedisBrowserScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree

pytestmark = pytest.mark.redis

TreeDataT = TypeVar("TreeDataT")


def walk(node: TreeNode[TreeDataT]) -> Iterator[TreeNode[TreeDataT]]:
    for child in node.children:
        yield child
        yield from walk(child)


async def test_enter_on_keys_opens_the_browser_of_a_key_browsing_driver(redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean)
    try:
        client.set("cap:one", "1")
        client.set("cap:two", "2")
    finally:
        client.close()
    app = make_app(redis_clean)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        driver: object = app.sessions[0].driver
        assert isinstance(driver, KeyBrowsing)
        tree = app.screen.query_one(CatalogTree)
        root = tree.session_node(0)
        database = next(n for n in walk(root) if str(n.label).startswith("◆ db0 "))
        database.expand()
        await settle(app)
        keys = next(n for n in walk(database) if "Keys" in str(n.label))
        tree.focus()
        tree.move_cursor(keys)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RedisBrowserScreen), "the key browser")
        browser = app.screen
        assert isinstance(browser, RedisBrowserScreen)
        key_list = browser.key_list
        await until(pilot, lambda: key_list.scan_finished, "the scan")
        folder = key_list.tree_model.folder(b"cap")
        assert folder is not None
        assert folder.count == 2
