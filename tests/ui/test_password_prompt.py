"""A connection that needs a password asks for it in a masked prompt (real PostgreSQL)."""

from __future__ import annotations

from typing import Any

from uitools import settle

from dbtui.core.errors import PasswordRequired
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import PasswordScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree

PASSWORD = "s3cret-pw"


async def test_retry_prompts_for_password_masked(postgres_server: Any) -> None:
    url = postgres_server.url_for(user="dbtui_pw")
    spec = spec_from_url(url)
    try:
        open_driver(spec)
    except PasswordRequired as error:
        outcome = error
    else:  # pragma: no cover - the harness role must need a password
        raise AssertionError("dbtui_pw connected without a password")
    app = DbtuiApp([(spec, outcome)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        tree = app.screen.query_one(CatalogTree)
        tree.focus()
        tree.move_cursor(tree.session_node(0))
        await pilot.press("r")
        assert isinstance(app.screen, PasswordScreen)
        await pilot.press(*"wrong-one", "enter")
        await settle(app)
        assert isinstance(app.screen, PasswordScreen), "a refused password asks again"
        assert "Wrong password" in app.screen.question
        await pilot.press(*PASSWORD)
        assert PASSWORD not in app.export_screenshot(), "the typed password is masked"
        await pilot.press("enter")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.sessions[0].driver is not None
        assert PASSWORD not in app.export_screenshot()
        screen.sessions[0].driver.close()
